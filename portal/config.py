"""Configuration classes; secrets and URLs come from the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def normalise_database_url(url: str) -> str:
    """Route plain PostgreSQL URLs to the psycopg 3 driver we install."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = ("vi", "en")
    LANGUAGE_COOKIE = "lang"
    # Uploads (views marked allows_upload) may send 20 MB; any other request 1 MB.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    MAX_FORM_BYTES = 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Werkzeug's scrypt (n=2**15, r=8, p=1): no length limit, unlike bcrypt's 72 bytes.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a hashing method, not a password)
    # Rate limits of sign-in, registration and e-mailed links: portal.accounts.throttle.RULES;
    # AUTH_LIMITS = {"sign_in_account": 5, ...} overrides a limit.
    AUTH_LIMITS: dict = {}
    # Mail: MAIL_BACKEND log|smtp (default: smtp when MAIL_SERVER is set, else log).
    MAIL_BACKEND: str | None = None
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "no-reply@localhost"
    MAIL_SENDER_NAME = "Cổng tham vấn và tra cứu quy định kinh doanh"
    # Links in e-mail sent outside a request (commands, workers): PORTAL_BASE_URL.
    BASE_URL = "http://127.0.0.1:5000"
    # Hops of reverse proxies whose X-Forwarded-* headers are trusted (0: none).
    PROXY_FIX_HOPS = 0
    PER_PAGE_CHOICES = (10, 20, 50, 100)
    PER_PAGE_DEFAULT = 20
    # The largest page number a list accepts; anything above is a clear 404, never an overflow.
    MAX_PAGE = 100_000
    SAMPLE_DATA_NOTICE = True
    WTF_CSRF_TIME_LIMIT = None
    # Search: SEARCH_BACKEND whoosh|postgres (default: postgres on PostgreSQL, else whoosh);
    # SEARCH_SYNC inline|thread|worker decides who applies changes to the index.
    SEARCH_BACKEND: str | None = None
    SEARCH_INDEX_DIR: str | None = None
    SEARCH_SYNC = "thread"
    # Entry ids kept in cached posting sets per process (half as much again for results).
    SEARCH_CACHE_BUDGET = 400_000
    # The API's rate limits (Flask-Limiter syntax), per token or else per client address, and
    # where the counters live: memory:// holds in one process only, so production uses Redis.
    API_READ_LIMIT = "300 per minute"
    API_WRITE_LIMIT = "30 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STRATEGY = "moving-window"
    # Bulk open-data files (default instance/exports); lists of files make changed ones again
    # in the background ("background") or before answering ("inline").
    EXPORT_DIR: str | None = None
    EXPORT_REFRESH = "background"


class DevelopmentConfig(Config):
    """Local development: SQLite in instance/, a secret persisted in instance/."""

    ENV_NAME = "development"


class TestingConfig(Config):
    """The test suite: a database chosen by the fixtures."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # noqa: S105 (tests only)
    WTF_CSRF_ENABLED = False
    SEARCH_SYNC = "inline"
    MAIL_BACKEND = "log"
    RATELIMIT_ENABLED = False  # the tests of the limits turn them on
    EXPORT_REFRESH = "inline"
    # Still scrypt, with a lower work factor so that the suite does not spend minutes hashing.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105


class ProductionConfig(Config):
    """Production: PostgreSQL via DATABASE_URL and a mandatory secret key."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    # `__Host-`: the browser only accepts it over HTTPS, for this host, on every path.
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "__Host-remember"
    PREFERRED_URL_SCHEME = "https"
    SEARCH_SYNC = "worker"  # run `flask search worker` beside gunicorn
    # Shared by every worker; PORTAL_RATELIMIT_STORAGE_URI names another server.
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_secret_key(app, config_name: str) -> None:
    """Take the secret from the environment; in development persist a random one."""
    key = os.environ.get("FLASK_SECRET_KEY") or os.environ.get("SECRET_KEY")
    if key:
        app.config["SECRET_KEY"] = key
    if config_name == "production":
        key = app.config.get("SECRET_KEY")
        if not key or len(key.encode()) < 32:
            raise RuntimeError(
                "Production needs FLASK_SECRET_KEY (or SECRET_KEY) of at least 32 bytes."
            )
        return
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def load_trusted_hosts(app, config_name: str) -> None:
    """TRUSTED_HOSTS (PORTAL_TRUSTED_HOSTS="portal.gov.vn,www.portal.gov.vn"): any other
    Host header gets 400. Production refuses to start without it."""
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",") if host.strip()]
        app.config["TRUSTED_HOSTS"] = hosts or None
    if config_name == "production" and not app.config.get("TRUSTED_HOSTS"):
        raise RuntimeError(
            "Production needs PORTAL_TRUSTED_HOSTS, the host names the portal answers to "
            "(comma-separated)."
        )


def database_uri(app, config_name: str) -> str:
    """DATABASE_URL wins; otherwise SQLite in the instance folder (not in production)."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI")
    if config_name != "testing":  # tests never touch the database named in the environment
        url = os.environ.get("DATABASE_URL") or url
    if url:
        return normalise_database_url(url)
    if config_name == "production":
        raise RuntimeError("Production needs DATABASE_URL (PostgreSQL).")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + str(Path(app.instance_path) / "portal.db")
