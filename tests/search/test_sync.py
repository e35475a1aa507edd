"""The index follows the database through the change outbox."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select, update

from portal.core.changes import ChangeOutbox, changes_committed
from portal.extensions import db
from portal.regulations.models import Field, Regulation
from portal.regulations.services import upsert_document
from portal.search.backend import make_eid
from tests.conftest import csv_bytes, regulation_row
from tests.consultation.conftest import world  # noqa: F401 (a fixture)

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


# Run in a separate process: commit a change with draining off (PORTAL_SEARCH_SYNC=worker and
# no worker running), then die by SIGKILL before anything could apply it: no atexit handlers,
# no finally blocks, no flush of anything.
_COMMIT_THEN_DIE = """
import os, signal, sys
from sqlalchemy import select
from portal import create_app
from portal.extensions import db
from portal.regulations.models import Regulation

app = create_app()
with app.app_context():
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == sys.argv[1]))
    regulation.title = sys.argv[2]
    db.session.commit()
    print("committed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    print("still alive", flush=True)
"""


def test_a_process_killed_after_commit_and_before_draining_is_repaired_by_sync(
    app, client, make_regulations
):
    make_regulations(regulation_row("K-1", title="Cấp phép nuôi chim yến"))
    assert found_codes(client, "chim yen") == ["K-1"]
    process = subprocess.run(
        [sys.executable, "-c", _COMMIT_THEN_DIE, "K-1", "Cấp phép nuôi cá sấu"],
        cwd=ROOT,
        env=_env(app),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    assert process.stdout.split() == ["committed"]
    # The change is in the database with its outbox row; the index never heard of it.
    title = db.session.scalar(select(Regulation.title).where(Regulation.code == "K-1"))
    db.session.commit()
    assert title == "Cấp phép nuôi cá sấu"
    assert outbox_size() == 1
    assert found_codes(client, "ca sau") == []
    code, output = _verify(app)
    assert code == 1 and "1 with out-of-date content, 1 change(s) waiting" in output
    result = app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "1 change(s) applied" in result.output
    assert found_codes(client, "ca sau") == ["K-1"]
    assert found_codes(client, "chim yen") == []
    assert _verify(app)[0] == 0


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


def found_codes(client, query: str) -> list[str]:
    """Regulation codes on the first results page of /search, as a visitor sees them (for the
    text exactly as typed: a spelling correction would answer for words the index lacks)."""
    html = client.get("/search", query_string={"q": query, "correct": "0"}).get_data(as_text=True)
    db.session.rollback()  # the request shared the test's session: end its read
    return re.findall(r'href="/regulations/([A-Za-z0-9.-]+)"', html)


def test_a_cited_documents_new_title_finds_its_regulations(app, client, make_regulations):
    make_regulations(
        regulation_row("Z-1", title="Cấp phép hoạt động thủy sản", legal_basis="77/2021/NĐ-CP"),
        regulation_row(
            "Z-2", title="Cấp phép hoạt động thủy sản khác", legal_basis="78/2021/NĐ-CP"
        ),
    )
    assert found_codes(client, "ngoc trai") == []
    upsert_document("77/2021/NĐ-CP", title="Nghị định về nuôi ngọc trai")
    db.session.commit()
    # Queued with the document, in the same transaction, without loading the regulation.
    assert outbox_size() == 0
    assert found_codes(client, "ngoc trai") == ["Z-1"]
    upsert_document("77/2021/NĐ-CP", title="Nghị định về nuôi cá tra")
    db.session.commit()
    assert found_codes(client, "ngoc trai") == []
    assert found_codes(client, "nuoi ca tra") == ["Z-1"]
    assert app.test_cli_runner().invoke(args=["search", "verify"]).exit_code == 0


def test_the_title_change_and_its_regulations_are_queued_together(app, make_regulations):
    make_regulations(
        regulation_row("Q-1", legal_basis="77/2021/NĐ-CP"),
        regulation_row("Q-2", legal_basis="77/2021/NĐ-CP Điều 3; 78/2021/NĐ-CP"),
        regulation_row("Q-3", legal_basis="78/2021/NĐ-CP"),
    )
    with sync_paused(app):
        upsert_document("77/2021/NĐ-CP", title="Nghị định về nuôi ngọc trai")
        db.session.flush()
        queued = db.session.execute(select(ChangeOutbox.entity, ChangeOutbox.entity_id)).all()
        db.session.rollback()
    ids = dict(db.session.execute(select(Regulation.code, Regulation.id)).all())
    db.session.commit()
    assert sorted(queued) == sorted(
        [("document", _document_id("77/2021/NĐ-CP")), ("regulation", ids["Q-1"])]
        + [("regulation", ids["Q-2"])]
    )
    # Rolled back with the change: nothing was queued.
    assert outbox_size() == 0


def _document_id(number: str) -> int:
    from portal.regulations.models import LegalDocument

    document_id = db.session.scalar(select(LegalDocument.id).where(LegalDocument.number == number))
    db.session.commit()
    return document_id


def test_a_renamed_field_finds_its_regulations_by_the_new_name(
    app, client, make_regulations, create_user, login
):
    make_regulations(
        *(
            regulation_row(code, field=field, title=title, content="Hồ sơ nộp trực tiếp.")
            for code, field, title in (
                ("F-1", "Du lịch", "Cấp phép hướng dẫn viên"),
                ("F-2", "Du lịch", "Cấp thẻ hướng dẫn viên"),
                ("F-3", "Xuất bản", "Cấp phép hướng dẫn viên khác"),
            )
        )
    )
    assert found_codes(client, "lu hanh huong dan vien") == []
    assert sorted(found_codes(client, "du lich huong dan vien")) == ["F-1", "F-2"]
    field_id = db.session.scalar(select(Field.id).where(Field.name_vi == "Du lịch"))
    db.session.commit()
    login(create_user("admin"))
    response = client.post(
        f"/admin/fields/{field_id}", data={"name_vi": "Lữ hành", "name_en": "Travel"}
    )
    assert response.status_code in (302, 303)
    assert sorted(found_codes(client, "lu hanh huong dan vien")) == ["F-1", "F-2"]
    assert found_codes(client, "du lich huong dan vien") == []
    assert app.test_cli_runner().invoke(args=["search", "verify"]).exit_code == 0


def _verify(app, *options: str):
    result = app.test_cli_runner().invoke(args=["search", "verify", *options])
    return result.exit_code, result.output


def _regulation_eid(code: str) -> int:
    regulation_id = db.session.scalar(select(Regulation.id).where(Regulation.code == code))
    db.session.commit()
    return make_eid("regulation", regulation_id)


def test_verify_finds_an_entry_whose_content_is_out_of_date_and_sync_repairs_it(
    app, client, make_regulations
):
    make_regulations(regulation_row("V-1", title="Cấp phép nuôi chim yến"))
    assert _verify(app)[0] == 0
    with sync_paused(app):
        regulation = db.session.scalar(select(Regulation).where(Regulation.code == "V-1"))
        regulation.title = "Cấp phép nuôi cá sấu"
        db.session.commit()
    # The entry exists in the index, but with the old title.
    assert found_codes(client, "chim yen") == ["V-1"]
    code, output = _verify(app)
    assert code == 1
    assert f"stale:   {_regulation_eid('V-1')} (regulation " in output
    assert "1 with out-of-date content, 1 change(s) waiting in the outbox" in output
    assert app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    code, output = _verify(app)
    assert code == 0 and "0 with out-of-date content, 0 change(s) waiting" in output
    assert found_codes(client, "ca sau") == ["V-1"]
    assert found_codes(client, "chim yen") == []


def test_a_change_that_bypassed_the_outbox_is_found_and_repaired(app, client, make_regulations):
    make_regulations(
        regulation_row("V-2", title="Cấp phép nuôi chim yến"),
        regulation_row("V-3", title="Cấp phép nuôi ong mật"),
    )
    # A bulk statement that forgot record_changes: no outbox row, the index never hears of it.
    db.session.execute(
        update(Regulation).where(Regulation.code == "V-2").values(title="Cấp phép nuôi cá sấu")
    )
    db.session.execute(
        update(Regulation).where(Regulation.code == "V-3").values(title="Cấp phép nuôi hươu")
    )
    db.session.commit()
    assert outbox_size() == 0
    code, output = _verify(app)
    assert code == 1
    assert "2 with out-of-date content, 0 change(s) waiting" in output
    assert f"stale:   {_regulation_eid('V-2')} " in output
    code, output = _verify(app, "--repair")
    assert code == 0, output
    assert "Repaired: 2" in output
    assert found_codes(client, "ca sau") == ["V-2"]
    assert found_codes(client, "chim yen") == []
    db.session.execute(
        update(Regulation).where(Regulation.code == "V-3").values(title="Cấp phép nuôi rắn")
    )
    db.session.commit()
    assert _verify(app)[0] == 1
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    assert _verify(app)[0] == 0
    assert found_codes(client, "nuoi ran") == ["V-3"]


def test_an_index_of_an_older_format_is_reported_and_rebuilt(app, client, make_regulations):
    backend = app.extensions["search"]
    make_regulations(regulation_row("O-1", title="Cấp phép nuôi chim yến"))
    if backend.name == "postgres":
        # Rows written before fingerprints (or in another format) still answer searches;
        # verify reports them until they are rewritten.
        from sqlalchemy import text

        db.session.execute(text("UPDATE search_entry SET fp = NULL"))
        db.session.commit()
        code, output = _verify(app)
        assert code == 1 and f"stale:   {_regulation_eid('O-1')} (regulation " in output
    else:
        from portal.search.whoosh_backend import SCHEMA_VERSION

        backend.close()
        (Path(app.config["SEARCH_INDEX_DIR"]) / "schema-version").write_text("2")
        assert found_codes(client, "chim yen") == []  # the old files could not be read
        code, output = _verify(app)
        assert code == 1 and "older format" in output
        assert f"missing: {_regulation_eid('O-1')} (regulation " in output
        assert (Path(app.config["SEARCH_INDEX_DIR"]) / "schema-version").read_text() == (
            SCHEMA_VERSION
        )
        # The next drain rebuilds it.
        assert app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    if backend.name == "postgres":
        assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    assert _verify(app)[0] == 0
    assert found_codes(client, "chim yen") == ["O-1"]


def test_a_drafts_new_title_finds_its_consultation(app, client, world):  # noqa: F811
    """A consultation is found by its draft's title and summary: editing the draft re-indexes
    the consultation (queued by SQL in the same transaction)."""
    consultation = world["consultation"]

    def consultation_found(text: str) -> bool:
        page = client.get("/search", query_string={"q": text, "correct": "0"})
        return f"/consultations/{consultation.id}" in page.get_data(as_text=True)

    assert not consultation_found("nuoi ngoc trai bien")
    draft = world["draft"]
    draft.summary = "Quy định về nuôi ngọc trai biển và giống ngọc trai."
    db.session.commit()
    assert outbox_size() == 0
    assert consultation_found("nuoi ngoc trai bien")
    assert app.test_cli_runner().invoke(args=["search", "verify"]).exit_code == 0
