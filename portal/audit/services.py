"""Writing the audit log. Rows join the caller's transaction; the caller's service commits."""

from __future__ import annotations

import json
import logging

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.text import clean_text

logger = logging.getLogger("portal.audit")

ACTIONS = {
    "auth.sign_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "auth.sign_in_throttled": _l("Sign-in refused: too many attempts"),
    "auth.sign_out": _l("Signed out"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_reset": _l("Password reset"),
    "account.register_attempt": _l("Registration attempted"),
    "account.register_throttled": _l("Registration refused: too many attempts"),
    "account.registered": _l("Account registered"),
    "account.verified": _l("E-mail address verified"),
    "account.link_sent": _l("Verification or password-reset link sent"),
    "account.updated": _l("Profile updated"),
    "account.deleted": _l("Account deleted"),
    "user.created": _l("Account created by an administrator"),
    "user.role_changed": _l("Role changed"),
    "user.ministry_changed": _l("Ministry assigned"),
    "user.moderator_changed": _l("Moderator designation changed"),
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "regulation.created": _l("Regulation created"),
    "regulation.updated": _l("Regulation updated"),
    "regulation.published": _l("Regulation published"),
    "regulation.unpublished": _l("Regulation unpublished"),
    "regulation.abolished": _l("Regulation abolished"),
    "regulation.imported": _l("Regulations imported from a file"),
    "document.created": _l("Legal document created"),
    "document.updated": _l("Legal document updated"),
    "ministry.updated": _l("Ministry updated"),
    "field.updated": _l("Field updated"),
    "setting.changed": _l("Setting changed"),
    "methodology.changed": _l("Reform-index methodology changed"),
    "draft.created": _l("Draft legal document created"),
    "plan.created": _l("Plan created"),
    "plan.status_changed": _l("Plan status changed"),
    "plan.item_done": _l("Plan item implemented"),
    "consultation.opened": _l("Consultation opened"),
    "consultation.updated": _l("Consultation changed"),
    "answer.posted": _l("Official answer published"),
    "moderation.reported": _l("Comment reported"),
    "moderation.hidden": _l("Comment hidden after reports"),
    "moderation.approved": _l("Comment approved by a moderator"),
    "moderation.removed": _l("Comment removed by a moderator"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
}


def client_ip() -> str:
    """The client's address as the proxy set-up lets us see it (ProxyFix in production)."""
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def record(
    action: str,
    *,
    actor=None,
    target=None,
    target_type: str = "",
    target_label: str = "",
    ministry_id: int | None = None,
    subject_key: str = "",
    detail: str = "",
) -> AuditEvent:
    """Add one audit row to the current transaction and write one log line."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor_id = getattr(actor, "id", None)
    target_id = getattr(target, "id", None) if target is not None else None
    if target is not None and not target_type:
        target_type = type(target).__name__.lower()
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        target_label=clean_text(target_label, max_length=200),
        ministry_id=ministry_id,
        subject_key=clean_text(subject_key, max_length=254),
        ip=client_ip(),
        detail=clean_text(detail, multiline=True, max_length=4000),
    )
    db.session.add(event)
    # JSON keeps a payload with line breaks on one log line (no forged records).
    logger.info(
        "audit %s",
        json.dumps(
            {
                "action": action,
                "actor": actor_id,
                "target": f"{target_type}:{target_id}" if target_type else "",
                "label": event.target_label,
                "subject": event.subject_key,
                "ip": event.ip,
            },
            ensure_ascii=False,
        ),
    )
    return event
