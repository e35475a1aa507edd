"""Read-side queries of the catalogue: filters, counts and the visibility rule."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.permissions import is_admin
from portal.core.changes import committed_changes
from portal.core.versioned import LatestVersion
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.reform.cost import annual_cost_sql
from portal.regulations import vocab
from portal.regulations.citations import number_key
from portal.regulations.models import (
    DocumentRelation,
    Field,
    LegalBasis,
    LegalDocument,
    Regulation,
)
from portal.text import clean_text

MAX_FILTER_LENGTH = 120

# Allowed sort orders; "cost" (highest annual compliance cost first) is built per request
# because it depends on the hourly labour cost setting.
SORTS = {
    "code": (Regulation.code,),
    "title": (Regulation.title, Regulation.code),
    "recent": (Regulation.updated_at.desc(), Regulation.code),
    "cost": None,
}


def public_clause():
    """What a guest may see: published regulations only (drafts and abolished included)."""
    return Regulation.published.is_(True)


def visible_clause(viewer=None):
    """What `viewer` may see: published regulations for everyone; unpublished ones too for the
    staff of the owning ministry and for administrators."""
    if viewer is None:
        return public_clause()
    if is_admin(viewer):
        return true()
    if getattr(viewer, "is_staff", False):
        return or_(public_clause(), Regulation.ministry_id == viewer.ministry_id)
    return public_clause()


def regulation_change_marks() -> list:
    """Scalar subqueries that together change whenever a regulation is added, changed or
    removed, for caches keyed by the data: the count of committed changes (portal.core.changes;
    it follows commit order), the row count and the newest update time in each publication
    state. They read indexes only: SQLite counts `count(*)` from a b-tree without
    looking at rows (unlike `count(id)`), and each newest time is one seek in the
    (published, updated_at) index, where a plain max(updated_at) walks all of it."""
    newest = select(func.max(Regulation.updated_at))
    return [
        committed_changes(),
        select(func.count()).select_from(Regulation).scalar_subquery(),
        newest.where(Regulation.published.is_(True)).scalar_subquery(),
        newest.where(Regulation.published.is_(False)).scalar_subquery(),
    ]


def catalogue_change_marks() -> list:
    """`regulation_change_marks` and the same for legal documents and legal bases: together
    they change whenever anything decides which documents are public."""
    return [
        *regulation_change_marks(),
        select(func.count()).select_from(LegalDocument).scalar_subquery(),
        select(func.max(LegalDocument.updated_at)).scalar_subquery(),
        select(func.count()).select_from(LegalBasis).scalar_subquery(),
        select(func.max(LegalBasis.id)).scalar_subquery(),
    ]


_document_counts: LatestVersion[dict[tuple[str, int | None], int]] = LatestVersion()


def public_document_counts() -> dict[tuple[str, int | None], int]:
    """{(type, issuer id): number of public legal documents}, kept per catalogue version.

    Whether a document is public is a question about its regulations (`public_document_clause`)
    and costs an index probe per document: 8 ms for 11,686 documents at 20,000 regulations,
    asked by every page of the document lists for its total."""
    version = tuple(db.session.execute(select(*catalogue_change_marks())).one())

    def count() -> dict[tuple[str, int | None], int]:
        rows = db.session.execute(
            select(LegalDocument.doc_type, LegalDocument.issuer_id, func.count())
            .where(public_document_clause())
            .group_by(LegalDocument.doc_type, LegalDocument.issuer_id)
        )
        return {(doc_type, issuer): number for doc_type, issuer, number in rows}

    return _document_counts.get(version, count)


def sees_unpublished(viewer) -> bool:
    return is_admin(viewer) or bool(getattr(viewer, "is_staff", False))


def public_document_clause():
    """A legal document is public if it was entered with its title or a published regulation
    cites it; one known only from an unpublished regulation's legal basis is not."""
    cited = (
        select(LegalBasis.id)
        .join(Regulation, Regulation.id == LegalBasis.regulation_id)
        .where(LegalBasis.document_id == LegalDocument.id, public_clause())
        .exists()
    )
    return or_(LegalDocument.title != "", cited)


def document_regulation_count():
    """How many published regulations a legal document lays down (correlated, per row)."""
    return (
        select(func.count(func.distinct(LegalBasis.regulation_id)))
        .join(Regulation, Regulation.id == LegalBasis.regulation_id)
        .where(LegalBasis.document_id == LegalDocument.id, public_clause())
        .correlate(LegalDocument)
        .scalar_subquery()
    )


def public_field_clause():
    """A field is public once a published regulation belongs to it."""
    return select(Regulation.id).where(Regulation.field_id == Field.id, public_clause()).exists()


@dataclass
class RegulationFilters:
    kinds: list[str] = dataclass_field(default_factory=list)
    ministry: Ministry | None = None
    field: Field | None = None
    status: str | None = None
    document: LegalDocument | None = None
    # None: every regulation the viewer may see; True/False: only published/unpublished ones
    # (the choice is offered to staff and administrators, who may see unpublished ones).
    published: bool | None = None
    sort: str = "code"
    notices: list[str] = dataclass_field(default_factory=list)
    viewer: object = None

    @property
    def active(self) -> bool:
        return bool(
            self.kinds
            or self.ministry
            or self.field
            or self.status
            or self.document
            or self.published is not None
        )

    def args(self, **overrides) -> dict:
        """URL arguments for these filters (used by links and exports)."""
        values = {
            "kind": self.kinds,
            "ministry": self.ministry.code if self.ministry else None,
            "field": self.field.slug if self.field else None,
            "status": self.status,
            "document": self.document.number if self.document else None,
            "published": None if self.published is None else ("1" if self.published else "0"),
            "sort": self.sort if self.sort != "code" else None,
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value}


def _arg(args, name: str) -> str:
    return clean_text(args.get(name, ""), max_length=MAX_FILTER_LENGTH)


def parse_filters(args, viewer=None) -> RegulationFilters:
    """Read filters from request arguments; unknown values are dropped with a notice."""
    filters = RegulationFilters(viewer=viewer)
    for raw in args.getlist("kind")[:10]:
        value = clean_text(raw, max_length=MAX_FILTER_LENGTH)
        kind = vocab.parse_kind(value) if value else None
        if kind and kind not in filters.kinds:
            filters.kinds.append(kind)
        elif value and not kind:
            filters.notices.append(
                _("There is no regulation kind “%(value)s”; that filter was ignored.", value=value)
            )
    if value := _arg(args, "ministry"):
        filters.ministry = db.session.scalar(select(Ministry).where(Ministry.code == value.lower()))
        if filters.ministry is None:
            filters.notices.append(
                _(
                    "There is no ministry with the code “%(value)s”; that filter was ignored.",
                    value=value,
                )
            )
    if value := _arg(args, "field"):
        filters.field = db.session.scalar(
            select(Field).where(Field.slug == value.lower(), public_field_clause())
        )
        if filters.field is None:
            filters.notices.append(
                _("There is no field “%(value)s”; that filter was ignored.", value=value)
            )
    if value := _arg(args, "status"):
        filters.status = vocab.parse_status(value)
        if filters.status is None:
            filters.notices.append(
                _("There is no status “%(value)s”; that filter was ignored.", value=value)
            )
    if value := _arg(args, "document"):
        filters.document = db.session.scalar(
            select(LegalDocument).where(
                LegalDocument.number_key == number_key(value), public_document_clause()
            )
        )
        if filters.document is None:
            filters.notices.append(
                _(
                    "There is no legal document numbered “%(value)s” in the "
                    "catalogue; that filter was ignored.",
                    value=value,
                )
            )
    if value := _arg(args, "published"):
        flag = vocab.parse_flag(value)
        if flag is None:
            filters.notices.append(
                _("“%(value)s” is not a publication filter; it was ignored.", value=value)
            )
        elif flag or sees_unpublished(viewer):
            filters.published = flag
        else:
            filters.notices.append(
                _(
                    "Unpublished regulations are not shown to the public; "
                    "the list shows published regulations only."
                )
            )
    sort = _arg(args, "sort")
    if sort in SORTS:
        filters.sort = sort
    elif sort:
        filters.notices.append(
            _("Unknown sort order “%(value)s”; sorted by code instead.", value=sort)
        )
    return filters


def _apply(statement: Select, filters: RegulationFilters, skip: tuple[str, ...] = ()) -> Select:
    statement = statement.where(visible_clause(filters.viewer))
    if filters.published is not None:
        statement = statement.where(Regulation.published.is_(filters.published))
    if filters.kinds and "kind" not in skip:
        statement = statement.where(Regulation.kind.in_(filters.kinds))
    if filters.ministry:
        statement = statement.where(Regulation.ministry_id == filters.ministry.id)
    if filters.field:
        statement = statement.where(Regulation.field_id == filters.field.id)
    if filters.status and "status" not in skip:
        statement = statement.where(Regulation.status == filters.status)
    if filters.document:
        statement = statement.where(
            Regulation.id.in_(
                select(LegalBasis.regulation_id).where(
                    LegalBasis.document_id == filters.document.id
                )
            )
        )
    return statement


def regulation_list(filters: RegulationFilters) -> tuple[Select, Select]:
    """(rows statement, count statement) for the public list."""
    statement = _apply(select(Regulation), filters).options(
        joinedload(Regulation.ministry), joinedload(Regulation.field)
    )
    if filters.sort == "cost":
        cost = annual_cost_sql(Regulation)
        statement = statement.order_by(cost.desc().nulls_last(), Regulation.code)
    else:
        statement = statement.order_by(*SORTS[filters.sort])
    count = _apply(select(func.count(Regulation.id)), filters)
    return statement, count


@dataclass
class Facets:
    """The list's total and the filter panel's counts: per kind under every filter but the
    kind, per status under every filter but the status."""

    total: int
    kinds: dict[str, int]
    statuses: dict[str, int]


def facets(filters: RegulationFilters) -> Facets:
    """One grouped count by (kind, status) under the other filters gives the total and both
    facets, instead of a count and two grouped counts over the same rows."""
    statement = _apply(
        select(Regulation.kind, Regulation.status, func.count()),
        filters,
        skip=("kind", "status"),
    ).group_by(Regulation.kind, Regulation.status)
    result = Facets(total=0, kinds={}, statuses={})
    for kind, status, count in db.session.execute(statement):
        kind_matches = not filters.kinds or kind in filters.kinds
        status_matches = not filters.status or status == filters.status
        if status_matches:
            result.kinds[kind] = result.kinds.get(kind, 0) + count
        if kind_matches:
            result.statuses[status] = result.statuses.get(status, 0) + count
        if kind_matches and status_matches:
            result.total += count
    return result


def export_rows(filters: RegulationFilters):
    """Every regulation matching the filters, in file-format order, streamed in batches."""
    statement, _count = regulation_list(filters)
    statement = statement.options(
        selectinload(Regulation.bases).joinedload(LegalBasis.document)
    ).execution_options(yield_per=1000)
    yield from db.session.scalars(statement)


def get_public_regulation(code: str, viewer=None) -> Regulation | None:
    """A regulation `viewer` may see, by code (exact, then ignoring case)."""
    code = clean_text(code, max_length=80)
    statement = (
        select(Regulation)
        .where(visible_clause(viewer))
        .options(
            joinedload(Regulation.ministry),
            joinedload(Regulation.field),
            selectinload(Regulation.bases).joinedload(LegalBasis.document),
        )
    )
    regulation = db.session.scalar(statement.where(Regulation.code == code))
    if regulation is None:
        regulation = db.session.scalar(statement.where(func.lower(Regulation.code) == code.lower()))
    return regulation


def regulation_history(regulation: Regulation):
    """History events, oldest first, with their amending documents."""
    from portal.regulations.models import RegulationEvent

    return list(
        db.session.scalars(
            select(RegulationEvent)
            .where(RegulationEvent.regulation_id == regulation.id)
            .options(joinedload(RegulationEvent.document), joinedload(RegulationEvent.actor))
            .order_by(RegulationEvent.event_date, RegulationEvent.id)
        )
    )


def document_relations(document: LegalDocument) -> tuple[list, list]:
    """(relations where this document acts, relations where it is acted on)."""
    outgoing = list(
        db.session.scalars(
            select(DocumentRelation)
            .where(DocumentRelation.source_id == document.id)
            .options(joinedload(DocumentRelation.target))
        )
    )
    incoming = list(
        db.session.scalars(
            select(DocumentRelation)
            .where(DocumentRelation.target_id == document.id)
            .options(joinedload(DocumentRelation.source))
        )
    )
    return outgoing, incoming


def counts_by_kind(*conditions) -> dict[str, int]:
    """Published regulations per kind, under extra conditions."""
    statement = (
        select(Regulation.kind, func.count())
        .where(public_clause(), *conditions)
        .group_by(Regulation.kind)
    )
    return dict(db.session.execute(statement).all())


def unpublished_count(*conditions) -> int:
    """How many regulations are held back from publication (the public sees the number)."""
    return (
        db.session.scalar(
            select(func.count(Regulation.id)).where(Regulation.published.is_(False), *conditions)
        )
        or 0
    )


def cost_total(*conditions) -> tuple[float | None, int]:
    """(total annual cost in VND, regulations with cost data) of published in-force ones."""
    cost = annual_cost_sql(Regulation)
    total, covered = db.session.execute(
        select(func.sum(cost), func.count(Regulation.frequency * Regulation.subjects)).where(
            public_clause(), Regulation.status == "in_force", *conditions
        )
    ).one()
    return (float(total) if total is not None else None), covered


def cost_by_kind(*conditions) -> dict[str, tuple[float | None, int]]:
    """Per kind: (total annual cost in VND, regulations with cost data), in force, published."""
    cost = annual_cost_sql(Regulation)
    rows = db.session.execute(
        select(
            Regulation.kind,
            func.sum(cost),
            func.count(Regulation.frequency * Regulation.subjects),
        )
        .where(public_clause(), Regulation.status == "in_force", *conditions)
        .group_by(Regulation.kind)
    ).all()
    return {
        kind: (float(total) if total is not None else None, covered)
        for kind, total, covered in rows
    }
