"""Consultation use cases. Each checks its rules, changes the data, writes the audit log where
an official act is involved, and commits once; e-mail is queued in the same transaction."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.accounts.permissions import (
    COMMENT_EDIT_WINDOW,
    can_answer,
    can_edit_comment,
    can_moderate,
    is_admin,
    is_staff_of,
)
from portal.audit import services as audit
from portal.consultation import notifications, vocab
from portal.consultation.models import (
    Answer,
    Attachment,
    Comment,
    CommentReport,
    CommentRevision,
    Consultation,
    DraftDocument,
    Plan,
    PlanItem,
    Rating,
)
from portal.core.models import utcnow
from portal.core.settings import ANSWER_DUE_DAYS, CONSULTATION_MIN_DAYS, get_setting
from portal.errors import NotFound, PortalError, RuleViolation
from portal.extensions import db
from portal.i18n import format_day
from portal.mail.services import commit_and_deliver
from portal.ministries.models import Ministry
from portal.regulations.importer import RowValidator
from portal.regulations.models import Regulation
from portal.regulations.services import (
    LOCAL_TZ,
    DocumentResolver,
    FieldResolver,
    local_today,
    record_event,
)
from portal.regulations.vocab import DOCUMENT_TYPE_CODES
from portal.text import clean_text

logger = logging.getLogger(__name__)

MAX_COMMENT_LENGTH = 5000
MAX_REPORT_LENGTH = 1000
MAX_ANSWER_LENGTH = 10_000
EDIT_WINDOW = COMMENT_EDIT_WINDOW
REPORTS_TO_HIDE = 3
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# A DOCX is a zip: refuse one that would unpack to more than this, or too many entries.
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
DECISION_RE = re.compile(r"^\d{1,5}/QĐ-TTg$")


class NotAllowed(PortalError):
    """The person may not do this (views answer 403)."""


# ---------------------------------------------------------------------------- time


def local_midnight(day: date) -> datetime:
    """The first moment of a day in Vietnam, as an aware datetime (stored in UTC)."""
    return datetime.combine(day, time.min, LOCAL_TZ)


def window_for(opens_on: date, closes_on: date) -> tuple[datetime, datetime]:
    """Comments are accepted from 00:00 on the opening day to 23:59:59 on the closing day,
    Vietnam time."""
    return local_midnight(opens_on), local_midnight(closes_on + timedelta(days=1))


def answer_days() -> int:
    return int(get_setting(ANSWER_DUE_DAYS))


def min_days() -> int:
    return int(get_setting(CONSULTATION_MIN_DAYS))


# ---------------------------------------------------------------------------- drafts and plans


def _require_staff(actor, ministry_id: int) -> None:
    if not (is_admin(actor) or is_staff_of(actor, ministry_id)):
        raise NotAllowed("not staff of this ministry")


def create_draft(actor, ministry: Ministry, title: str, doc_type: str, summary: str, field: str):
    _require_staff(actor, ministry.id)
    title = clean_text(title, max_length=500)
    if not title:
        raise RuleViolation(_("Enter the draft's title."), "title")
    if doc_type not in DOCUMENT_TYPE_CODES:
        raise RuleViolation(_("Choose a document type from the list."), "doc_type")
    draft = DraftDocument(
        ministry_id=ministry.id,
        title=title,
        doc_type=doc_type,
        summary=clean_text(summary, multiline=True, max_length=20_000),
        field_id=FieldResolver().id_for(field) if clean_text(field) else None,
        created_by_id=actor.id,
    )
    db.session.add(draft)
    db.session.flush()
    audit.record(
        "draft.created",
        actor=actor,
        target=draft,
        target_type="draft",
        target_label=title,
        ministry_id=ministry.id,
    )
    db.session.commit()
    return draft


def attach_draft_regulation(actor, draft: DraftDocument, regulation: Regulation) -> None:
    """Link a draft regulation (created in the workspace) to its draft document."""
    _require_staff(actor, draft.ministry_id)
    if regulation.ministry_id != draft.ministry_id or regulation.status != "draft":
        raise RuleViolation(
            _("Only draft regulations of the same ministry can be part of a draft document."),
            "regulation",
        )
    regulation.draft_document_id = draft.id
    db.session.commit()


def create_plan(actor, ministry: Ministry, title: str, summary: str, year: int) -> Plan:
    _require_staff(actor, ministry.id)
    title = clean_text(title, max_length=500)
    if not title:
        raise RuleViolation(_("Enter the plan's title."), "title")
    if not 2020 <= year <= local_today().year + 1:
        raise RuleViolation(_("The plan's year must be between 2020 and next year."), "year")
    plan = Plan(
        ministry_id=ministry.id,
        title=title,
        summary=clean_text(summary, multiline=True, max_length=20_000),
        year=year,
        created_by_id=actor.id,
    )
    db.session.add(plan)
    db.session.flush()
    audit.record(
        "plan.created",
        actor=actor,
        target=plan,
        target_type="plan",
        target_label=title,
        ministry_id=ministry.id,
    )
    db.session.commit()
    return plan


def _cost_after(values: dict[str, str]) -> dict:
    errors: list[tuple[str, str]] = []
    parsed = RowValidator._costs(values, lambda column, message: errors.append((column, message)))
    if errors:
        column, message = errors[0]
        raise RuleViolation(message, f"{column}_after")
    return {f"{name}_after": value for name, value in parsed.items()}


def _inputs_before(regulation: Regulation) -> dict:
    return {
        "time_hours_before": regulation.time_hours,
        "cost_vnd_before": regulation.cost_vnd,
        "frequency_before": regulation.frequency,
        "subjects_before": regulation.subjects,
    }


def add_plan_item(
    actor,
    plan: Plan,
    regulation_code: str,
    action: str,
    description: str,
    cost_values: dict[str, str],
    due_date: date | None,
) -> PlanItem:
    """Add a regulation of the plan's ministry, with what the plan does to it."""
    _require_staff(actor, plan.ministry_id)
    if plan.status not in ("drafting", "consultation"):
        raise RuleViolation(
            _("Items can be added only while the plan is being drafted or consulted on."),
            "regulation",
        )
    if action not in vocab.ACTION_CODES:
        raise RuleViolation(_("Choose what the plan does to the regulation."), "action")
    code = clean_text(regulation_code, max_length=80)
    regulation = db.session.scalar(
        select(Regulation).where(func.lower(Regulation.code) == code.lower())
    )
    if regulation is None or regulation.ministry_id != plan.ministry_id:
        raise RuleViolation(
            _("There is no regulation %(code)s of this ministry.", code=code[:80]), "regulation"
        )
    if regulation.status != "in_force":
        raise RuleViolation(_("Only a regulation in force can be cut or simplified."), "regulation")
    if not regulation.published:
        raise RuleViolation(
            _(
                "Publish %(code)s before putting it in a plan: businesses can only comment on "
                "the regulations they can read.",
                code=regulation.code,
            ),
            "regulation",
        )
    if any(item.regulation_id == regulation.id for item in plan.items):
        raise RuleViolation(_("This regulation is already in the plan."), "regulation")
    after = {} if action == "abolish" else _cost_after(cost_values)
    item = PlanItem(
        plan=plan,
        regulation_id=regulation.id,
        action=action,
        **_inputs_before(regulation),
        description=clean_text(description, multiline=True, max_length=5000),
        due_date=due_date,
        position=len(plan.items),
        **after,
    )
    db.session.add(item)
    db.session.commit()
    return item


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def plan_consultations(plan: Plan) -> list[Consultation]:
    return list(
        db.session.scalars(
            select(Consultation).where(Consultation.plan_id == plan.id).order_by(Consultation.id)
        )
    )


def earliest_step_date(plan: Plan, status: str) -> date:
    """The first day a plan can take `status` on: not before the plan was created (its day in
    Vietnam), nor before the step it follows (the consultation's last day, the submission, the
    approval and the last item done)."""
    days = [_local_day(plan.created_at)] if plan.created_at else []
    if status == "submitted":
        days += [c.closes_on + timedelta(days=1) for c in plan_consultations(plan)]
    elif status == "approved":
        days.append(plan.submitted_on)
    elif status == "implemented":
        days += [plan.decision_date, *(item.done_on for item in plan.items)]
    known = [day for day in days if day is not None]
    return max(known) if known else local_today()


def _too_early(message: str, day: date) -> RuleViolation:
    """A step date refused for coming before `day`; `message` names the day as %(date)s."""
    return RuleViolation(message % {"date": format_day(day)}, "on")


def _check_step_date(plan: Plan, status: str, on: date, now: datetime) -> None:
    """The date a plan was submitted, approved or implemented cannot be back-dated before
    what came earlier (else a late plan could be dated before 30 September)."""
    if on > _local_day(now):
        raise RuleViolation(_("The date cannot be in the future."), "on")
    created = _local_day(plan.created_at) if plan.created_at else None
    if created and on < created:
        raise _too_early(
            _("The plan was created on %(date)s; this date cannot be earlier."), created
        )
    if status == "submitted":
        for consultation in plan_consultations(plan):
            state = consultation.state(now)
            if state != "closed":
                raise RuleViolation(
                    _(
                        "The consultation on this plan is open for comment until the end of "
                        "%(date)s: submit the plan once it has closed and the comments have "
                        "been considered.",
                        date=format_day(consultation.closes_on),
                    )
                    if state == "open"
                    else _(
                        "A consultation on this plan is scheduled from %(opens)s to %(closes)s: "
                        "submit the plan once it has closed.",
                        opens=format_day(consultation.opens_on),
                        closes=format_day(consultation.closes_on),
                    ),
                    "status",
                )
            if on <= consultation.closes_on:
                raise _too_early(
                    _(
                        "The consultation on this plan took comments until the end of "
                        "%(date)s; the plan cannot have been submitted before then."
                    ),
                    consultation.closes_on,
                )
    elif status == "approved":
        if plan.submitted_on and on < plan.submitted_on:
            raise _too_early(
                _("The plan was submitted on %(date)s; it cannot have been approved earlier."),
                plan.submitted_on,
            )
    elif status == "implemented":
        if plan.decision_date and on < plan.decision_date:
            raise _too_early(
                _("The plan was approved on %(date)s; it cannot have been implemented earlier."),
                plan.decision_date,
            )
        last_done = max((item.done_on for item in plan.items if item.done_on), default=None)
        if last_done and on < last_done:
            raise _too_early(
                _(
                    "The last item was done on %(date)s; the plan cannot have been implemented "
                    "earlier."
                ),
                last_done,
            )


def advance_plan(
    actor,
    plan: Plan,
    status: str,
    *,
    on: date | None = None,
    decision_number: str = "",
    now: datetime | None = None,
) -> None:
    """Move a plan along its lifecycle: drafting → consultation → submitted → approved
    (with the Prime Minister's decision) → implemented (when every item is done). Each date
    is checked against the calendar and the steps before it; followers of the ministry are
    told by e-mail."""
    _require_staff(actor, plan.ministry_id)
    if status not in vocab.PLAN_TRANSITIONS.get(plan.status, ()):
        raise RuleViolation(
            _(
                "A plan “%(current)s” cannot become “%(new)s”.",
                current=plan.status_term.label,
                new=vocab.term("plan_status", status).label,
            ),
            "status",
        )
    now = now or utcnow()
    on = on or _local_day(now)
    if status in ("submitted", "approved") and not plan.items:
        raise RuleViolation(_("A plan without items cannot be submitted."), "status")
    if status == "consultation":
        raise RuleViolation(
            _("Open a consultation on the plan to put it in consultation."), "status"
        )
    if status == "implemented" and any(item.done_on is None for item in plan.items):
        raise RuleViolation(_("Every item must be done before the plan is implemented."), "status")
    number = ""
    if status == "approved":
        # 1977/qd-ttg, 1977/QĐ-TTG and 1977/QD-TTg are all 1977/QĐ-TTg.
        number = clean_text(decision_number, max_length=40).upper().replace("QD-", "QĐ-")
        number = re.sub(r"TTG$", "TTg", number)
        if not DECISION_RE.match(number):
            raise RuleViolation(
                _("Enter the Prime Minister's decision number, such as 1977/QĐ-TTg."),
                "decision_number",
            )
    _check_step_date(plan, status, on, now)
    # Only one of two people moving the plan at once wins (one status change, one e-mail).
    previous = plan.status
    moved = db.session.execute(
        update(Plan)
        .where(Plan.id == plan.id, Plan.status == previous)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise RuleViolation(_("The plan was changed meanwhile; reload the page."), "status")
    plan.status = status
    if status == "submitted":
        plan.submitted_on = on
    elif status == "approved":
        plan.decision_number = number
        plan.decision_date = on
    elif status == "implemented":
        plan.implemented_on = on
    audit.record(
        "plan.status_changed",
        actor=actor,
        target=plan,
        target_type="plan",
        target_label=plan.title,
        ministry_id=plan.ministry_id,
        detail=f"{status} {on.isoformat()}",
    )
    notifications.plan_status_changed(plan)
    commit_and_deliver()


def complete_plan_item(actor, item: PlanItem, done_on: date, document_number: str) -> None:
    """Mark an approved plan's item done with the amending document; the regulation's status,
    cost and history change accordingly."""
    plan = item.plan
    _require_staff(actor, plan.ministry_id)
    if plan.status != "approved":
        raise RuleViolation(_("Only items of an approved plan can be done."), "done_on")
    if item.done_on is not None:
        raise RuleViolation(_("This item is already done."), "done_on")
    if done_on > local_today():
        raise RuleViolation(_("The date cannot be in the future."), "done_on")
    if plan.decision_date and done_on < plan.decision_date:
        raise RuleViolation(
            _(
                "An item cannot be done before the plan was approved (%(date)s).",
                date=format_day(plan.decision_date),
            ),
            "done_on",
        )
    number = clean_text(document_number, max_length=80)
    if not number:
        raise RuleViolation(_("Enter the number of the amending document."), "document_number")
    from portal.regulations.citations import parse_basis

    items, bad = parse_basis(number)
    if bad or len(items) != 1:
        raise RuleViolation(
            _("“%(value)s” is not a document number such as 168/2017/NĐ-CP.", value=number),
            "document_number",
        )
    document = DocumentResolver().get(items[0].number)
    regulation = item.regulation
    for name, value in _inputs_before(regulation).items():  # the cost the change removes
        setattr(item, name, value)
    if item.action == "abolish":
        record_event(
            regulation,
            "abolished",
            done_on,
            document=document,
            note=item.description,
            source="plan",
            actor_id=actor.id,
        )
    else:
        changes = {
            "time_hours": item.time_hours_after,
            "cost_vnd": item.cost_vnd_after,
            "frequency": item.frequency_after,
            "subjects": item.subjects_after,
        }
        kind = "simplified" if item.action == "simplify" else "amended"
        record_event(
            regulation,
            kind,
            done_on,
            document=document,
            note=item.description,
            changes=changes,
            source="plan",
            actor_id=actor.id,
        )
    regulation.updated_at = utcnow()
    item.done_on = done_on
    item.done_document_id = document.id
    audit.record(
        "plan.item_done",
        actor=actor,
        target=plan,
        target_type="plan",
        target_label=regulation.code,
        ministry_id=plan.ministry_id,
        detail=document.number,
    )
    db.session.commit()


# ---------------------------------------------------------------------------- consultations


def open_consultation(
    actor,
    *,
    draft: DraftDocument | None = None,
    plan: Plan | None = None,
    title: str,
    summary: str,
    opens_on: date,
    closes_on: date,
) -> Consultation:
    """Open a draft or a plan for comment between two days (Vietnam time), for at least the
    minimum number of days."""
    subject = draft or plan
    if subject is None or (draft is not None and plan is not None):
        raise RuleViolation(_("Choose a draft or a plan."), "subject")
    _require_staff(actor, subject.ministry_id)
    title = clean_text(title, max_length=500) or subject.title
    today = local_today()
    if opens_on < today:
        raise RuleViolation(_("A consultation cannot open in the past."), "opens_on")
    length = (closes_on - opens_on).days + 1
    if length < min_days():
        raise RuleViolation(
            _(
                "A consultation must last at least %(days)s days, the closing day included "
                "(this one lasts %(length)s).",
                days=min_days(),
                length=max(length, 0),
            ),
            "closes_on",
        )
    if plan is not None and plan.status not in ("drafting", "consultation"):
        raise RuleViolation(_("Only a plan being drafted can be opened for comment."), "subject")
    opens_at, closes_at = window_for(opens_on, closes_on)
    consultation = Consultation(
        length_days=length,
        ministry_id=subject.ministry_id,
        draft_id=draft.id if draft else None,
        plan_id=plan.id if plan else None,
        title=title,
        summary=clean_text(summary, multiline=True, max_length=20_000),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=actor.id,
    )
    db.session.add(consultation)
    if plan is not None:
        plan.status = "consultation"
    db.session.flush()
    audit.record(
        "consultation.opened",
        actor=actor,
        target=consultation,
        target_type="consultation",
        target_label=title,
        ministry_id=subject.ministry_id,
        detail=f"{opens_on.isoformat()} – {closes_on.isoformat()}",
    )
    # Followers hear of it the day it opens: now if that is today, else from
    # `flask consultations notify` (portal.consultation.notifications).
    notifications.consultation_opened(consultation)
    commit_and_deliver()
    return consultation


def update_consultation(
    actor,
    consultation: Consultation,
    *,
    title: str,
    summary: str,
    opens_on: date,
    closes_on: date,
    now: datetime | None = None,
) -> dict[str, tuple]:
    """Correct a consultation that has not closed: its title and summary; its opening day
    while it has not opened; its closing day — only later once it is open, since people plan
    their comments for the day announced. Followers are told what changed; the comments' answer
    due dates follow the closing day. Returns {what: (before, after)}."""
    _require_staff(actor, consultation.ministry_id)
    now = now or utcnow()
    state = consultation.state(now)
    if state == "closed":
        raise RuleViolation(_("A closed consultation cannot be changed: it is read-only."))
    subject = consultation.draft or consultation.plan
    title = clean_text(title, max_length=500) or subject.title
    summary = clean_text(summary, multiline=True, max_length=20_000)
    if not summary:
        raise RuleViolation(_("Summarise what you ask comments on."), "summary")
    today = _local_day(now)
    if opens_on != consultation.opens_on:
        if state == "open":
            raise RuleViolation(
                _(
                    "The consultation opened on %(date)s; its opening day cannot change.",
                    date=format_day(consultation.opens_on),
                ),
                "opens_on",
            )
        if opens_on < today:
            raise RuleViolation(_("A consultation cannot open in the past."), "opens_on")
    if state == "open" and closes_on < consultation.closes_on:
        raise RuleViolation(
            _(
                "An open consultation can be extended but not shortened: people plan their "
                "comments for the closing day announced, %(date)s.",
                date=format_day(consultation.closes_on),
            ),
            "closes_on",
        )
    length = (closes_on - opens_on).days + 1
    if length < min_days():
        raise RuleViolation(
            _(
                "A consultation must last at least %(days)s days, the closing day included "
                "(this one lasts %(length)s).",
                days=min_days(),
                length=max(length, 0),
            ),
            "closes_on",
        )
    changes: dict[str, tuple] = {}
    for name, before, after in (
        ("title", consultation.title, title),
        ("summary", consultation.summary, summary),
        ("opens_on", consultation.opens_on, opens_on),
        ("closes_on", consultation.closes_on, closes_on),
    ):
        if before != after:
            changes[name] = (before, after)
    if not changes:
        return changes
    consultation.title = title
    consultation.summary = summary
    consultation.opens_at, consultation.closes_at = window_for(opens_on, closes_on)
    consultation.length_days = length
    if "closes_on" in changes:
        db.session.execute(
            update(Comment)
            .where(Comment.consultation_id == consultation.id, Comment.parent_id.is_(None))
            .values(due_at=consultation.closes_at + timedelta(days=answer_days()))
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    audit.record(
        "consultation.updated",
        actor=actor,
        target=consultation,
        target_type="consultation",
        target_label=title,
        ministry_id=consultation.ministry_id,
        detail=", ".join(
            f"{name}: {before.isoformat()} → {after.isoformat()}"
            if isinstance(after, date)
            else name
            for name, (before, after) in changes.items()
        ),
    )
    # Moved to open today: the opening mail (with the new dates) is the news.
    if not notifications.consultation_opened(consultation, now):
        notifications.consultation_changed(consultation, changes)
    commit_and_deliver()
    return changes


ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def safe_filename(name: str) -> str:
    """The last path part, NFC, no control characters, at most 150 characters (the extension
    kept)."""
    name = clean_text(name.replace("\\", "/"), max_length=1000)
    name = PurePosixPath(name).name.strip(". ") or "tep"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[: 150 - len(ext) - 1] or "tep"
    return f"{stem}.{ext}" if ext else stem


def _check_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return False
            if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
                return False
            names = {entry.filename for entry in entries}
            return "[Content_Types].xml" in names and "word/document.xml" in names
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def add_attachment(actor, consultation: Consultation, filename: str, data: bytes) -> Attachment:
    """A PDF or DOCX, checked by its content (not only its name), at most 10 MB."""
    _require_staff(actor, consultation.ministry_id)
    name = safe_filename(filename)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise RuleViolation(_("Only PDF and DOCX files can be attached."), "file")
    if not data:
        raise RuleViolation(_("The file is empty."), "file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise RuleViolation(_("The file is larger than 10 MB."), "file")
    valid = data.startswith(b"%PDF-") if extension == ".pdf" else _check_docx(data)
    if not valid:
        raise RuleViolation(
            _("The file's content is not a %(type)s document.", type=extension[1:].upper()),
            "file",
        )
    attachment = Attachment(
        consultation=consultation,
        filename=name,
        content_type=ALLOWED_TYPES[extension],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    db.session.add(attachment)
    db.session.flush()
    notifications.attachment_added(consultation, attachment)
    commit_and_deliver()
    return attachment


# ---------------------------------------------------------------------------- comments


def _check_author(author) -> None:
    if not getattr(author, "is_authenticated", False) or not author.is_active:
        raise NotAllowed("sign in")
    if not author.is_verified:
        raise RuleViolation(
            _("Confirm your e-mail address before commenting: open the link we sent you."),
            "body",
        )


def _clean_body(body: str, field: str = "body", limit: int = MAX_COMMENT_LENGTH) -> str:
    text = clean_text(body, multiline=True)
    if not text:
        raise RuleViolation(_("Write your comment."), field)
    if len(text) > limit:
        raise RuleViolation(
            _(
                "Keep it to %(limit)s characters (this text has %(count)s).",
                limit=f"{limit:,}".replace(",", "."),
                count=f"{len(text):,}".replace(",", "."),
            ),
            field,
        )
    return text


def _existing(author, key: str) -> Comment | None:
    return db.session.scalar(
        select(Comment).where(Comment.author_id == author.id, Comment.idempotency_key == key)
    )


def _key(key: str) -> str:
    key = clean_text(key, max_length=64)
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", key):
        raise RuleViolation(_("The form is out of date; reload the page and try again."), "body")
    return key


def _save_new(comment: Comment, prefix: str) -> Comment:
    """Insert once: a second submit of the same form (same key) returns the first comment."""
    db.session.add(comment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _existing(comment.author, comment.idempotency_key)
        if existing is None:
            raise
        return existing
    comment.receipt = f"{prefix}-{local_today().year}-{comment.id:06d}"
    db.session.commit()
    return comment


def post_comment(
    author,
    consultation: Consultation,
    body: str,
    key: str,
    *,
    regulation_id: int | None = None,
    plan_item_id: int | None = None,
    parent: Comment | None = None,
    now: datetime | None = None,
) -> Comment:
    """A comment on the whole consultation, on one draft regulation or plan item, or a reply."""
    _check_author(author)
    key = _key(key)
    if (existing := _existing(author, key)) is not None:
        return existing
    now = now or utcnow()
    if consultation.state(now) != "open":
        raise RuleViolation(_("This consultation is not open for comment."), "body")
    text = _clean_body(body)
    if parent is not None:
        if parent.consultation_id != consultation.id or parent.status == "removed":
            raise RuleViolation(_("You can only reply to a comment of this consultation."), "body")
        parent = parent.parent or parent  # replies thread under the first comment
        regulation_id, plan_item_id = parent.regulation_id, parent.plan_item_id
    if plan_item_id is not None:
        item = db.session.get(PlanItem, plan_item_id)
        if item is None or item.plan_id != consultation.plan_id:
            raise RuleViolation(_("Choose an item of this plan."), "target")
        regulation_id = item.regulation_id
    elif regulation_id is not None:
        regulation = db.session.get(Regulation, regulation_id)
        if regulation is None or regulation.draft_document_id != consultation.draft_id:
            raise RuleViolation(_("Choose a regulation of this draft."), "target")
    comment = Comment(
        kind="comment",
        consultation_id=consultation.id,
        regulation_id=regulation_id,
        plan_item_id=plan_item_id,
        parent_id=parent.id if parent else None,
        ministry_id=consultation.ministry_id,
        author=author,
        author_id=author.id,
        author_category=author.member_type,
        body=text,
        idempotency_key=key,
        due_at=None if parent else consultation.closes_at + timedelta(days=answer_days()),
    )
    return _save_new(comment, "GY")


def post_feedback(author, regulation: Regulation, body: str, key: str) -> Comment:
    """Feedback on a regulation in force (phản ánh, kiến nghị), to the owning ministry."""
    _check_author(author)
    key = _key(key)
    if (existing := _existing(author, key)) is not None:
        return existing
    if not regulation.published or regulation.status != "in_force":
        raise RuleViolation(_("Feedback can be raised on published regulations in force."), "body")
    text = _clean_body(body)
    now = utcnow()
    comment = Comment(
        kind="feedback",
        regulation_id=regulation.id,
        ministry_id=regulation.ministry_id,
        author=author,
        author_id=author.id,
        author_category=author.member_type,
        body=text,
        idempotency_key=key,
        created_at=now,
        updated_at=now,
        due_at=now + timedelta(days=answer_days()),
    )
    return _save_new(comment, "PA")


# The predicates live in portal.accounts.permissions (one place for views, services and
# templates); these names stay for the callers that imported them from here.
can_edit = can_edit_comment


def edit_comment(author, comment: Comment, body: str, now: datetime | None = None) -> None:
    """The author may correct a comment for 15 minutes; the earlier text is kept (and shown).

    A moderator's approval was of the old text: once the text changes the comment is moderated
    like any other again, so the reports it has count (at three it is hidden for review)."""
    if getattr(author, "id", None) != comment.author_id:
        raise NotAllowed("not the author")
    if not can_edit(author, comment, now):
        raise RuleViolation(
            _("A comment can be edited only in the first 15 minutes, before it is answered."),
            "body",
        )
    text = _clean_body(body)
    if text == comment.body:
        return
    db.session.add(CommentRevision(comment_id=comment.id, body=comment.body))
    comment.body = text
    comment.edited_at = utcnow()
    if comment.approved:
        comment.approved = False
        if comment.status == "visible" and comment.report_count >= REPORTS_TO_HIDE:
            comment.status = "hidden"
            audit.record(
                "moderation.hidden",
                target=comment,
                target_type="comment",
                target_label=comment.receipt or "",
                ministry_id=comment.ministry_id,
                detail=f"{comment.report_count} reports; edited after approval",
            )
    db.session.commit()


def report_comment(reporter, comment: Comment, reason: str) -> bool:
    """Report a comment; at three reports it is hidden until a moderator reviews it.
    Returns False if this person had already reported it."""
    if not getattr(reporter, "is_authenticated", False) or not reporter.is_active:
        raise NotAllowed("sign in")
    if reporter.id == comment.author_id:
        raise RuleViolation(_("You cannot report your own comment."), "reason")
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise RuleViolation(_("Say why the comment breaks the moderation policy."), "reason")
    if len(reason) > MAX_REPORT_LENGTH:
        raise RuleViolation(_("Keep the reason to 1.000 characters."), "reason")
    if comment.status == "removed":
        return False
    db.session.add(CommentReport(comment_id=comment.id, reporter_id=reporter.id, reason=reason))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    comment.report_count = (
        db.session.scalar(
            select(func.count(CommentReport.id)).where(CommentReport.comment_id == comment.id)
        )
        or 0
    )
    audit.record(
        "moderation.reported",
        actor=reporter,
        target=comment,
        target_type="comment",
        target_label=comment.receipt or "",
        ministry_id=comment.ministry_id,
        detail=reason,
    )
    if (
        comment.report_count >= REPORTS_TO_HIDE
        and comment.status == "visible"
        and not comment.approved
    ):
        comment.status = "hidden"
        audit.record(
            "moderation.hidden",
            target=comment,
            target_type="comment",
            target_label=comment.receipt or "",
            ministry_id=comment.ministry_id,
            detail=f"{comment.report_count} reports",
        )
    db.session.commit()
    return True


def moderate_comment(moderator, comment: Comment, decision: str, reason: str) -> None:
    """Approve (shown again, no longer hidden by reports) or remove (a public placeholder
    stays; replies are kept), with a reason, in the audit log."""
    if not can_moderate(moderator):
        raise NotAllowed("not a moderator")
    reason = clean_text(reason, multiline=True, max_length=2000)
    if decision not in ("approve", "remove"):
        raise RuleViolation(_("Choose approve or remove."), "decision")
    if decision == "remove" and not reason:
        raise RuleViolation(_("Give the reason for removing the comment."), "reason")
    comment.status = "visible" if decision == "approve" else "removed"
    comment.approved = decision == "approve"
    comment.moderation_reason = reason
    comment.moderated_by_id = moderator.id
    comment.moderated_at = utcnow()
    audit.record(
        "moderation.approved" if decision == "approve" else "moderation.removed",
        actor=moderator,
        target=comment,
        target_type="comment",
        target_label=comment.receipt or "",
        ministry_id=comment.ministry_id,
        detail=reason,
    )
    db.session.commit()


def answer_comment(staff, comment: Comment, outcome: str, body: str) -> Answer:
    """The owning ministry's one official answer, with its outcome; a comment not accepted
    must say why."""
    if not can_answer(staff, comment):
        raise NotAllowed("not staff of the owning ministry")
    if comment.status == "removed":
        raise RuleViolation(_("A removed comment is not answered."), "body")
    if comment.answer is not None:
        raise RuleViolation(_("This comment already has an official answer."), "body")
    if outcome not in vocab.OUTCOME_CODES:
        raise RuleViolation(_("Choose the outcome."), "outcome")
    text = clean_text(body, multiline=True)
    if not text:
        message = (
            _("Explain why the comment is not accepted.")
            if outcome == "not_accepted"
            else _("Write the answer.")
        )
        raise RuleViolation(message, "body")
    if len(text) > MAX_ANSWER_LENGTH:
        raise RuleViolation(_("Keep the answer to 10.000 characters."), "body")
    answer = Answer(
        comment=comment,
        ministry_id=comment.ministry_id,
        author_id=staff.id,
        outcome=outcome,
        body=text,
    )
    db.session.add(answer)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation(_("This comment already has an official answer."), "body") from None
    audit.record(
        "answer.posted",
        actor=staff,
        target=comment,
        target_type="comment",
        target_label=comment.receipt or "",
        ministry_id=comment.ministry_id,
        detail=outcome,
    )
    notifications.comment_answered(comment, answer)
    commit_and_deliver()
    return answer


def rate_answer(author, comment: Comment, score: int, remark: str = "") -> Rating:
    """The comment's author rates the answer it received, once."""
    if getattr(author, "id", None) != comment.author_id:
        raise NotAllowed("not the author")
    if comment.answer is None:
        raise RuleViolation(_("There is no answer to rate yet."), "score")
    if comment.rating is not None:
        raise RuleViolation(_("You have already rated this answer."), "score")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise RuleViolation(_("Choose from 1 to 5 stars."), "score")
    rating = Rating(
        comment=comment,
        ministry_id=comment.ministry_id,
        rater_id=author.id,
        score=score,
        remark=clean_text(remark, multiline=True, max_length=1000),
    )
    db.session.add(rating)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation(_("You have already rated this answer."), "score") from None
    return rating


def get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    return comment


def author_of(comment: Comment) -> User:
    return comment.author


# ---------------------------------------------------------------------------- following


def stop_following(user, targets) -> int:
    """Stop following these (type, id) pairs, from the signed link in a follow mail (no
    sign-in: the link is the proof). Returns how many follows were removed."""
    from portal.consultation.models import Follow

    conditions = [
        (Follow.target_type == kind) & (Follow.target_id == target_id)
        for kind, target_id in targets
        if kind in vocab.FOLLOW_TARGETS
    ]
    if not conditions:
        return 0
    removed = db.session.execute(
        delete(Follow).where(Follow.user_id == user.id, or_(*conditions))
    ).rowcount
    db.session.commit()
    return removed


def set_following(user, target_type: str, target_id: int, follow: bool) -> bool:
    """Follow or stop following a ministry, a field or a consultation; True if it changed."""
    from portal.consultation.models import Follow

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotAllowed("sign in")
    if target_type not in vocab.FOLLOW_TARGETS:
        raise RuleViolation(_("This cannot be followed."), "target")
    existing = db.session.scalar(
        select(Follow).where(
            Follow.user_id == user.id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )
    if follow and existing is None:
        db.session.add(Follow(user_id=user.id, target_type=target_type, target_id=target_id))
    elif not follow and existing is not None:
        db.session.delete(existing)
    else:
        return False
    try:
        db.session.commit()
    except IntegrityError:  # followed twice at once
        db.session.rollback()
        return False
    return True
