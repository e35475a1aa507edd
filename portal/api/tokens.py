"""Personal API tokens: created and revoked on the account page, checked on every API request
that carries `Authorization: Bearer …`.

A token is shown once, when it is made; the database keeps only its SHA-256 digest (the token
is 256 random bits, so a plain digest cannot be reversed or guessed). A token acts with its
owner's rights at the time of use: if the owner leaves the ministry, is disabled or is no
longer staff, the token stops working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import request
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts.permissions import is_admin
from portal.api.core import ApiError
from portal.api.models import ApiToken
from portal.audit import services as audit
from portal.core.models import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.text import clean_text

TOKEN_PREFIX = "qdkd_"  # noqa: S105 (the visible prefix of every token, not a secret)
WRITE_SCOPE = "regulations:write"
MAX_ACTIVE_TOKENS = 10
EXPIRY_CHOICES = (30, 90, 365, 0)  # days; 0: never


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def may_hold_tokens(user) -> bool:
    """Ministry staff and administrators, with an active, verified account."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if not getattr(user, "is_verified", False):
        return False
    return is_admin(user) or (bool(getattr(user, "is_staff", False)) and user.ministry_id)


def tokens_of(user) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def create_token(user, name: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns it with its secret (the only time it is known)."""
    if not may_hold_tokens(user):
        raise RuleViolation(_("Only ministry staff and administrators can hold API tokens."))
    name = clean_text(name, max_length=80)
    if not name:
        raise RuleViolation(_("Give the token a name, e.g. the system that will use it."), "name")
    if days not in EXPIRY_CHOICES:
        raise RuleViolation(_("Choose how long the token stays valid."), "days")
    now = utcnow()
    active = db.session.scalar(
        select(func.count(ApiToken.id)).where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
        )
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise RuleViolation(
            _(
                "You already have %(limit)s valid tokens. Revoke one you no longer use first.",
                limit=MAX_ACTIVE_TOKENS,
            )
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=digest(secret),
        scopes=WRITE_SCOPE,
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.created",
        actor=user,
        target=token,
        target_type="api_token",
        target_label=f"{name} ({token.prefix}…)",
        ministry_id=user.ministry_id,
    )
    db.session.commit()
    return token, secret


def revoke_token(user, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise RuleViolation(_("That token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "api_token.revoked",
            actor=user,
            target=token,
            target_type="api_token",
            target_label=f"{token.name} ({token.prefix}…)",
            ministry_id=user.ministry_id,
        )
        db.session.commit()
    return token


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message)


def bearer_secret() -> str | None:
    """The token in the Authorization header, or None without one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _space, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return ""
    return value.strip()[:200]


_CACHE_KEY = "portal.api_token"


def current_token() -> ApiToken | None:
    """The valid token of this request, None without one; a bad one is a 401 (or a 403).
    Checked once per request (kept in the WSGI environ, which lives exactly as long as the
    request: `g` may outlive it when an app context is reused)."""
    environ = request.environ
    if _CACHE_KEY not in environ:
        secret = bearer_secret()
        environ[_CACHE_KEY] = _check(secret) if secret is not None else None
    token = environ[_CACHE_KEY]
    if isinstance(token, ApiError):
        raise token
    return token


def _check(secret: str):
    if not secret:
        return _unauthorized(_("Send the token as “Authorization: Bearer <token>”."))
    token = db.session.scalar(select(ApiToken).where(ApiToken.digest == digest(secret)))
    now = utcnow()
    if token is None:
        return _unauthorized(_("This API token is not known. Check that you copied all of it."))
    if token.revoked_at is not None:
        return _unauthorized(_("This API token was revoked."))
    if token.expires_at is not None and token.expires_at <= now:
        return _unauthorized(_("This API token has expired. Make a new one on your account page."))
    if not may_hold_tokens(token.user):
        return ApiError(
            403,
            "forbidden",
            _("The owner of this token is no longer ministry staff or an administrator."),
        )
    return token


def token_key() -> str | None:
    """A rate-limit key for a valid token, else None (the caller's address is used)."""
    try:
        token = current_token()
    except ApiError:
        return None
    return f"token:{token.id}" if token is not None else None


def require_scope(scope: str) -> ApiToken:
    token = current_token()
    if token is None:
        raise ApiError(
            401,
            "unauthorized",
            _(
                "Writing needs a personal API token: make one on your account page and send it "
                "as “Authorization: Bearer <token>”."
            ),
        )
    if scope not in token.scope_list:
        raise ApiError(403, "forbidden", _("This token may not write."))
    return token
