"""The index follows the database through the change outbox."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from portal.core.changes import ChangeOutbox, changes_committed
from portal.extensions import db
from portal.regulations.models import Regulation
from portal.search.backend import make_eid
from tests.conftest import csv_bytes, regulation_row

ROOT = Path(__file__).resolve().parents[2]


def indexed(app, code: str) -> bool:
    regulation_id = db.session.scalar(select(Regulation.id).where(Regulation.code == code))
    db.session.commit()  # end the read: a test must not hold the database while others work
    backend = app.extensions["search"]
    backend.generation()
    return regulation_id is not None and make_eid("regulation", regulation_id) in backend.eids()


def outbox_size() -> int:
    size = db.session.scalar(select(func.count(ChangeOutbox.id)))
    db.session.commit()
    return size


@contextmanager
def sync_paused(app):
    """As if the process died between commit and drain: commits are not applied."""
    listener = app.extensions["search_sync"]
    changes_committed.disconnect(listener)
    try:
        yield
    finally:
        changes_committed.connect(listener, weak=False)


def test_commit_makes_a_regulation_searchable(app, make_regulations):
    make_regulations(regulation_row("S-1", title="Cấp phép khai thác cát sỏi lòng sông"))
    assert indexed(app, "S-1")
    assert outbox_size() == 0
    assert app.extensions["search"].term("f", "soi")


def test_rollback_leaves_neither_row_nor_index_entry(app, reference):
    from portal.ministries.models import Ministry

    ministry = db.session.scalar(select(Ministry).where(Ministry.code == "byt"))
    regulation = Regulation(
        code="R-1",
        kind="procedure",
        title="Thủ tục bị hủy",
        ministry=ministry,
        status="in_force",
        published=True,
    )
    db.session.add(regulation)
    db.session.flush()
    # Recorded in the same transaction as the change.
    assert db.session.scalar(select(func.count(ChangeOutbox.id))) == 1
    db.session.rollback()
    assert outbox_size() == 0
    assert not app.extensions["search"].term("f", "huy")


def test_updates_and_deletes_follow(app, make_regulations):
    make_regulations(regulation_row("U-1", title="Cấp giấy phép nuôi ong"))
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "U-1"))
    regulation.title = "Cấp giấy phép nuôi tằm"
    db.session.commit()
    backend = app.extensions["search"]
    backend.generation()
    assert backend.term("f", "tam") and not backend.term("f", "ong")
    db.session.delete(regulation)
    db.session.commit()
    backend.generation()
    assert not backend.term("f", "tam")
    assert make_eid("regulation", regulation.id) not in backend.eids()


def test_a_crash_before_draining_is_repaired_by_sync(app, make_regulations):
    with sync_paused(app):
        make_regulations(regulation_row("C-1", title="Cấp phép nhập khẩu pháo hoa"))
    assert not indexed(app, "C-1")
    runner = app.test_cli_runner()
    verify = runner.invoke(args=["search", "verify"])
    assert verify.exit_code == 1
    regulation_id = db.session.scalar(select(Regulation.id).where(Regulation.code == "C-1"))
    db.session.commit()
    assert f"missing: {make_eid('regulation', regulation_id)}" in verify.output
    assert runner.invoke(args=["search", "sync"]).exit_code == 0
    assert indexed(app, "C-1")
    assert runner.invoke(args=["search", "verify"]).exit_code == 0


def test_reindex_rebuilds_from_the_database(app, make_regulations):
    make_regulations(regulation_row("X-1"), regulation_row("X-2"))
    app.extensions["search"].clear()
    assert app.test_cli_runner().invoke(args=["search", "verify"]).exit_code == 1
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert app.test_cli_runner().invoke(args=["search", "verify"]).exit_code == 0


def _env(app) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_CONFIG": "development",
        "PORTAL_SEARCH_INDEX_DIR": str(app.config["SEARCH_INDEX_DIR"]),
        "PORTAL_SEARCH_LOCK_FILE": str(app.config["SEARCH_LOCK_FILE"]),
        "PORTAL_SEARCH_SYNC": "worker",
        "PORTAL_SEARCH_BACKEND": app.extensions["search"].name,
    }


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def test_two_processes_draining_at_once_lose_nothing(app, reference, tmp_path):
    with sync_paused(app):
        from portal.regulations.importer import import_regulations

        import_regulations(csv_bytes([regulation_row(f"P-{n:04d}") for n in range(600)]), "p.csv")
    env = _env(app)
    workers = [
        subprocess.Popen(
            _flask("search", "sync"),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert "LockError" not in "".join(out + err for out, err in outputs)
    assert app.test_cli_runner().invoke(args=["search", "verify"]).exit_code == 0
    assert outbox_size() == 0


def test_the_worker_applies_a_commit_within_two_seconds(app, make_regulations):
    worker = subprocess.Popen(
        _flask("search", "worker", "--interval", "0.2"),
        cwd=ROOT,
        env=_env(app),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(2.0)  # started and idle
        with sync_paused(app):
            make_regulations(regulation_row("W-1", title="Cấp phép bay flycam"))
            committed = time.monotonic()
            while time.monotonic() - committed < 5 and not indexed(app, "W-1"):
                time.sleep(0.05)
            elapsed = time.monotonic() - committed
        assert indexed(app, "W-1")
        assert elapsed < 2.0, elapsed
    finally:
        worker.terminate()
        _out, errors = worker.communicate(timeout=10)
    assert b"Traceback" not in errors, errors.decode()
