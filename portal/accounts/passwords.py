"""Password policy and hashing (Werkzeug's scrypt: no 72-byte truncation, unlike bcrypt)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from portal.text import fold

MIN_LENGTH = 8
# Long enough for any passphrase (ASVS asks for at least 64), short enough that hashing a
# pasted novel cannot tie up a worker.
MAX_LENGTH = 1024
COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "reference" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and line[0] != "#")


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused, in the user's language, or None."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(count)s characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)s characters.", count=MAX_LENGTH)
    folded = fold(password)
    if folded in common_passwords() or len(set(password)) < 3:
        return _("This password is too common and easy to guess; choose another.")
    if email and folded == fold(email.split("@")[0]) or email and folded == fold(email):
        return _("The password must not be your e-mail address.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash or len(password) > MAX_LENGTH:
        return False
    return check_password_hash(password_hash, password)


# A hash to check against when the account does not exist, so that the answer takes as long.
_DUMMY: dict[str, str] = {}


def burn_time(password: str) -> None:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY:
        _DUMMY[method] = generate_password_hash("not-a-real-password", method=method)
    check_password_hash(_DUMMY[method], password[:MAX_LENGTH])
