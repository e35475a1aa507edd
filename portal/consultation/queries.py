"""Read-side queries of the consultation: lists, threads, statistics, queues, reports."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.roles import MEMBER_TYPE_CODES
from portal.consultation.models import (
    Answer,
    Comment,
    Consultation,
    DraftDocument,
    Follow,
    Plan,
    PlanItem,
    Rating,
)
from portal.core.models import utcnow
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.reform.cost import annual_cost, hourly_rate
from portal.regulations.models import Field, Regulation
from portal.text import clean_text

STATES = ("open", "upcoming", "closed")


@dataclass
class ConsultationFilters:
    state: str | None = None
    ministry: Ministry | None = None
    field: Field | None = None
    kind: str | None = None
    notices: list[str] = dataclass_field(default_factory=list)

    def args(self, **changes) -> dict:
        values = {
            "state": self.state,
            "ministry": self.ministry.code if self.ministry else None,
            "field": self.field.slug if self.field else None,
            "kind": self.kind,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.state or self.ministry or self.field or self.kind)


def parse_filters(args) -> ConsultationFilters:
    filters = ConsultationFilters()
    state = clean_text(args.get("state", ""), max_length=20)
    if state in STATES:
        filters.state = state
    elif state:
        filters.notices.append(_("Unknown state “%(value)s”; ignored.", value=state))
    kind = clean_text(args.get("kind", ""), max_length=20)
    if kind in ("draft", "plan"):
        filters.kind = kind
    elif kind:
        filters.notices.append(_("Unknown kind “%(value)s”; ignored.", value=kind))
    code = clean_text(args.get("ministry", ""), max_length=32).lower()
    if code:
        filters.ministry = db.session.scalar(select(Ministry).where(Ministry.code == code))
        if filters.ministry is None:
            filters.notices.append(
                _("There is no ministry with the code “%(value)s”; ignored.", value=code)
            )
    slug = clean_text(args.get("field", ""), max_length=160).lower()
    if slug:
        filters.field = db.session.scalar(select(Field).where(Field.slug == slug))
        if filters.field is None:
            filters.notices.append(
                _("There is no field “%(value)s”; that filter was ignored.", value=slug)
            )
    return filters


def _state_clause(state: str, now: datetime):
    if state == "upcoming":
        return Consultation.opens_at > now
    if state == "open":
        return and_(Consultation.opens_at <= now, Consultation.closes_at > now)
    return Consultation.closes_at <= now


def _apply(statement, filters: ConsultationFilters, now: datetime, skip: str | None = None):
    if filters.state and skip != "state":
        statement = statement.where(_state_clause(filters.state, now))
    if filters.ministry and skip != "ministry":
        statement = statement.where(Consultation.ministry_id == filters.ministry.id)
    if filters.kind and skip != "kind":
        statement = statement.where(
            Consultation.draft_id.is_not(None)
            if filters.kind == "draft"
            else Consultation.plan_id.is_not(None)
        )
    if filters.field and skip != "field":
        statement = statement.where(
            Consultation.draft_id.in_(
                select(DraftDocument.id).where(DraftDocument.field_id == filters.field.id)
            )
        )
    return statement


def consultation_list(filters: ConsultationFilters, now: datetime | None = None):
    """(rows, count) — open ones first (closing soonest), then upcoming, then closed."""
    now = now or utcnow()
    order = case((Consultation.opens_at > now, 1), (Consultation.closes_at > now, 0), else_=2)
    rows = _apply(
        select(Consultation).options(
            joinedload(Consultation.ministry),
            joinedload(Consultation.draft),
            joinedload(Consultation.plan),
        ),
        filters,
        now,
    ).order_by(
        order,
        case((Consultation.closes_at > now, Consultation.closes_at)),
        Consultation.closes_at.desc(),
    )
    count = _apply(select(func.count(Consultation.id)), filters, now)
    return rows, count


def state_counts(filters: ConsultationFilters, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    state = case(
        (Consultation.opens_at > now, "upcoming"),
        (Consultation.closes_at > now, "open"),
        else_="closed",
    )
    statement = _apply(select(state, func.count()), filters, now, skip="state").group_by(state)
    return dict(db.session.execute(statement).all())


def comment_counts(consultation_ids) -> dict[int, int]:
    if not consultation_ids:
        return {}
    return dict(
        db.session.execute(
            select(Comment.consultation_id, func.count())
            .where(Comment.consultation_id.in_(consultation_ids), Comment.parent_id.is_(None))
            .group_by(Comment.consultation_id)
        ).all()
    )


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment]


def threads(consultation: Consultation) -> list[Thread]:
    """Top-level comments oldest first, each with its replies, answers and ratings loaded."""
    comments = (
        db.session.scalars(
            select(Comment)
            .where(Comment.consultation_id == consultation.id)
            .options(
                joinedload(Comment.author),
                joinedload(Comment.answer).joinedload(Answer.author),
                joinedload(Comment.rating),
                joinedload(Comment.regulation),
                selectinload(Comment.revisions),
            )
            .order_by(Comment.created_at, Comment.id)
        )
        .unique()
        .all()
    )
    replies: dict[int, list[Comment]] = {}
    roots = []
    for comment in comments:
        if comment.parent_id is None:
            roots.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [Thread(root, replies.get(root.id, [])) for root in roots]


def category_statistics(consultation: Consultation) -> dict[str, int]:
    """Comments (not replies) by who their authors spoke for; removed ones not counted."""
    rows = db.session.execute(
        select(Comment.author_category, func.count())
        .where(
            Comment.consultation_id == consultation.id,
            Comment.parent_id.is_(None),
            Comment.status != "removed",
        )
        .group_by(Comment.author_category)
    ).all()
    counts = dict.fromkeys(MEMBER_TYPE_CODES, 0)
    counts.update(dict(rows))
    return counts


def outcome_statistics(consultation: Consultation) -> dict[str, int]:
    rows = db.session.execute(
        select(Answer.outcome, func.count())
        .join(Comment, Comment.id == Answer.comment_id)
        .where(Comment.consultation_id == consultation.id)
        .group_by(Answer.outcome)
    ).all()
    return dict(rows)


def plan_savings(plan: Plan, rate: float | None = None):
    """(item, cost before, cost after, saving) per item, from the standard cost model. The
    cost before is the one recorded when the item was added (or done), so the saving stays
    known once the regulation carries its new cost."""
    rate = hourly_rate() if rate is None else rate
    rows = []
    for item in plan.items:
        if item.frequency_before is not None or item.subjects_before is not None:
            before = annual_cost(
                item.time_hours_before,
                item.cost_vnd_before,
                item.frequency_before,
                item.subjects_before,
                rate,
            )
        else:
            regulation = item.regulation
            before = annual_cost(
                regulation.time_hours,
                regulation.cost_vnd,
                regulation.frequency,
                regulation.subjects,
                rate,
            )
        if item.action == "abolish":
            after = 0.0 if before is not None else None
        else:
            after = annual_cost(
                item.time_hours_after,
                item.cost_vnd_after,
                item.frequency_after,
                item.subjects_after,
                rate,
            )
        saving = before - after if before is not None and after is not None else None
        rows.append((item, before, after, saving))
    return rows


def answer_queue(ministry_id: int, show: str = "open"):
    """The ministry's comments and feedback awaiting an answer, soonest due first."""
    conditions = [
        Comment.ministry_id == ministry_id,
        Comment.parent_id.is_(None),
        Comment.status != "removed",
    ]
    if show == "open":
        conditions.append(~select(Answer.id).where(Answer.comment_id == Comment.id).exists())
    elif show == "overdue":
        conditions.append(~select(Answer.id).where(Answer.comment_id == Comment.id).exists())
        conditions.append(Comment.due_at < utcnow())
    rows = (
        select(Comment)
        .where(*conditions)
        .options(
            joinedload(Comment.author),
            joinedload(Comment.consultation),
            joinedload(Comment.regulation),
            joinedload(Comment.answer),
        )
        .order_by(Comment.due_at.nulls_last(), Comment.id)
    )
    count = select(func.count(Comment.id)).where(*conditions)
    return rows, count


@dataclass
class AnswerStats:
    received: int
    answered: int
    overdue: int
    median_days: float | None
    mean_rating: float | None
    ratings: int

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.received if self.received else None


def answer_stats(ministry_id: int | None = None) -> AnswerStats:
    """Comments and feedback addressed to a ministry (or to all): answered, overdue, the median
    time to answer, and the mean rating of its answers."""
    now = utcnow()
    conditions = [Comment.parent_id.is_(None), Comment.status != "removed"]
    if ministry_id is not None:
        conditions.append(Comment.ministry_id == ministry_id)
    received, answered, overdue = db.session.execute(
        select(
            func.count(Comment.id),
            func.count(Answer.id),
            func.sum(case((and_(Answer.id.is_(None), Comment.due_at < now), 1), else_=0)),
        )
        .outerjoin(Answer, Answer.comment_id == Comment.id)
        .where(*conditions)
    ).one()
    durations = [
        (answered_at - created_at).total_seconds() / 86400
        for created_at, answered_at in db.session.execute(
            select(Comment.created_at, Answer.created_at)
            .join(Answer, Answer.comment_id == Comment.id)
            .where(*conditions)
        )
    ]
    rating_conditions = [Rating.ministry_id == ministry_id] if ministry_id is not None else []
    mean, count = db.session.execute(
        select(func.avg(Rating.score), func.count(Rating.id)).where(*rating_conditions)
    ).one()
    return AnswerStats(
        received=received or 0,
        answered=answered or 0,
        overdue=overdue or 0,
        median_days=statistics.median(durations) if durations else None,
        mean_rating=float(mean) if mean is not None else None,
        ratings=count or 0,
    )


def ratings_by_ministry() -> dict[int, tuple[float, int]]:
    return {
        ministry_id: (float(mean), count)
        for ministry_id, mean, count in db.session.execute(
            select(Rating.ministry_id, func.avg(Rating.score), func.count(Rating.id)).group_by(
                Rating.ministry_id
            )
        )
    }


def moderation_queue():
    """Hidden comments first, then visible ones with reports, newest report first."""
    return (
        select(Comment)
        .where(
            or_(
                Comment.status == "hidden",
                and_(
                    Comment.report_count > 0,
                    Comment.status == "visible",
                    Comment.approved.is_(False),
                ),
            )
        )
        .options(joinedload(Comment.author), joinedload(Comment.consultation))
        .order_by(case((Comment.status == "hidden", 0), else_=1), Comment.updated_at.desc())
    )


def summary_rows(consultation: Consultation):
    """The table of comments, outcomes and explanations (bảng tổng hợp, tiếp thu, giải trình)."""
    from portal.accounts.roles import MEMBER_TYPE_LABELS, MemberType

    for thread in threads(consultation):
        comment = thread.comment
        answer = comment.answer
        if comment.status == "removed":
            body = _("[Removed by a moderator: %(reason)s]", reason=comment.moderation_reason)
        elif comment.status == "hidden":
            body = _("[Hidden pending review]")
        else:
            body = comment.body
        yield (
            comment.receipt,
            comment.created_at.astimezone(_tz()).strftime("%Y-%m-%d %H:%M"),
            comment.author.public_name,
            str(MEMBER_TYPE_LABELS[MemberType(comment.author_category)]),
            comment.regulation.code if comment.regulation else "",
            body,
            str(answer.outcome_term.label) if answer else "",
            answer.body if answer else "",
            answer.created_at.astimezone(_tz()).strftime("%Y-%m-%d") if answer else "",
            comment.rating.score if comment.rating else "",
        )


def _tz():
    from portal.consultation.models import LOCAL_TZ

    return LOCAL_TZ


def plans_list(year: int | None = None, ministry_id: int | None = None):
    statement = select(Plan).options(joinedload(Plan.ministry), selectinload(Plan.items))
    if year:
        statement = statement.where(Plan.year == year)
    if ministry_id:
        statement = statement.where(Plan.ministry_id == ministry_id)
    return list(db.session.scalars(statement.order_by(Plan.year.desc(), Plan.ministry_id, Plan.id)))


def late_ministries(year: int):
    """Ministries without a plan submitted on or before 30 September of `year`."""
    from datetime import date

    deadline = date(year, 9, 30)
    on_time = select(Plan.ministry_id).where(
        Plan.year == year, Plan.submitted_on.is_not(None), Plan.submitted_on <= deadline
    )
    return list(
        db.session.scalars(
            select(Ministry).where(Ministry.id.not_in(on_time)).order_by(Ministry.sort_order)
        )
    )


def follows_of(user) -> set[tuple[str, int]]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {
        (kind, target)
        for kind, target in db.session.execute(
            select(Follow.target_type, Follow.target_id).where(Follow.user_id == user.id)
        )
    }


def feedback_on(regulation: Regulation):
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.kind == "feedback", Comment.regulation_id == regulation.id)
            .options(
                joinedload(Comment.author), joinedload(Comment.answer), joinedload(Comment.rating)
            )
            .order_by(Comment.created_at.desc())
        ).unique()
    )


def open_consultations(limit: int = 5):
    now = utcnow()
    return list(
        db.session.scalars(
            select(Consultation)
            .where(Consultation.opens_at <= now, Consultation.closes_at > now)
            .options(joinedload(Consultation.ministry))
            .order_by(Consultation.closes_at)
            .limit(limit)
        )
    )


def recent_answers(limit: int = 5, ministry_id: int | None = None):
    statement = (
        select(Answer)
        .join(Comment, Comment.id == Answer.comment_id)
        .where(Comment.status == "visible")
        .options(
            joinedload(Answer.comment).joinedload(Comment.consultation), joinedload(Answer.ministry)
        )
        .order_by(Answer.created_at.desc())
        .limit(limit)
    )
    if ministry_id:
        statement = statement.where(Answer.ministry_id == ministry_id)
    return list(db.session.scalars(statement))


def plan_items_of(regulation: Regulation) -> list[PlanItem]:
    """The plans that cut or simplify this regulation."""
    return list(
        db.session.scalars(
            select(PlanItem)
            .where(PlanItem.regulation_id == regulation.id)
            .options(joinedload(PlanItem.plan).joinedload(Plan.ministry))
            .order_by(PlanItem.id)
        )
    )


def ministry_consultations(ministry_id: int, limit: int = 10) -> list[Consultation]:
    return list(
        db.session.scalars(
            select(Consultation)
            .where(Consultation.ministry_id == ministry_id)
            .order_by(Consultation.closes_at.desc())
            .limit(limit)
        )
    )


def followed_items(user, only=None) -> list[tuple[str, object]]:
    """(target type, object) for everything a member follows (of `only`, (type, id) pairs,
    when given), for their account page and the page that stops follow mail."""
    models = {"ministry": Ministry, "field": Field, "consultation": Consultation}
    items = []
    followed = follows_of(user)
    if only is not None:
        followed &= set(only)
    for kind, target_id in sorted(followed):
        target = db.session.get(models[kind], target_id)
        if target is not None:
            items.append((kind, target))
    return items


def answers_by_ministry() -> dict[int, tuple[int, int, int]]:
    """Per ministry: (comments and feedback received, answered, overdue), in one query."""
    now = utcnow()
    rows = db.session.execute(
        select(
            Comment.ministry_id,
            func.count(Comment.id),
            func.count(Answer.id),
            func.sum(case((and_(Answer.id.is_(None), Comment.due_at < now), 1), else_=0)),
        )
        .outerjoin(Answer, Answer.comment_id == Comment.id)
        .where(Comment.parent_id.is_(None), Comment.status != "removed")
        .group_by(Comment.ministry_id)
    ).all()
    return {
        ministry_id: (received, answered, overdue or 0)
        for ministry_id, received, answered, overdue in rows
    }
