"""Who is told what, through the mail outbox (queued in the caller's transaction).

Changes someone makes (an answer, an edit, an attachment, a plan's next step) are announced by
the service that makes them, in its transaction. Changes that come with time — a scheduled
consultation opens, a consultation closes — happen without anyone acting:
`flask consultations notify` (run from cron every few minutes) announces them. Each
consultation keeps a sent-marker per announcement, claimed by a compare-and-set UPDATE in the
same transaction as the mails, so running the command twice, or on two servers at once, or
racing the last answer, mails nobody twice.

Every mail is rendered in its recipient's language and ends with why it was sent and a link to
the page where one stops following.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import User
from portal.accounts.tokens import unfollow_token
from portal.consultation.models import (
    Answer,
    Attachment,
    Comment,
    Consultation,
    Follow,
    Plan,
)
from portal.core.models import utcnow
from portal.extensions import db
from portal.mail.services import external_url, queue_mail

logger = logging.getLogger(__name__)


def _followers(*targets: tuple[str, int | None]) -> list[User]:
    conditions = [
        (Follow.target_type == kind) & (Follow.target_id == target_id)
        for kind, target_id in targets
        if target_id is not None
    ]
    if not conditions:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(Follow, Follow.user_id == User.id)
            .where(
                or_(*conditions),
                User.active.is_(True),
                User.deleted_at.is_(None),
                User.email_verified_at.is_not(None),
            )
            .distinct()
            .order_by(User.id)
        )
    )


def _send(kind: str, people, template: str, reason: str, targets=(), **context) -> int:
    """One mail per person, in their language, with the follow-settings link and, for a mail
    sent because of what they follow (`targets`, (type, id) pairs), a link that stops it
    without signing in."""
    settings_link = external_url("accounts.profile", _anchor="following")
    targets = [(kind_, ident) for kind_, ident in targets if ident is not None]
    for person in people:
        stop_link = None
        if targets:
            stop_link = external_url(
                "consultation.stop_following", token=unfollow_token(person, targets)
            )
        queue_mail(
            kind,
            person.email,
            template,
            person.locale,
            user=person,
            reason=reason,
            settings_link=settings_link,
            stop_link=stop_link,
            **context,
        )
    return len(people)


def _link(consultation: Consultation) -> str:
    return external_url("consultation.detail", consultation_id=consultation.id)


def _to_followers(kind: str, consultation: Consultation, **context) -> int:
    """Mail `kind` (also its template) to the followers of a consultation."""
    return _send(
        kind,
        _followers(("consultation", consultation.id)),
        kind,
        "consultation",
        targets=[("consultation", consultation.id)],
        consultation=consultation,
        link=_link(consultation),
        **context,
    )


def _summary_link(consultation: Consultation) -> str:
    return external_url("consultation.summary", consultation_id=consultation.id)


def _claim(consultation: Consultation, marker: str, now: datetime) -> bool:
    """Take one announcement of one consultation; False if it was already made."""
    column = getattr(Consultation, marker)
    result = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation.id, column.is_(None))
        # A marker is not a change of the consultation: its updated_at stays.
        .values({marker: now, "updated_at": Consultation.updated_at})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(consultation, marker, now)
    return True


def _answer_counts(consultation: Consultation) -> tuple[int, int]:
    """(comments to answer, answered): top-level comments, removed ones not counted."""
    received, answered = db.session.execute(
        select(func.count(Comment.id), func.count(Answer.id))
        .outerjoin(Answer, Answer.comment_id == Comment.id)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.parent_id.is_(None),
            Comment.status != "removed",
        )
    ).one()
    return received or 0, answered or 0


# ---------------------------------------------------------------------------- consultations


def consultation_opened(consultation: Consultation, now: datetime | None = None) -> int:
    """Once it is open for comment (not when it is scheduled): followers of the ministry, of
    the draft's field and of the consultation itself."""
    now = now or utcnow()
    if consultation.state(now) != "open" or not _claim(consultation, "opening_notified_at", now):
        return 0
    targets = [
        ("ministry", consultation.ministry_id),
        ("field", consultation.field_id),
        ("consultation", consultation.id),
    ]
    return _send(
        "consultation_opened",
        _followers(*targets),
        "consultation_opened",
        "ministry_or_field",
        targets=targets,
        consultation=consultation,
        link=_link(consultation),
    )


def consultation_closed(consultation: Consultation, now: datetime | None = None) -> int:
    """Once it has closed: its followers hear how many comments came and when the answers are
    due — or that every comment is answered already (then no separate report mail follows)."""
    now = now or utcnow()
    if consultation.state(now) != "closed" or not _claim(consultation, "closing_notified_at", now):
        return 0
    received, answered = _answer_counts(consultation)
    complete = received == answered
    if complete:  # nothing left to announce later
        _claim(consultation, "report_notified_at", now)
    return _to_followers(
        "consultation_closed",
        consultation,
        received=received,
        answered=answered,
        complete=complete,
        due_on=consultation.closes_at + timedelta(days=_answer_days()),
        summary_link=_summary_link(consultation),
    )


def _report_due(consultation: Consultation, now: datetime) -> int:
    """How many comments a closed consultation, announced as closed, received if every one of
    them has its answer; 0 if its summary is not complete or already announced."""
    if consultation.state(now) != "closed" or consultation.closing_notified_at is None:
        return 0
    if consultation.report_notified_at is not None:
        return 0
    received, answered = _answer_counts(consultation)
    return received if received == answered else 0


def report_completed(consultation: Consultation, now: datetime | None = None) -> int:
    """Every comment of a closed consultation has its answer: the summary is complete."""
    now = now or utcnow()
    received = _report_due(consultation, now)
    if not received or not _claim(consultation, "report_notified_at", now):
        return 0
    return _to_followers(
        "consultation_report",
        consultation,
        received=received,
        summary_link=_summary_link(consultation),
    )


def consultation_changed(consultation: Consultation, changes: dict[str, tuple]) -> int:
    """Its title, summary or dates were edited: `changes` maps each to (before, after)."""
    if not changes:
        return 0
    return _to_followers(
        "consultation_changed",
        consultation,
        changes=changes,
    )


def attachment_added(consultation: Consultation, attachment: Attachment) -> int:
    return _to_followers(
        "consultation_attachment",
        consultation,
        attachment=attachment,
        file_link=external_url(
            "consultation.attachment",
            consultation_id=consultation.id,
            attachment_id=attachment.id,
        ),
    )


def _has_unanswered():
    """The consultation has a comment still waiting for its official answer (correlated)."""
    return (
        select(Comment.id)
        .outerjoin(Answer, Answer.comment_id == Comment.id)
        .where(
            Comment.consultation_id == Consultation.id,
            Comment.parent_id.is_(None),
            Comment.status != "removed",
            Answer.id.is_(None),
        )
        .exists()
    )


def send_due(now: datetime | None = None) -> dict[str, int]:
    """Announce what time has brought since the last run (openings, closings, completed
    reports); one transaction per consultation. Returns the mails queued per kind."""
    now = now or utcnow()
    sent = {"opened": 0, "closed": 0, "report": 0}
    due = db.session.scalars(
        select(Consultation)
        .where(
            or_(
                and_(Consultation.opening_notified_at.is_(None), Consultation.opens_at <= now),
                and_(Consultation.closing_notified_at.is_(None), Consultation.closes_at <= now),
                and_(
                    Consultation.report_notified_at.is_(None),
                    Consultation.closes_at <= now,
                    ~_has_unanswered(),
                ),
            )
        )
        .order_by(Consultation.id)
    ).all()
    ids = [consultation.id for consultation in due]
    db.session.commit()  # a write transaction per consultation, not one for all of them
    for consultation_id in ids:
        consultation = db.session.get(Consultation, consultation_id)
        if consultation.opening_notified_at is None and consultation.state(now) != "upcoming":
            if consultation.state(now) == "open":
                sent["opened"] += consultation_opened(consultation, now)
            else:  # it opened and closed unseen: its closing is the news
                _claim(consultation, "opening_notified_at", now)
        if consultation.state(now) == "closed":
            if consultation.closing_notified_at is None:
                sent["closed"] += consultation_closed(consultation, now)
            else:
                sent["report"] += report_completed(consultation, now)
        db.session.commit()
    return sent


def _answer_days() -> int:
    from portal.consultation.services import answer_days

    return answer_days()


# ---------------------------------------------------------------------------- answers


def comment_answered(comment: Comment, answer: Answer, now: datetime | None = None) -> int:
    """The author hears of the answer to their comment. The consultation's followers hear of
    it too — in one mail saying the summary is complete when this was the last answer of a
    closed consultation."""
    now = now or utcnow()
    if comment.consultation_id:
        link = external_url(
            "consultation.detail",
            consultation_id=comment.consultation_id,
            _anchor=f"comment-{comment.id}",
        )
    else:
        link = external_url("consultation.feedback_detail", comment_id=comment.id)
    consultation = comment.consultation
    followers = _followers(("consultation", comment.consultation_id))
    author = comment.author
    sent = 0
    if author is not None and author.is_active and author.deleted_at is None:
        sent += _send(
            "comment_answered",
            [author],
            "comment_answered",
            "own",
            comment=comment,
            answer=answer,
            link=link,
            own=True,
        )
    others = [person for person in followers if person.id != comment.author_id]
    received = _report_due(consultation, now) if consultation is not None else 0
    if received and _claim(consultation, "report_notified_at", now):
        return sent + _send(
            "consultation_report",
            others,
            "consultation_report",
            "consultation",
            targets=[("consultation", consultation.id)],
            consultation=consultation,
            received=received,
            last_answer=answer,
            link=_link(consultation),
            summary_link=_summary_link(consultation),
        )
    return sent + _send(
        "comment_answered",
        others,
        "comment_answered",
        "consultation",
        targets=[("consultation", comment.consultation_id)],
        comment=comment,
        answer=answer,
        link=link,
        own=False,
    )


# ---------------------------------------------------------------------------- plans


def plan_status_changed(plan: Plan) -> int:
    """A ministry's plan was submitted, approved or implemented: the ministry's followers."""
    if plan.status not in ("submitted", "approved", "implemented"):
        return 0
    return _send(
        f"plan_{plan.status}",
        _followers(("ministry", plan.ministry_id)),
        "plan_status",
        "ministry",
        targets=[("ministry", plan.ministry_id)],
        plan=plan,
        ministry=plan.ministry,
        link=external_url("consultation.plan", plan_id=plan.id),
    )
