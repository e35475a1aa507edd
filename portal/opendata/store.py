"""The bulk files on disk: made when their data changed, with the time and a SHA-256.

Files live in EXPORT_DIR (default instance/exports) with a manifest.json that records, for
each dataset, the fingerprint of the data it was made from, when, and for each format the
number of rows, bytes and SHA-256. Asking for a dataset (the downloads page, the API, a file)
first compares its fingerprint with the data's: if the data changed, the files are made again
under an exclusive lock (one process at a time; the others wait and then use the new files).
Files are written beside the old ones and renamed over them, so a download in progress always
reads a complete file.

Downloading a file waits for it to be current. The lists of files (the /data page and
/api/v1/downloads) do not wait: with EXPORT_REFRESH = "background" (the default) they show the
files as they are, say which ones the data have changed since, and have a background thread
make those again; "inline" (the tests) makes them before answering. A list that has no files
at all yet always makes them first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from flask import current_app, has_request_context

from portal.core.models import utcnow
from portal.opendata.datasets import DATASETS, Dataset, json_line
from portal.regulations.fileformat import escape_formula, format_number
from portal.search.sync import writer_lock

logger = logging.getLogger(__name__)
FORMATS = ("csv", "jsonl")
MIMETYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def export_dir() -> Path:
    configured = current_app.config.get("EXPORT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "exports"


def file_name(dataset: str, fmt: str) -> str:
    return f"{dataset}.{fmt}"


def _manifest_path(directory: Path) -> Path:
    return directory / "manifest.json"


def read_manifest(directory: Path | None = None) -> dict:
    path = _manifest_path(directory or export_dir())
    try:
        return json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _HashingFile:
    """A temporary file beside `path` that counts and hashes what is written to it."""

    def __init__(self, path: Path):
        self.path = path
        handle, self.temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        self.stream = os.fdopen(handle, "wb")
        self.digest = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.digest.update(data)
        self.bytes += len(data)

    def commit(self) -> dict:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.replace(self.temporary, self.path)
        return {"bytes": self.bytes, "sha256": self.digest.hexdigest()}

    def discard(self) -> None:
        if not self.stream.closed:
            self.stream.close()
        Path(self.temporary).unlink(missing_ok=True)


def _csv_line(cells) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        [escape_formula(format_number(cell)) for cell in cells]
    )
    return buffer.getvalue().encode("utf-8")


def write_dataset(dataset: Dataset, directory: Path) -> dict:
    """Write the CSV and JSON Lines files of `dataset` into `directory`; their manifest entry."""
    directory.mkdir(parents=True, exist_ok=True)
    fingerprint = dataset.fingerprint()
    started = time.perf_counter()
    csv_file = _HashingFile(directory / file_name(dataset.name, "csv"))
    jsonl_file = _HashingFile(directory / file_name(dataset.name, "jsonl"))
    try:
        csv_file.write("\ufeff".encode() + _csv_line(dataset.header))
        csv_rows = json_rows = 0
        with _base_url_context():
            for rows, data in dataset.records():
                for row in rows:
                    csv_file.write(_csv_line(row))
                    csv_rows += 1
                jsonl_file.write(json_line(data))
                json_rows += 1
        files = {"csv": {**csv_file.commit(), "rows": csv_rows}}
        files["jsonl"] = {**jsonl_file.commit(), "rows": json_rows}
    except BaseException:
        csv_file.discard()
        jsonl_file.discard()
        raise
    seconds = time.perf_counter() - started
    logger.info("Bulk dataset %s written in %.1f s (%s rows)", dataset.name, seconds, json_rows)
    return {
        "fingerprint": fingerprint,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
        "files": files,
    }


@contextmanager
def _base_url_context():
    """Links in the files need an address: the request's own (a trusted host) when a request
    asked for the files, else the portal's public address, PORTAL_BASE_URL (the command
    line)."""
    if has_request_context():
        yield
        return
    app = current_app._get_current_object()
    with app.test_request_context("/", base_url=app.config["BASE_URL"]):
        yield


def ensure_fresh(names: tuple[str, ...] | None = None, force: bool = False) -> dict:
    """The manifest, after making again every dataset in `names` whose data changed."""
    directory = export_dir()
    names = names or tuple(DATASETS)
    manifest = read_manifest(directory)
    stale = [name for name in names if force or not _is_fresh(name, manifest, directory)]
    if not stale:
        return manifest
    directory.mkdir(parents=True, exist_ok=True)
    with writer_lock(directory / ".lock"):
        manifest = read_manifest(directory)  # another process may have made them meanwhile
        changed = False
        for name in stale:
            if not force and _is_fresh(name, manifest, directory):
                continue
            manifest[name] = write_dataset(DATASETS[name], directory)
            changed = True
        if changed:
            _write_atomic(
                _manifest_path(directory),
                json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
            )
    return manifest


def current_manifest() -> tuple[dict, set[str]]:
    """The manifest for the lists of files, and the datasets whose data changed since their
    files were made (being made again in the background)."""
    directory = export_dir()
    manifest = read_manifest(directory)
    if current_app.config.get("EXPORT_REFRESH", "background") == "inline" or not all(
        name in manifest for name in DATASETS
    ):
        return ensure_fresh(), set()
    stale = {name for name in DATASETS if not _is_fresh(name, manifest, directory)}
    if stale:
        refresh_in_background(current_app._get_current_object())
    return manifest, stale


_background = threading.Lock()


def refresh_in_background(app) -> bool:
    """Make the changed datasets again on a thread of this process (at most one at a time per
    process; the file lock keeps other processes from doing the same work at once)."""
    if not _background.acquire(blocking=False):
        return False

    def run():
        from portal.extensions import db

        try:
            with app.app_context():
                try:
                    ensure_fresh()
                finally:
                    db.session.remove()
        except Exception:
            logger.exception("Bulk files could not be made again")
        finally:
            _background.release()

    thread = threading.Thread(target=run, name="bulk-files", daemon=True)
    thread.start()
    app.extensions["bulk_files_thread"] = thread
    return True


def _is_fresh(name: str, manifest: dict, directory: Path) -> bool:
    entry = manifest.get(name)
    if not entry:
        return False
    if any(not (directory / file_name(name, fmt)).exists() for fmt in FORMATS):
        return False
    return entry.get("fingerprint") == DATASETS[name].fingerprint()


def dump(directory: Path) -> dict:
    """Write every dataset into `directory` (the command line), with manifest.json and a
    SHA256SUMS file that `sha256sum -c` checks."""
    manifest = {name: write_dataset(dataset, directory) for name, dataset in DATASETS.items()}
    _write_atomic(
        _manifest_path(directory), json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    )
    sums = "".join(
        f"{entry['files'][fmt]['sha256']}  {file_name(name, fmt)}\n"
        for name, entry in manifest.items()
        for fmt in FORMATS
    )
    _write_atomic(directory / "SHA256SUMS", sums.encode())
    return manifest


def listing(manifest: dict, stale: set[str] = frozenset()) -> list[dict]:
    """One entry per file, for the downloads page and the API; `current` is False while the
    data have changed since the file was made (it is being made again)."""
    from flask import url_for

    items = []
    for name in DATASETS:
        entry = manifest.get(name)
        if not entry:
            continue
        for fmt in FORMATS:
            info = entry["files"][fmt]
            items.append(
                {
                    "dataset": name,
                    "format": fmt,
                    "rows": info["rows"],
                    "bytes": info["bytes"],
                    "sha256": info["sha256"],
                    "generated_at": datetime.fromisoformat(entry["generated_at"]),
                    "current": name not in stale,
                    "url": url_for("api_opendata.download", dataset=name, fmt=fmt, _external=True)
                    if has_request_context()
                    else file_name(name, fmt),
                }
            )
    return items
