"""Catalogue pages: the regulation list and detail, legal documents and fields."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.accounts.forms import EmptyForm
from portal.downloads import table_response
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.pagination import page_arg, paginate, per_page_arg
from portal.reform.cost import annual_cost, hourly_rate, unit_cost
from portal.regulations import queries, vocab
from portal.regulations.exporter import regulation_row
from portal.regulations.fileformat import COLUMNS
from portal.regulations.models import Field, LegalBasis, LegalDocument, Regulation
from portal.text import clean_text

bp = Blueprint("regulations", __name__)


def _filter_choices():
    ministries = db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all()
    fields = sorted(
        db.session.scalars(select(Field).where(queries.public_field_clause())).all(),
        key=lambda f: f.name_key,
    )
    return ministries, fields


@bp.get("/regulations")
def index():
    filters = queries.parse_filters(request.args, current_user)
    statement, _count = queries.regulation_list(filters)
    facets = queries.facets(filters)
    page = paginate(statement, facets.total, page_arg(), per_page_arg())
    ministries, fields = _filter_choices()
    return render_template(
        "regulations/index.html",
        page=page,
        filters=filters,
        kind_counts=facets.kinds,
        status_counts=facets.statuses,
        ministries=ministries,
        fields=fields,
        rate=hourly_rate(),
        annual_cost=annual_cost,
        sees_unpublished=queries.sees_unpublished(current_user),
    )


@bp.get("/regulations/export.<fmt>")
def export(fmt: str):
    filters = queries.parse_filters(request.args, current_user)
    rows = (regulation_row(regulation) for regulation in queries.export_rows(filters))
    return table_response(COLUMNS, rows, fmt, "quy-dinh-kinh-doanh", sheet="regulations")


@bp.get("/feeds/regulations.atom")
def feed():
    """The newest published regulations (of one ministry with ?ministry=code)."""
    code = clean_text(request.args.get("ministry", ""), max_length=32).lower()
    ministry = None
    if code:
        ministry = db.session.scalar(select(Ministry).where(Ministry.code == code))
        if ministry is None:
            abort(404)
    statement = (
        select(Regulation)
        .where(queries.public_clause())
        .options(joinedload(Regulation.ministry))
        .order_by(Regulation.created_at.desc(), Regulation.id.desc())
        .limit(50)
    )
    if ministry is not None:
        statement = statement.where(Regulation.ministry_id == ministry.id)
    items = db.session.scalars(statement).all()
    body = render_template("regulations/feed.xml", items=items, ministry=ministry)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/regulations/<code>")
def detail(code: str):
    regulation = queries.get_public_regulation(code, current_user)
    if regulation is None:
        abort(404)
    if regulation.code != code:
        return redirect(url_for(".detail", code=regulation.code), 301)
    rate = hourly_rate()
    from portal.consultation import queries as consultation_queries

    return render_template(
        "regulations/detail.html",
        action_form=EmptyForm(),
        feedback=consultation_queries.feedback_on(regulation),
        plan_items=consultation_queries.plan_items_of(regulation),
        regulation=regulation,
        history=queries.regulation_history(regulation),
        rate=rate,
        unit_cost=unit_cost(regulation.time_hours, regulation.cost_vnd, rate),
        annual_cost=annual_cost(
            regulation.time_hours,
            regulation.cost_vnd,
            regulation.frequency,
            regulation.subjects,
            rate,
        ),
    )


# ---------------------------------------------------------------------------- documents


@bp.get("/documents")
def documents():
    doc_type = clean_text(request.args.get("type", ""), max_length=40)
    if doc_type and doc_type not in vocab.DOCUMENT_TYPE_CODES:
        doc_type = ""
    statement = (
        select(LegalDocument, queries.document_regulation_count().label("regulations"))
        .where(queries.public_document_clause())
        .options(joinedload(LegalDocument.issuer))
    )
    if doc_type:
        statement = statement.where(LegalDocument.doc_type == doc_type)
    statement = statement.order_by(
        LegalDocument.issued_date.desc().nulls_last(), LegalDocument.number
    )
    type_counts: dict[str, int] = {}
    for (type_code, _issuer), number in queries.public_document_counts().items():
        type_counts[type_code] = type_counts.get(type_code, 0) + number
    total = type_counts.get(doc_type, 0) if doc_type else sum(type_counts.values())
    page = paginate(statement, total, page_arg(), per_page_arg(), rows=True)
    return render_template(
        "documents/index.html", page=page, doc_type=doc_type, type_counts=type_counts
    )


@bp.get("/documents/<slug>")
def document(slug: str):
    slug = clean_text(slug, max_length=130)
    document = db.session.scalar(
        select(LegalDocument).where(
            LegalDocument.slug == slug.lower(), queries.public_document_clause()
        )
    )
    if document is None:
        abort(404)
    if document.slug != slug:
        return redirect(url_for(".document", slug=document.slug), 301)
    statement = (
        select(Regulation)
        .where(
            queries.public_clause(),
            Regulation.id.in_(
                select(LegalBasis.regulation_id).where(LegalBasis.document_id == document.id)
            ),
        )
        .options(joinedload(Regulation.ministry))
        .order_by(Regulation.code)
    )
    count = select(func.count(Regulation.id)).where(
        queries.public_clause(),
        Regulation.id.in_(
            select(LegalBasis.regulation_id).where(LegalBasis.document_id == document.id)
        ),
    )
    page = paginate(statement, count, page_arg(), per_page_arg())
    outgoing, incoming = queries.document_relations(document)
    return render_template(
        "documents/detail.html",
        document=document,
        page=page,
        outgoing=outgoing,
        incoming=incoming,
        kind_counts=queries.counts_by_kind(
            Regulation.id.in_(
                select(LegalBasis.regulation_id).where(LegalBasis.document_id == document.id)
            )
        ),
    )


# ---------------------------------------------------------------------------- fields


@bp.get("/fields")
def fields():
    rows = db.session.execute(
        select(Field, func.count(Regulation.id))
        .join(Regulation, Regulation.field_id == Field.id)
        .where(queries.public_clause())
        .group_by(Field.id)
    ).all()
    rows.sort(key=lambda row: row[0].name_key)
    return render_template("fields/index.html", rows=rows)


@bp.get("/fields/<slug>")
def field(slug: str):
    slug = clean_text(slug, max_length=170)
    found = db.session.scalar(
        select(Field).where(Field.slug == slug.lower(), queries.public_field_clause())
    )
    if found is None:
        abort(404)
    if found.slug != slug:
        return redirect(url_for(".field", slug=found.slug), 301)
    ministries = db.session.execute(
        select(Ministry, func.count(Regulation.id))
        .join(Regulation, Regulation.ministry_id == Ministry.id)
        .where(Regulation.field_id == found.id, queries.public_clause())
        .group_by(Ministry.id)
        .order_by(func.count(Regulation.id).desc(), Ministry.sort_order)
    ).all()
    cost, covered = queries.cost_total(Regulation.field_id == found.id)
    from portal.consultation import queries as consultation_queries

    return render_template(
        "fields/detail.html",
        follows=consultation_queries.follows_of(current_user),
        action_form=EmptyForm(),
        field=found,
        kind_counts=queries.counts_by_kind(Regulation.field_id == found.id),
        costs=queries.cost_by_kind(Regulation.field_id == found.id),
        ministries=ministries,
        unpublished=queries.unpublished_count(Regulation.field_id == found.id),
        cost=cost,
        covered=covered,
    )
