"""Rate limits of the API, per token (when a valid one is sent) or else per client address.

Counters live in RATELIMIT_STORAGE_URI: Redis in production, so that a limit holds across
every gunicorn worker and server; `memory://` (one process) for the development server. If the
store is down, requests are let through (RATELIMIT_SWALLOW_ERRORS) rather than failing.
"""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter

from portal.api.tokens import token_key


def client_key() -> str:
    return token_key() or f"ip:{request.remote_addr or 'unknown'}"


def read_limit() -> str:
    return current_app.config["API_READ_LIMIT"]


def write_limit() -> str:
    return current_app.config["API_WRITE_LIMIT"]


def init_limits(app, blueprints, write_blueprint) -> Limiter:
    """One limiter per app (Flask-Limiter keeps its storage and switches on the instance):
    reads share one budget across the API; writes have their own, per token."""
    limiter = Limiter(client_key, key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "portal-api"))
    limiter.init_app(app)
    for blueprint in blueprints:
        limiter.shared_limit(read_limit, scope="api", methods=["GET", "HEAD"])(blueprint)
    limiter.shared_limit(write_limit, scope="api-write", methods=["POST"])(write_blueprint)
    app.extensions["portal_limiter"] = limiter
    return limiter
