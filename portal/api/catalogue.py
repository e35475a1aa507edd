"""/api/v1 catalogue: regulations, legal documents, ministries and fields (read-only)."""

from __future__ import annotations

from bisect import bisect_right

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.api import schemas, serializers
from portal.api.core import N_, ApiError, Blueprint, decode_cursor, keyset_page, page
from portal.api.params import NoArgs, QuerySchema, choice, choices, cursor, limit, text
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.reform.cost import hourly_rate
from portal.regulations import queries, vocab
from portal.regulations.citations import number_key
from portal.regulations.models import Field, LegalBasis, LegalDocument, Regulation
from portal.text import clean_text

bp = Blueprint(
    "api_catalogue",
    __name__,
    url_prefix="/api/v1",
    description=N_("Regulations in force and in draft, their legal documents, ministries, fields."),
)

REGULATION_ORDERS = ("code", "title", "recent", "relevance")


def bad_parameter(name: str, message: str, code: str = "invalid_parameter"):
    return ApiError(
        400,
        "invalid_parameter",
        message,
        [{"parameter": name, "location": "query", "code": code, "message": message}],
    )


class RegulationArgs(QuerySchema):
    kind = choices(vocab.KIND_CODES, N_("Kind of regulation; repeat to ask for several."))
    ministry = text(N_("Code of the ministry in charge, e.g. bct."), 32)
    field = text(N_("Slug of a field (see /api/v1/fields)."), 160)
    status = choice(vocab.STATUS_CODES, N_("Status."))
    document = text(N_("Number of the legal document it is laid down in, e.g. 15/2018/NĐ-CP."), 80)
    q = text(
        N_(
            "Full-text search, Vietnamese with or without accents, abbreviations and legal "
            "citations (as on the search page). Long queries are cut to 200 characters and 16 "
            "words, with a notice."
        ),
        1000,
    )
    sort = choice(
        REGULATION_ORDERS,
        N_("Order: code (default), title, recent (last changed first) or relevance (with q)."),
    )
    limit = limit()
    cursor = cursor()


def _filters(args) -> dict:
    found = {"kinds": tuple(dict.fromkeys(args.get("kind") or ())), "status": args.get("status")}
    if code := args.get("ministry"):
        found["ministry"] = db.session.scalar(select(Ministry).where(Ministry.code == code.lower()))
        if found["ministry"] is None:
            raise bad_parameter(
                "ministry", _("There is no ministry with the code “%(value)s”.", value=code)
            )
    if slug := args.get("field"):
        found["field"] = db.session.scalar(
            select(Field).where(Field.slug == slug.lower(), queries.public_field_clause())
        )
        if found["field"] is None:
            raise bad_parameter("field", _("There is no field “%(value)s”.", value=slug))
    if number := args.get("document"):
        found["document"] = db.session.scalar(
            select(LegalDocument).where(
                LegalDocument.number_key == number_key(number), queries.public_document_clause()
            )
        )
        if found["document"] is None:
            raise bad_parameter(
                "document",
                _(
                    "There is no legal document numbered “%(value)s” in the catalogue.",
                    value=number,
                ),
            )
    return found


def _where(statement, found: dict):
    statement = statement.where(queries.public_clause())
    if found["kinds"]:
        statement = statement.where(Regulation.kind.in_(found["kinds"]))
    if found.get("ministry"):
        statement = statement.where(Regulation.ministry_id == found["ministry"].id)
    if found.get("field"):
        statement = statement.where(Regulation.field_id == found["field"].id)
    if found["status"]:
        statement = statement.where(Regulation.status == found["status"])
    if found.get("document"):
        statement = statement.where(Regulation.id.in_(_document_regulations(found["document"])))
    return statement


def _document_regulations(document: LegalDocument):
    return select(LegalBasis.regulation_id).where(LegalBasis.document_id == document.id)


def _load(statement):
    return statement.options(
        joinedload(Regulation.ministry),
        joinedload(Regulation.field),
        selectinload(Regulation.bases).joinedload(LegalBasis.document),
    )


_KEYSET = {
    "code": lambda last: Regulation.code > last[0],
    "title": lambda last: or_(
        Regulation.title > last[0], and_(Regulation.title == last[0], Regulation.code > last[1])
    ),
    "recent": lambda last: or_(
        Regulation.updated_at < last[0],
        and_(Regulation.updated_at == last[0], Regulation.code > last[1]),
    ),
}
_ORDER = {
    "code": (Regulation.code,),
    "title": (Regulation.title, Regulation.code),
    "recent": (Regulation.updated_at.desc(), Regulation.code),
}
_KEY = {
    "code": lambda r: [r.code],
    "title": lambda r: [r.title, r.code],
    "recent": lambda r: [r.updated_at, r.code],
}


@bp.route("/regulations", methods=["GET"])
@bp.arguments(RegulationArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.RegulationPage)
@bp.errors(400, 429)
@bp.doc(
    summary=N_("List regulations"),
    description=N_(
        "Published regulations with the filters of the catalogue page, combined; with `q`, "
        "those that match the search, best first. Every page says the total and links to the "
        "next one; there is no limit on how far you can page."
    ),
)
def regulations(limit: int, cursor: str | None = None, **args):
    found = _filters(args)
    q = args.get("q") or ""
    order = args.get("sort") or ("relevance" if q else "code")
    if order == "relevance" and not q:
        raise bad_parameter("sort", _("Sorting by relevance needs a search text in “q”."))
    rate = hourly_rate()
    last = decode_cursor(cursor, order)
    if q:
        return _searched(q, order, found, last, limit, rate)
    statement = _where(select(Regulation), found)
    total = db.session.scalar(_where(select(func.count(Regulation.id)), found))
    if last is not None:
        statement = statement.where(_KEYSET[order](last))
    rows = db.session.scalars(_load(statement.order_by(*_ORDER[order]).limit(limit + 1))).all()
    return keyset_page(rows, limit, total, order, _summaries(rate), _KEY[order], notices=[])


def _summaries(rate: float):
    return lambda rows: [serializers.regulation_summary(regulation, rate) for regulation in rows]


def _searched(q: str, order: str, found: dict, last, limit: int, rate: float):
    from portal.search.service import ranked_regulations

    ranked, parsed = ranked_regulations(
        q,
        kinds=found["kinds"],
        ministry=found.get("ministry"),
        field=found.get("field"),
        status=found["status"],
    )
    if found.get("document"):
        allowed = set(db.session.scalars(_document_regulations(found["document"])))
        ranked = [item for item in ranked if item[1] in allowed]
    if order != "relevance":
        # Another order over the matches: sort them in SQL by the same keyset as the list.
        ids = [regulation_id for _score, regulation_id in ranked]
        return _ordered_matches(ids, order, last, limit, rate, parsed)
    start = 0
    if last is not None:
        keys = [(-score, regulation_id) for score, regulation_id in ranked]
        start = bisect_right(keys, (-float(last[0]), int(last[1])))
    chosen = ranked[start : start + limit]
    by_id = {
        regulation.id: regulation
        for regulation in db.session.scalars(
            _load(select(Regulation).where(Regulation.id.in_([i for _s, i in chosen])))
        )
    }
    items = []
    for score, regulation_id in chosen:
        regulation = by_id.get(regulation_id)
        if regulation is not None and regulation.published:
            items.append({**serializers.regulation_summary(regulation, rate), "score": score})
    more = start + limit < len(ranked)
    next_key = [chosen[-1][0], chosen[-1][1]] if more and chosen else None
    return page(items, len(ranked), limit, next_key, order, notices=_notices(parsed))


def _ordered_matches(ids: list[int], order: str, last, limit: int, rate: float, parsed):
    statement = select(Regulation).where(queries.public_clause(), Regulation.id.in_(ids))
    if last is not None:
        statement = statement.where(_KEYSET[order](last))
    rows = db.session.scalars(_load(statement.order_by(*_ORDER[order]).limit(limit + 1))).all()
    return keyset_page(
        rows, limit, len(ids), order, _summaries(rate), _KEY[order], notices=_notices(parsed)
    )


def _notices(parsed) -> list[dict]:
    return [{"code": "query", "message": str(notice)} for notice in parsed.notices]


def not_found(message: str | None = None):
    return ApiError(404, "not_found", message or _("There is nothing at this address."))


@bp.route("/regulations/<code>", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.RegulationDetail)
@bp.errors(400, 404, 429)
@bp.doc(
    summary=N_("One regulation"),
    description=N_(
        "A published regulation by its code (any letter case): its content, legal basis with "
        "articles, compliance cost, history and the plans that would cut it."
    ),
)
def regulation(code: str):
    from portal.consultation.queries import plan_items_of

    found = queries.get_public_regulation(code)
    if found is None:
        raise not_found(_("There is no published regulation with the code “%(code)s”.", code=code))
    return serializers.regulation_detail(
        found, hourly_rate(), queries.regulation_history(found), plan_items_of(found)
    )


# ---------------------------------------------------------------------------- documents


class DocumentArgs(QuerySchema):
    type = choice(vocab.DOCUMENT_TYPE_CODES, N_("Type of document."))
    issuer = text(N_("Code of the issuing ministry."), 32)
    limit = limit()
    cursor = cursor()


@bp.route("/documents", methods=["GET"])
@bp.arguments(DocumentArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.DocumentPage)
@bp.errors(400, 429)
@bp.doc(
    summary=N_("List legal documents"),
    description=N_("Legal documents that lay down published regulations, in the order entered."),
)
def documents(limit: int, cursor: str | None = None, type: str | None = None, issuer=None):
    conditions = [queries.public_document_clause()]
    ministry = None
    if type:
        conditions.append(LegalDocument.doc_type == type)
    if issuer:
        ministry = db.session.scalar(select(Ministry).where(Ministry.code == issuer.lower()))
        if ministry is None:
            raise bad_parameter(
                "issuer", _("There is no ministry with the code “%(value)s”.", value=issuer)
            )
        conditions.append(LegalDocument.issuer_id == ministry.id)
    total = sum(
        number
        for (type_code, issuer_id), number in queries.public_document_counts().items()
        if (not type or type_code == type) and (ministry is None or issuer_id == ministry.id)
    )
    last = decode_cursor(cursor, "id")
    if last is not None:
        conditions.append(LegalDocument.id > int(last[0]))
    rows = db.session.execute(
        select(LegalDocument, queries.document_regulation_count())
        .where(*conditions)
        .options(joinedload(LegalDocument.issuer))
        .order_by(LegalDocument.id)
        .limit(limit + 1)
    ).all()
    return keyset_page(
        rows,
        limit,
        total,
        "id",
        lambda page_rows: [serializers.document_summary(*row) for row in page_rows],
        lambda row: [row[0].id],
    )


@bp.route("/documents/<slug>", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.DocumentDetail)
@bp.errors(400, 404, 429)
@bp.doc(
    summary=N_("One legal document"),
    description=N_(
        "A legal document by the slug of its number (as in its `url`), with the documents it "
        "amends, replaces, guides or abolishes and those that do so to it."
    ),
)
def document(slug: str):
    slug = clean_text(slug, max_length=130).lower()
    row = db.session.execute(
        select(LegalDocument, queries.document_regulation_count())
        .where(LegalDocument.slug == slug, queries.public_document_clause())
        .options(joinedload(LegalDocument.issuer))
    ).first()
    if row is None:
        raise not_found(_("There is no legal document at this address."))
    found, count = row
    outgoing, incoming = queries.document_relations(found)
    public = set(
        db.session.scalars(
            select(LegalDocument.id).where(
                LegalDocument.id.in_(
                    [r.target_id for r in outgoing] + [r.source_id for r in incoming]
                ),
                queries.public_document_clause(),
            )
        )
    )
    data = serializers.document_summary(found, count)
    data["relations"] = [
        {"kind": r.kind, "document": serializers.document_ref(r.target, r.target_id in public)}
        for r in outgoing
    ]
    data["related_by"] = [
        {"kind": r.kind, "document": serializers.document_ref(r.source, r.source_id in public)}
        for r in incoming
    ]
    data["regulations_by_kind"] = queries.counts_by_kind(
        Regulation.id.in_(_document_regulations(found))
    )
    data["regulations_url"] = serializers._url("api_catalogue.regulations", document=found.number)
    return data


# ---------------------------------------------------------------------------- ministries, fields


class ListArgs(QuerySchema):
    limit = limit()
    cursor = cursor()


def _ministry_data(ministry: Ministry, by_kind: dict, unpublished: int) -> dict:
    return {
        **serializers.ministry_ref(ministry),
        "abbreviation": ministry.abbreviation,
        "agency_type": ministry.agency_type,
        "regulations": sum(by_kind.values()),
        "regulations_by_kind": by_kind,
        "unpublished": unpublished,
        "web_url": serializers._url("ministries.detail", code=ministry.code),
    }


def _kind_counts_by_ministry() -> dict[int, dict[str, int]]:
    rows = db.session.execute(
        select(Regulation.ministry_id, Regulation.kind, func.count())
        .where(queries.public_clause())
        .group_by(Regulation.ministry_id, Regulation.kind)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for ministry_id, kind, number in rows:
        counts.setdefault(ministry_id, {})[kind] = number
    return counts


def _unpublished_by_ministry() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Regulation.ministry_id, func.count())
            .where(Regulation.published.is_(False))
            .group_by(Regulation.ministry_id)
        ).all()
    )


@bp.route("/ministries", methods=["GET"])
@bp.arguments(ListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.MinistryList)
@bp.errors(400, 429)
@bp.doc(
    summary=N_("List ministries"),
    description=N_(
        "Ministries and ministry-level agencies, with their published regulations by kind and "
        "how many they have left unpublished."
    ),
)
def ministries(limit: int, cursor: str | None = None):
    last = decode_cursor(cursor, "sort_order")
    statement = select(Ministry).order_by(Ministry.sort_order, Ministry.id)
    if last is not None:
        statement = statement.where(
            or_(
                Ministry.sort_order > last[0],
                and_(Ministry.sort_order == last[0], Ministry.id > last[1]),
            )
        )
    total = db.session.scalar(select(func.count(Ministry.id)))
    rows = db.session.scalars(statement.limit(limit + 1)).all()
    counts = _kind_counts_by_ministry()
    unpublished = _unpublished_by_ministry()
    return keyset_page(
        rows,
        limit,
        total,
        "sort_order",
        lambda page_rows: [
            _ministry_data(m, counts.get(m.id, {}), unpublished.get(m.id, 0)) for m in page_rows
        ],
        lambda ministry: [ministry.sort_order, ministry.id],
    )


@bp.route("/ministries/<code>", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.Ministry)
@bp.errors(400, 404, 429)
@bp.doc(summary=N_("One ministry"), description=N_("A ministry by its code, e.g. bct."))
def ministry(code: str):
    found = db.session.scalar(
        select(Ministry).where(Ministry.code == clean_text(code, max_length=40).lower())
    )
    if found is None:
        raise not_found(_("There is no ministry with the code “%(value)s”.", value=code))
    return _ministry_data(
        found,
        queries.counts_by_kind(Regulation.ministry_id == found.id),
        queries.unpublished_count(Regulation.ministry_id == found.id),
    )


def _field_data(field: Field, count: int) -> dict:
    return {
        **serializers.field_ref(field),
        "regulations": count,
        "web_url": serializers._url("regulations.field", slug=field.slug),
    }


def _field_counts():
    return (
        select(func.count(Regulation.id))
        .where(Regulation.field_id == Field.id, queries.public_clause())
        .correlate(Field)
        .scalar_subquery()
    )


@bp.route("/fields", methods=["GET"])
@bp.arguments(ListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.FieldList)
@bp.errors(400, 429)
@bp.doc(
    summary=N_("List fields"),
    description=N_("Fields and business lines that hold published regulations, by slug."),
)
def fields(limit: int, cursor: str | None = None):
    conditions = [queries.public_field_clause()]
    total = db.session.scalar(select(func.count(Field.id)).where(*conditions))
    last = decode_cursor(cursor, "slug")
    if last is not None:
        conditions.append(Field.slug > last[0])
    rows = db.session.execute(
        select(Field, _field_counts()).where(*conditions).order_by(Field.slug).limit(limit + 1)
    ).all()
    return keyset_page(
        rows,
        limit,
        total,
        "slug",
        lambda page_rows: [_field_data(*row) for row in page_rows],
        lambda row: [row[0].slug],
    )


@bp.route("/fields/<slug>", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.FieldItem)
@bp.errors(400, 404, 429)
@bp.doc(summary=N_("One field"), description=N_("A field by its slug."))
def field(slug: str):
    row = db.session.execute(
        select(Field, _field_counts()).where(
            Field.slug == clean_text(slug, max_length=170).lower(), queries.public_field_clause()
        )
    ).first()
    if row is None:
        raise not_found(_("There is no field “%(value)s”.", value=slug))
    return _field_data(*row)
