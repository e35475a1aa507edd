"""Flask extensions, created unbound and initialised in create_app."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    """WAL, a busy timeout and foreign keys; let us emit BEGIN ourselves (see _sqlite_begin)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Transactions that only read may begin deferred: in WAL mode they never wait for writers.
_read_only = ContextVar("sqlite_read_only_transactions", default=False)


@contextmanager
def read_only_transactions():
    """SQLite transactions begun inside this block are deferred (they must not write)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


@contextmanager
def writable_transactions():
    """Inside a read-only request, transactions begun in this block write (BEGIN IMMEDIATE):
    for derived data a page stores on the way (the reform index's scores)."""
    token = _read_only.set(False)
    try:
        yield
    finally:
        _read_only.reset(token)


@contextmanager
def derived_data_session():
    """The session for storing derived data (the reform scores) from anywhere. Inside a
    read-only request the current transaction is ended first (it wrote nothing) and the next
    one begins writable (BEGIN IMMEDIATE), on the same connection: a deferred SQLite
    transaction must not write, and a second connection could wait on the first."""
    if _read_only.get():
        db.session.rollback()
        with writable_transactions():
            yield db.session
    else:
        yield db.session


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """BEGIN IMMEDIATE by default: a deferred BEGIN that later writes fails or loses the write
    when several processes write (guide §1.3.11). Reads marked read-only begin deferred."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_nul(item) for item in value)
    return value


@event.listens_for(Engine, "before_cursor_execute", retval=True)
def _postgres_refuses_nul(conn, _cursor, statement, parameters, _context, _executemany):
    """PostgreSQL rejects NUL in text (a DataError, so a 500), SQLite stores it. Text that is
    stored is cleaned at the edge already; this catches a NUL in a look-up value (a URL
    segment, a filter) anywhere, so that it finds nothing instead of failing."""
    if conn.dialect.name == "postgresql" and parameters:
        parameters = _without_nul(parameters)
    return statement, parameters


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_read_only_requests(app) -> None:
    """GET, HEAD and OPTIONS requests only read: their SQLite transactions begin deferred,
    so that pages never queue behind each other or behind a writer."""
    from flask import g, request

    @app.before_request
    def _reads_begin_deferred():
        if request.method in SAFE_METHODS:
            g.read_only_token = _read_only.set(True)

    @app.teardown_request
    def _reset_read_only(_error=None):
        token = g.pop("read_only_token", None)
        if token is not None:
            _read_only.reset(token)
