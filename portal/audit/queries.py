"""Reading the audit log: filters from the URL, pages and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import ACTIONS
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.text import clean_text

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class AuditFilters:
    action: str = ""
    who: str = ""
    ministry: Ministry | None = None
    since: date | None = None
    until: date | None = None
    notices: list[str] | None = None

    def args(self) -> dict:
        values = {
            "action": self.action,
            "who": self.who,
            "ministry": self.ministry.code if self.ministry else "",
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


def _date(raw: str, notices: list[str]) -> date | None:
    raw = clean_text(raw, max_length=20)
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        notices.append(_("“%(value)s” is not a date such as 2026-11-30; ignored.", value=raw))
        return None
    if not 2000 <= value.year <= 2100:
        notices.append(_("“%(value)s” is out of range; ignored.", value=raw))
        return None
    return value


def parse_filters(args) -> AuditFilters:
    notices: list[str] = []
    filters = AuditFilters(notices=notices)
    action = clean_text(args.get("action", ""), max_length=48)
    if (
        action in ACTIONS
        or action.endswith(".*")
        and any(name.startswith(action[:-1]) for name in ACTIONS)
    ):
        filters.action = action
    elif action:
        notices.append(_("Unknown action “%(value)s”; ignored.", value=action))
    filters.who = clean_text(args.get("who", ""), max_length=120)
    code = clean_text(args.get("ministry", ""), max_length=32).lower()
    if code:
        filters.ministry = db.session.scalar(select(Ministry).where(Ministry.code == code))
        if filters.ministry is None:
            notices.append(
                _("There is no ministry with the code “%(value)s”; ignored.", value=code)
            )
    filters.since = _date(args.get("from", ""), notices)
    filters.until = _date(args.get("to", ""), notices)
    if filters.since and filters.until and filters.since > filters.until:
        notices.append(_("The start date is after the end date; the dates were swapped."))
        filters.since, filters.until = filters.until, filters.since
    return filters


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(ZoneInfo("UTC"))


def audit_query(filters: AuditFilters):
    """(rows, count) statements, newest first; dates are days in Asia/Ho_Chi_Minh."""
    conditions = []
    if filters.action.endswith(".*"):
        conditions.append(AuditEvent.action.startswith(filters.action[:-1]))
    elif filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.who:
        pattern = f"%{filters.who.lower()}%"
        actor_ids = select(User.id).where(
            or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern))
        )
        conditions.append(
            or_(
                AuditEvent.actor_id.in_(actor_ids),
                AuditEvent.subject_key.like(pattern),
                func.lower(AuditEvent.target_label).like(pattern),
            )
        )
    if filters.ministry:
        conditions.append(AuditEvent.ministry_id == filters.ministry.id)
    if filters.since:
        conditions.append(AuditEvent.created_at >= _local_midnight_utc(filters.since))
    if filters.until:
        conditions.append(
            AuditEvent.created_at < _local_midnight_utc(filters.until + timedelta(days=1))
        )
    rows = (
        select(AuditEvent)
        .where(*conditions)
        .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.ministry))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    count = select(func.count(AuditEvent.id)).where(*conditions)
    return rows, count


EXPORT_HEADER = (
    "id",
    "time (Asia/Ho_Chi_Minh)",
    "action",
    "actor",
    "subject",
    "target",
    "ministry",
    "ip",
    "detail",
)


def export_rows(filters: AuditFilters):
    rows, _count = audit_query(filters)
    for event in db.session.scalars(rows.execution_options(yield_per=1000)):
        yield (
            event.id,
            event.created_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S"),
            event.action,
            event.actor.email if event.actor else "",
            event.subject_key,
            f"{event.target_type}:{event.target_id or ''} {event.target_label}".strip(": "),
            event.ministry.code if event.ministry else "",
            event.ip,
            event.detail,
        )
