"""What a ministry's staff need to see: counts and the backlog of work left to do."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.regulations.models import LegalBasis, LegalDocument, Regulation

# Why a regulation is incomplete: (code, label, SQL condition).
_NO_BASIS = ~select(LegalBasis.id).where(LegalBasis.regulation_id == Regulation.id).exists()
GAPS = (
    ("field", _l("no field"), Regulation.field_id.is_(None)),
    ("content", _l("no content"), Regulation.content == ""),
    (
        "cost",
        _l("no cost inputs"),
        and_(Regulation.kind.in_(("procedure", "report")), Regulation.frequency.is_(None)),
    ),
    ("basis", _l("no legal basis"), _NO_BASIS),
)
GAP_LABELS = {code: label for code, label, _condition in GAPS}
SHOW = ("backlog", "unpublished", "incomplete", "all")


def _incomplete():
    return or_(*(condition for _code, _label, condition in GAPS))


def ministry_counts(ministry_id: int) -> dict[str, int]:
    """Totals for the dashboard, in one query."""
    mine = Regulation.ministry_id == ministry_id
    row = db.session.execute(
        select(
            func.count(Regulation.id),
            func.sum(case((Regulation.published.is_(True), 1), else_=0)),
            func.sum(case((Regulation.published.is_(False), 1), else_=0)),
            func.sum(case((Regulation.status == "draft", 1), else_=0)),
            func.sum(case((Regulation.status == "abolished", 1), else_=0)),
            func.sum(case((_incomplete(), 1), else_=0)),
        ).where(mine)
    ).one()
    total, published, unpublished, drafts, abolished, incomplete = (value or 0 for value in row)
    return {
        "total": total,
        "published": published,
        "unpublished": unpublished,
        "drafts": drafts,
        "abolished": abolished,
        "incomplete": incomplete,
    }


def backlog(ministry_id: int, show: str):
    """(rows statement, count statement) of the ministry's regulations to work on."""
    conditions = [Regulation.ministry_id == ministry_id]
    if show == "unpublished":
        conditions.append(Regulation.published.is_(False))
    elif show == "incomplete":
        conditions.append(_incomplete())
    elif show == "backlog":
        conditions.append(or_(Regulation.published.is_(False), _incomplete()))
    gap_columns = [condition.label(f"gap_{code}") for code, _label, condition in GAPS]
    rows = (
        select(Regulation, *gap_columns)
        .where(*conditions)
        .options(joinedload(Regulation.field))
        .order_by(Regulation.published, Regulation.updated_at.desc(), Regulation.code)
    )
    count = select(func.count(Regulation.id)).where(*conditions)
    return rows, count


def gaps_of(row) -> list:
    return [GAP_LABELS[code] for code, _label, _c in GAPS if getattr(row, f"gap_{code}")]


def ministry_documents(ministry_id: int):
    rows = (
        select(LegalDocument)
        .where(LegalDocument.issuer_id == ministry_id)
        .order_by(LegalDocument.issued_date.desc().nulls_last(), LegalDocument.number)
    )
    count = select(func.count(LegalDocument.id)).where(LegalDocument.issuer_id == ministry_id)
    return rows, count


def field_names() -> list[str]:
    from portal.regulations.models import Field

    return list(db.session.scalars(select(Field.name_vi).order_by(Field.name_key)))


def document_relations(document_id: int):
    from portal.regulations.models import DocumentRelation

    return list(
        db.session.scalars(
            select(DocumentRelation)
            .where(DocumentRelation.source_id == document_id)
            .options(joinedload(DocumentRelation.target))
            .order_by(DocumentRelation.id)
        )
    )
