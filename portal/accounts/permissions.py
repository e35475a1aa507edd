"""Who may do what: pure predicates used by views, services and templates alike.

Every predicate takes the viewer first (a User or the Guest) and never raises. Templates reach
them through the `can` object of the context processor, so they never compare roles.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, redirect, request, url_for
from flask_login import current_user

from portal.core.models import utcnow

# A comment's author may correct it for this long after posting; then the text is fixed.
COMMENT_EDIT_WINDOW = timedelta(minutes=15)


def is_admin(user) -> bool:
    return bool(getattr(user, "is_admin", False))


def is_staff_of(user, ministry_id: int | None) -> bool:
    return (
        bool(getattr(user, "is_staff", False))
        and ministry_id is not None
        and (user.ministry_id == ministry_id)
    )


def can_see_unpublished(user, ministry_id: int | None) -> bool:
    """Unpublished regulations: staff of the owning ministry and administrators only."""
    return is_admin(user) or is_staff_of(user, ministry_id)


def can_see_regulation(user, regulation) -> bool:
    """A regulation's code and title, wherever it is named (plans, drafts, comments): published
    ones for everyone, unpublished ones as for the catalogue."""
    return regulation is not None and (
        regulation.published or can_see_unpublished(user, regulation.ministry_id)
    )


def can_use_workspace(user, ministry) -> bool:
    """The ministry workspace: its own staff, and administrators (the Government Office)."""
    return ministry is not None and (is_admin(user) or is_staff_of(user, ministry.id))


def can_edit_regulation(user, regulation) -> bool:
    return regulation is not None and (is_admin(user) or is_staff_of(user, regulation.ministry_id))


def can_edit_document(user, document) -> bool:
    """A legal document is kept by the ministry in charge of it (its issuer here)."""
    return document is not None and (is_admin(user) or is_staff_of(user, document.issuer_id))


def can_administer(user) -> bool:
    """Users, ministries, fields, settings, the audit log and the mail outbox."""
    return is_admin(user)


def can_moderate(user) -> bool:
    return is_admin(user) or (getattr(user, "is_staff", False) and user.is_moderator)


def can_answer(user, comment) -> bool:
    """The official answer to a comment or feedback: staff of the ministry that must answer, and
    administrators; replies are not answered officially."""
    return (
        comment is not None
        and comment.parent_id is None
        and (is_admin(user) or is_staff_of(user, comment.ministry_id))
    )


def can_edit_comment(user, comment, now: datetime | None = None) -> bool:
    """The author, within 15 minutes of posting, before the answer, while the consultation is
    open; never a removed comment."""
    if comment is None or getattr(user, "id", None) != comment.author_id:
        return False
    now = now or utcnow()
    return (
        comment.status != "removed"
        and comment.answer is None
        and now - comment.created_at <= COMMENT_EDIT_WINDOW
        and (comment.consultation is None or comment.consultation.state(now) == "open")
    )


def is_member(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "is_active", False)


class PermissionsForTemplates:
    """`can.edit_regulation(regulation)` in a template asks about the current user."""

    def __getattr__(self, name: str):
        predicate = globals().get(f"can_{name}")
        if predicate is None:
            raise AttributeError(name)
        return lambda *args: predicate(current_user, *args)


def require(allowed: bool):
    """Stop the request unless `allowed`: guests are sent to sign in, others get 403."""
    if allowed:
        return
    if not current_user.is_authenticated:
        abort(redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?"))))
    abort(403)
