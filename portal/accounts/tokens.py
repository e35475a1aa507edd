"""Signed, expiring links for e-mail verification, password reset and stopping follow mail."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 3600
# A follow mail may be read months after it came; the link stops what that mail was about.
UNFOLLOW_MAX_AGE = 365 * 24 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def verification_token(user) -> str:
    """Valid while the account keeps the e-mail address it was sent to."""
    return _serializer("verify-email").dumps({"u": user.id, "e": _fingerprint(user.email)})


def reset_token(user) -> str:
    """Single use: setting the new password changes the fingerprint."""
    return _serializer("reset-password").dumps(
        {"u": user.id, "f": _fingerprint(user.password_hash)}
    )


def unfollow_token(user, targets) -> str:
    """Stops following `targets` ((type, id) pairs) without signing in; valid while the
    account keeps the e-mail address the mail went to."""
    return _serializer("unfollow").dumps(
        {
            "u": user.id,
            "e": _fingerprint(user.email),
            "t": [[kind, ident] for kind, ident in targets],
        }
    )


class TokenInvalid(Exception):
    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token[:500], max_age=max_age)
    except SignatureExpired as error:
        raise TokenInvalid(expired=True) from error
    except BadSignature as error:
        raise TokenInvalid(expired=False) from error
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise TokenInvalid(expired=False)
    return data


def check_verification_token(token: str, user_loader):
    data = _load("verify-email", token, VERIFY_MAX_AGE)
    user = user_loader(data["u"])
    if user is None or data.get("e") != _fingerprint(user.email):
        raise TokenInvalid(expired=False)
    return user


def check_reset_token(token: str, user_loader):
    data = _load("reset-password", token, RESET_MAX_AGE)
    user = user_loader(data["u"])
    if user is None or data.get("f") != _fingerprint(user.password_hash):
        raise TokenInvalid(expired=False)
    return user


def check_unfollow_token(token: str, user_loader) -> tuple:
    """(user, [(type, id), …]) for a valid link."""
    data = _load("unfollow", token, UNFOLLOW_MAX_AGE)
    user = user_loader(data["u"])
    targets = data.get("t")
    if user is None or data.get("e") != _fingerprint(user.email) or not isinstance(targets, list):
        raise TokenInvalid(expired=False)
    pairs = []
    for item in targets[:10]:
        if not (isinstance(item, list) and len(item) == 2):
            raise TokenInvalid(expired=False)
        kind, ident = item
        if not isinstance(kind, str) or not isinstance(ident, int):
            raise TokenInvalid(expired=False)
        pairs.append((kind, ident))
    return user, pairs
