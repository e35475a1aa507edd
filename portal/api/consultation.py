"""/api/v1 consultation: consultations with their items, public comments and official answers,
and the plans to cut and simplify regulations."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.api import schemas, serializers
from portal.api.catalogue import bad_parameter, not_found
from portal.api.core import N_, Blueprint, decode_cursor, keyset_page
from portal.api.params import NoArgs, QuerySchema, choice, cursor, integer, limit, text
from portal.consultation import queries
from portal.consultation.models import (
    Answer,
    Comment,
    Consultation,
    DraftDocument,
    Plan,
    PlanItem,
)
from portal.consultation.vocab import PLAN_STATUS_CODES
from portal.core.models import utcnow
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations.models import Field

bp = Blueprint(
    "api_consultation",
    __name__,
    url_prefix="/api/v1",
    description=N_(
        "Consultations on drafts and on plans to cut regulations, their comments and the "
        "ministries' official answers; the plans themselves."
    ),
)


def _by_id(row) -> list:
    return [row.id]


def _ministry(code: str | None, name: str = "ministry") -> Ministry | None:
    if not code:
        return None
    found = db.session.scalar(select(Ministry).where(Ministry.code == code.lower()))
    if found is None:
        raise bad_parameter(name, _("There is no ministry with the code “%(value)s”.", value=code))
    return found


class ConsultationArgs(QuerySchema):
    state = choice(queries.STATES, N_("upcoming, open or closed (now, in Vietnam)."))
    subject = choice(("draft", "plan"), N_("What is consulted on: a draft or a plan."))
    ministry = text(N_("Code of the ministry that consults."), 32)
    field = text(N_("Slug of the field of the draft."), 160)
    limit = limit()
    cursor = cursor()


def _counts(ids: list[int]) -> dict[int, tuple[int, int]]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Comment.consultation_id, func.count(Comment.id), func.count(Answer.id))
        .outerjoin(Answer, Answer.comment_id == Comment.id)
        .where(Comment.consultation_id.in_(ids), Comment.parent_id.is_(None))
        .group_by(Comment.consultation_id)
    ).all()
    return {row[0]: (row[1], row[2]) for row in rows}


@bp.route("/consultations", methods=["GET"])
@bp.arguments(ConsultationArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ConsultationPage)
@bp.errors(400)
@bp.doc(
    summary=N_("List consultations"),
    description=N_("Consultations, newest first, with how many comments each has had answered."),
)
def consultations(limit: int, cursor: str | None = None, **args):
    now = utcnow()
    conditions = []
    if state := args.get("state"):
        conditions.append(queries._state_clause(state, now))
    if subject := args.get("subject"):
        column = Consultation.draft_id if subject == "draft" else Consultation.plan_id
        conditions.append(column.is_not(None))
    if ministry := _ministry(args.get("ministry")):
        conditions.append(Consultation.ministry_id == ministry.id)
    if slug := args.get("field"):
        field = db.session.scalar(select(Field).where(Field.slug == slug.lower()))
        if field is None:
            raise bad_parameter("field", _("There is no field “%(value)s”.", value=slug))
        conditions.append(
            Consultation.draft_id.in_(
                select(DraftDocument.id).where(DraftDocument.field_id == field.id)
            )
        )
    total = db.session.scalar(select(func.count(Consultation.id)).where(*conditions))
    last = decode_cursor(cursor, "-id")
    if last is not None:
        conditions.append(Consultation.id < int(last[0]))
    rows = db.session.scalars(
        select(Consultation)
        .where(*conditions)
        .options(joinedload(Consultation.ministry))
        .order_by(Consultation.id.desc())
        .limit(limit + 1)
    ).all()

    def serialize(page_rows):
        counts = _counts([c.id for c in page_rows])
        return [
            serializers.consultation_summary(c, counts.get(c.id, (0, 0)), now) for c in page_rows
        ]

    return keyset_page(rows, limit, total, "-id", serialize, _by_id)


def _consultation(consultation_id: int) -> Consultation:
    found = db.session.get(Consultation, consultation_id)
    if found is None:
        raise not_found(_("There is no consultation number %(id)s.", id=consultation_id))
    return found


@bp.route("/consultations/<int:consultation_id>", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ConsultationDetail)
@bp.errors(400, 404)
@bp.doc(
    summary=N_("One consultation"),
    description=N_(
        "A consultation with what it asks about (the draft's regulations or the plan's items), "
        "its files, and its comments counted by who sent them and by the answer given."
    ),
)
def consultation(consultation_id: int):
    found = _consultation(consultation_id)
    now = utcnow()
    data = serializers.consultation_summary(found, _counts([found.id]).get(found.id, (0, 0)), now)
    items = []
    if found.draft is not None:
        data["draft"] = {"title": found.draft.title, "doc_type": found.draft.doc_type}
        items = [
            {"regulation": serializers.regulation_ref(r), "action": None, "description": ""}
            for r in found.draft.regulations
            if r.published
        ]
    else:
        data["draft"] = None
    if found.plan is not None:
        items = [
            {
                "regulation": serializers.regulation_ref(item.regulation),
                "action": item.action,
                "description": item.description,
            }
            for item in found.plan.items
        ]
    data["items"] = items
    data["attachments"] = [
        {
            "filename": file.filename,
            "content_type": file.content_type,
            "size": file.size,
            "sha256": file.sha256,
            "url": serializers._url(
                "consultation.attachment", consultation_id=found.id, attachment_id=file.id
            ),
        }
        for file in found.attachments
    ]
    data["comments_url"] = serializers._url("api_consultation.comments", consultation_id=found.id)
    data["comments_by_category"] = queries.category_statistics(found)
    data["answers_by_outcome"] = queries.outcome_statistics(found)
    return data


class CommentArgs(QuerySchema):
    limit = limit()
    cursor = cursor()


@bp.route("/consultations/<int:consultation_id>/comments", methods=["GET"])
@bp.arguments(CommentArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.CommentPage)
@bp.errors(400, 404)
@bp.doc(
    summary=N_("Comments of a consultation"),
    description=N_(
        "Comments and replies, oldest first, each with its official answer. The text of a "
        "comment hidden while reports are reviewed, or removed by a moderator, is not given; "
        "the reason for a removal is."
    ),
)
def comments(consultation_id: int, limit: int, cursor: str | None = None):
    found = _consultation(consultation_id)
    conditions = [Comment.consultation_id == found.id]
    total = db.session.scalar(select(func.count(Comment.id)).where(*conditions))
    last = decode_cursor(cursor, "id")
    if last is not None:
        conditions.append(Comment.id > int(last[0]))
    rows = (
        db.session.scalars(
            select(Comment)
            .where(*conditions)
            .options(
                joinedload(Comment.author),
                joinedload(Comment.answer).joinedload(Answer.ministry),
                joinedload(Comment.regulation),
            )
            .order_by(Comment.id)
            .limit(limit + 1)
        )
        .unique()
        .all()
    )
    return keyset_page(
        rows,
        limit,
        total,
        "id",
        lambda page_rows: list(map(serializers.comment_data, page_rows)),
        _by_id,
    )


# ---------------------------------------------------------------------------- plans


class PlanArgs(QuerySchema):
    year = integer(N_("The year of the plan."), 2000, 2100)
    ministry = text(N_("Code of the ministry."), 32)
    status = choice(PLAN_STATUS_CODES, N_("Where the plan is in its lifecycle."))
    limit = limit()
    cursor = cursor()


@bp.route("/plans", methods=["GET"])
@bp.arguments(PlanArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.PlanPage)
@bp.errors(400)
@bp.doc(
    summary=N_("List plans to cut and simplify"),
    description=N_("Each ministry's yearly plans, newest first, with how many items are done."),
)
def plans(limit: int, cursor: str | None = None, **args):
    conditions = []
    if year := args.get("year"):
        conditions.append(Plan.year == year)
    if ministry := _ministry(args.get("ministry")):
        conditions.append(Plan.ministry_id == ministry.id)
    if status := args.get("status"):
        conditions.append(Plan.status == status)
    total = db.session.scalar(select(func.count(Plan.id)).where(*conditions))
    last = decode_cursor(cursor, "-id")
    if last is not None:
        conditions.append(Plan.id < int(last[0]))
    rows = db.session.scalars(
        select(Plan)
        .where(*conditions)
        .options(joinedload(Plan.ministry), selectinload(Plan.items))
        .order_by(Plan.id.desc())
        .limit(limit + 1)
    ).all()
    return keyset_page(
        rows,
        limit,
        total,
        "-id",
        lambda page_rows: list(map(serializers.plan_summary, page_rows)),
        _by_id,
    )


@bp.route("/plans/<int:plan_id>", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.PlanDetail)
@bp.errors(400, 404)
@bp.doc(
    summary=N_("One plan"),
    description=N_(
        "A plan with each item: the regulation, the action, its deadline, when it was done, "
        "and its yearly compliance cost before and after (standard cost model)."
    ),
)
def plan(plan_id: int):
    found = db.session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            joinedload(Plan.ministry),
            selectinload(Plan.items).joinedload(PlanItem.regulation),
        )
    )
    if found is None:
        raise not_found(_("There is no plan number %(id)s.", id=plan_id))
    rows = queries.plan_savings(found)
    data = serializers.plan_summary(found)
    data["summary"] = found.summary
    data["items"] = [serializers.plan_item_data(*row) for row in rows]
    savings = [row[3] for row in rows if row[3] is not None]
    data["saving_vnd"] = sum(savings) if savings else None
    data["consultations"] = [
        serializers._url("api_consultation.consultation", consultation_id=consultation_id)
        for consultation_id in db.session.scalars(
            select(Consultation.id).where(Consultation.plan_id == found.id)
        )
    ]
    return data
