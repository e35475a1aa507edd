"""The records behind each indicator of a ministry's score, for its evidence pages."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from portal.consultation.models import (
    Answer,
    Comment,
    Consultation,
    DraftDocument,
    Plan,
    PlanItem,
    Rating,
)
from portal.extensions import db
from portal.reform.index import Window, _state_on
from portal.regulations.models import Regulation


def in_force_at_end(ministry_id: int, window: Window, published: bool | None):
    """T1: the ministry's regulations in force at the end of the period (a statement, for
    paging)."""
    state = _state_on(window.end)
    flag = db.func.coalesce(state.c.published, Regulation.published)
    statement = (
        select(Regulation)
        .join(state, state.c.regulation_id == Regulation.id)
        .where(
            state.c.rank == 1, state.c.status == "in_force", Regulation.ministry_id == ministry_id
        )
        .order_by(Regulation.code)
    )
    if published is not None:
        statement = statement.where(flag.is_(published))
    return statement


def drafts_and_plans(ministry_id: int, window: Window):
    """T2: drafts and plans created in the period, with their consultations."""
    items = []
    for model, key in ((DraftDocument, Consultation.draft_id), (Plan, Consultation.plan_id)):
        for subject in db.session.scalars(
            select(model).where(
                model.ministry_id == ministry_id,
                model.created_at >= window.start_at,
                model.created_at < window.end_at,
            )
        ):
            consultations = db.session.scalars(select(Consultation).where(key == subject.id)).all()
            items.append((subject, consultations))
    return items


def plan_items_done(ministry_id: int, window: Window):
    """R1, R2: plan items done in the period (a statement, for paging)."""
    return (
        select(PlanItem)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(
            Plan.ministry_id == ministry_id,
            PlanItem.done_on >= window.start,
            PlanItem.done_on <= window.end,
        )
        .options(
            joinedload(PlanItem.regulation),
            joinedload(PlanItem.plan),
            joinedload(PlanItem.done_document),
        )
        .order_by(PlanItem.done_on, PlanItem.id)
    )


def plan_items_due(ministry_id: int, window: Window):
    """R3: items of approved plans due by the end of the period, done or not (a statement)."""
    return (
        select(PlanItem)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(
            Plan.ministry_id == ministry_id,
            Plan.decision_date.is_not(None),
            Plan.decision_date <= window.end,
            PlanItem.due_date.is_not(None),
            PlanItem.due_date <= window.end,
        )
        .options(joinedload(PlanItem.regulation), joinedload(PlanItem.plan))
        .order_by(PlanItem.done_on.is_not(None), PlanItem.due_date, PlanItem.id)
    )


def plans_submitted(ministry_id: int):
    """R4: the ministry's plans with their submission dates."""
    return list(
        db.session.scalars(
            select(Plan).where(Plan.ministry_id == ministry_id).order_by(Plan.year.desc(), Plan.id)
        )
    )


def addressed_comments(ministry_id: int, window: Window):
    """S1, S2: comments and feedback due in the period or answered in it (a statement)."""
    due_in = and_(Comment.due_at >= window.start_at, Comment.due_at < window.end_at)
    answered_in = and_(Answer.created_at >= window.start_at, Answer.created_at < window.end_at)
    return (
        select(Comment)
        .outerjoin(Answer, Answer.comment_id == Comment.id)
        .where(
            Comment.ministry_id == ministry_id,
            Comment.parent_id.is_(None),
            Comment.status != "removed",
            or_(due_in, answered_in),
        )
        .options(
            joinedload(Comment.answer),
            joinedload(Comment.author),
            joinedload(Comment.consultation),
        )
        .order_by(Answer.id.is_not(None), Comment.due_at, Comment.id)
    )


def ratings(ministry_id: int, window: Window):
    """S3: ratings given in the period (a statement)."""
    return (
        select(Rating)
        .where(
            Rating.ministry_id == ministry_id,
            Rating.created_at >= window.start_at,
            Rating.created_at < window.end_at,
        )
        .options(joinedload(Rating.comment))
        .order_by(Rating.created_at.desc(), Rating.id)
    )
