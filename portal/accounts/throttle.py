"""Rate limits on sign-in, registration and e-mailed links, counted in the audit log.

The audit log lives in the database every web worker shares, so a limit holds however many
gunicorn workers (or servers) answer: no per-process memory to reset by hitting another worker.
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.core.models import utcnow
from portal.extensions import db

# name: (audit action, column counted, default limit, window in seconds)
RULES = {
    "sign_in_account": ("auth.sign_in_failed", "subject_key", 5, 900),
    "sign_in_ip": ("auth.sign_in_failed", "ip", 20, 900),
    "register_ip": ("account.registered", "ip", 5, 3600),
    # Every registration attempt, successful or not: the answer "this address already has an
    # account" would otherwise let anyone test addresses without limit.
    "register_attempt_ip": ("account.register_attempt", "ip", 20, 3600),
    "register_attempt_account": ("account.register_attempt", "subject_key", 5, 3600),
    "link_account": ("account.link_sent", "subject_key", 3, 3600),
    "link_ip": ("account.link_sent", "ip", 10, 3600),
}


def retry_after(*checks: tuple[str, str]) -> int | None:
    """Seconds to wait if any (rule, value) is over its limit, else None."""
    overrides = current_app.config.get("AUTH_LIMITS", {})
    now = utcnow()
    wait = 0
    for rule, value in checks:
        if not value:
            continue
        action, column, limit, window = RULES[rule]
        limit = overrides.get(rule, limit)
        since = now - timedelta(seconds=window)
        count, oldest = db.session.execute(
            select(func.count(AuditEvent.id), func.min(AuditEvent.created_at)).where(
                AuditEvent.action == action,
                getattr(AuditEvent, column) == value,
                AuditEvent.created_at >= since,
            )
        ).one()
        if count >= limit:
            wait = max(wait, math.ceil((oldest + timedelta(seconds=window) - now).total_seconds()))
    return max(wait, 1) if wait else None
