"""Response headers, the Content-Security-Policy, proxies and safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere: every script and stylesheet is a file the app serves.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def safe_local_path(target: str | None) -> str:
    """Accept only a path on this site (`/…`, never `//host`, `/\\host` or a scheme); else `/`."""
    target = (target or "").strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def allows_upload(view=None, *, max_bytes: int | None = None):
    """Mark a view that accepts a file: its body may be up to `max_bytes` (default
    MAX_CONTENT_LENGTH); every other request is limited to MAX_FORM_BYTES (a 10 MB comment is
    a 413, not a slow parse)."""

    def mark(function):
        function.allows_upload = True
        function.upload_limit = max_bytes
        return function

    return mark(view) if view is not None else mark


def init_security(app) -> None:
    if app.config.get("PROXY_FIX_HOPS"):
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    hsts = app.config.get("SESSION_COOKIE_SECURE")

    @app.before_request
    def _limit_body_size():
        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, "allows_upload", False):
            request.max_content_length = app.config["MAX_FORM_BYTES"]
        elif getattr(view, "upload_limit", None):
            request.max_content_length = view.upload_limit

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages that depend on who is signed in must not be stored by shared caches.
        if "Cache-Control" not in response.headers and response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-cache, private"
        return response
