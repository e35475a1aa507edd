"""Production refuses to start without its secrets; development makes its own."""

from __future__ import annotations

import pytest

from portal import create_app


def test_production_needs_a_long_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres")
    with pytest.raises(RuntimeError, match="32 bytes"):
        create_app("production")
    monkeypatch.setenv("FLASK_SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="32 bytes"):
        create_app("production")


def test_production_needs_a_database_url(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_production_needs_trusted_hosts(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://portal@db.internal/portal")
    monkeypatch.delenv("PORTAL_TRUSTED_HOSTS", raising=False)
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
        create_app("production")


def test_production_uses_postgresql_with_secure_cookies(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgres://portal@db.internal/portal")
    monkeypatch.setenv("PORTAL_TRUSTED_HOSTS", "thamvan.example, www.thamvan.example")
    app = create_app("production")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://portal@db.internal/portal"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["TRUSTED_HOSTS"] == ["thamvan.example", "www.thamvan.example"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_development_persists_a_random_secret_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = create_app("development", SECRET_KEY=None)
    assert len(first.config["SECRET_KEY"]) >= 32
    second = create_app("development", SECRET_KEY=None)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert first.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/portal.db")
