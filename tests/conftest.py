"""Fixtures: an app on a throw-away database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
import io
import os
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.config import normalise_database_url
from portal.core import versioned
from portal.extensions import db
from portal.regulations.fileformat import COLUMNS
from portal.regulations.importer import import_regulations
from portal.regulations.sample import load_reference


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temp dir by default; a fresh PostgreSQL database when asked for."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        return
    base_url = make_url(normalise_database_url(base))
    name = f"portal_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    search_dir = tmp_path_factory.mktemp("search")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SEARCH_INDEX_DIR=str(search_dir / "index"),
        SEARCH_LOCK_FILE=str(search_dir / "index.lock"),
        EXPORT_DIR=str(search_dir / "exports"),
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def app_context(app):
    """Every test runs in an app context on an empty database with an empty index."""
    with app.app_context():
        yield
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        app.extensions["search"].clear()
    versioned.clear_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def reference():
    """The ministries and ministerial-level agencies."""
    load_reference()


def csv_bytes(rows: list[dict], columns=COLUMNS, bom: bool = False) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    data = stream.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def regulation_row(code: str, **values) -> dict:
    """A valid import row with sensible defaults."""
    row = {
        "code": code,
        "kind": "procedure",
        "title": f"Cấp Giấy phép kinh doanh dịch vụ lữ hành quốc tế {code}",
        "ministry": "bvhttdl",
        "field": "Du lịch",
        "status": "in_force",
        "published": "1",
        "legal_basis": "168/2017/NĐ-CP Điều 5; 09/2017/QH14",
        "content": "Doanh nghiệp nộp hồ sơ tại Tổng cục Du lịch.",
        "time_hours": "16",
        "cost_vnd": "3000000",
        "frequency": "0.2",
        "subjects": "300",
    }
    row.update(values)
    return row


@pytest.fixture
def make_regulations(reference):
    """Create regulations through the importer, as a ministry's file would."""

    def make(*rows: dict):
        return import_regulations(csv_bytes(list(rows)), "rows.csv")

    return make


PASSWORD = "Mật khẩu rất dài của tôi 2026"


@pytest.fixture
def create_user(reference):
    """Create an account through the service, as the CLI or an administrator would."""
    from portal.accounts.services import create_user as create

    counter = iter(range(1, 10_000))

    def make(role="member", ministry=None, email=None, password=PASSWORD, **values):
        email = email or f"{role}{next(counter)}@congty.vn"
        user = create(
            email,
            password,
            role,
            ministry_code=ministry,
            display_name=values.pop("display_name", f"Người dùng {email.split('@')[0]}"),
        )
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()
        return user

    return make


def sign_in(client, user_or_email, password=PASSWORD, **extra):
    """Sign in through the form; returns the response."""
    email = getattr(user_or_email, "email", user_or_email)
    return client.post("/account/sign-in", data={"email": email, "password": password, **extra})


@pytest.fixture
def login(client):
    """`login(user)` signs the test client in as `user`."""

    def do(user, password=PASSWORD):
        response = sign_in(client, user, password)
        assert response.status_code in (302, 303), response.data[:500]
        return client

    return do


def mails(kind=None):
    """The mail outbox, oldest first."""
    from sqlalchemy import select

    from portal.mail.models import MailMessage

    statement = select(MailMessage).order_by(MailMessage.id)
    if kind:
        statement = statement.where(MailMessage.kind == kind)
    return list(db.session.scalars(statement))


def link_in(message) -> str:
    """The path of the first link of this portal in a mail."""
    import re

    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture(autouse=True)
def _no_unexpected_errors(caplog):
    """A request that ended in the generic 500 page fails its test, with the traceback."""
    yield
    errors = [r for r in caplog.records if r.name == "portal.errors" and r.levelname == "ERROR"]
    if errors:
        import traceback

        info = errors[0].exc_info
        detail = "".join(traceback.format_exception(*info)) if info else ""
        pytest.fail(f"a request ended in a 500: {errors[0].getMessage()}\n{detail}")
