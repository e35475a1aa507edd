"""/api/v1/downloads: the bulk files, with when they were made and their SHA-256."""

from __future__ import annotations

import base64
from datetime import datetime

from flask import send_file
from flask_babel import gettext as _

from portal.api import schemas
from portal.api.catalogue import not_found
from portal.api.core import N_, Blueprint
from portal.api.params import NoArgs
from portal.opendata import store
from portal.opendata.datasets import DATASETS

bp = Blueprint(
    "api_opendata",
    __name__,
    url_prefix="/api/v1",
    description=N_("Bulk files of everything the API serves, and writing for ministry staff."),
)


@bp.route("/downloads", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.Downloads)
@bp.errors(400)
@bp.doc(
    summary=N_("List the bulk files"),
    description=N_(
        "Regulations, legal documents, consultations with comments and answers, and reform "
        "scores, each as CSV (UTF-8 with BOM) and JSON Lines; made again whenever their data "
        "change (`current` is false while that is under way; a download always waits for the "
        "current file). Each file says when it was made and its SHA-256."
    ),
)
def downloads():
    return {"items": store.listing(*store.current_manifest())}


@bp.route("/downloads/<dataset>.<fmt>", methods=["GET"])
@bp.errors(404)
@bp.doc(
    summary=N_("Download a bulk file"),
    description=N_("`dataset`.csv or `dataset`.jsonl, as listed by /api/v1/downloads."),
    responses={
        "200": {
            "description": N_("The file."),
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        "304": {"description": N_("Not changed since the ETag you sent.")},
    },
)
def download(dataset: str, fmt: str):
    if dataset not in DATASETS or fmt not in store.FORMATS:
        raise not_found(_("There is no such file. The list is at /api/v1/downloads."))
    manifest = store.ensure_fresh((dataset,))
    entry = manifest[dataset]
    info = entry["files"][fmt]
    generated = datetime.fromisoformat(entry["generated_at"])
    path = store.export_dir() / store.file_name(dataset, fmt)
    response = send_file(
        path,
        mimetype=store.MIMETYPES[fmt],
        as_attachment=True,
        download_name=f"{dataset}-{generated.strftime('%Y%m%dT%H%M%SZ')}.{fmt}",
        etag=info["sha256"],
        last_modified=generated,
        max_age=0,
        conditional=True,
    )
    response.headers["X-Generated-At"] = entry["generated_at"]
    response.headers["X-Content-SHA256"] = info["sha256"]
    response.headers["Repr-Digest"] = (
        "sha-256=:" + base64.b64encode(bytes.fromhex(info["sha256"])).decode() + ":"
    )
    return response
