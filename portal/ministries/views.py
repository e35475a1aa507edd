"""Ministry pages: the list of ministries and each ministry's regulations by kind."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.ministries.models import Ministry
from portal.reform.cost import annual_cost_sql
from portal.regulations import queries
from portal.regulations.models import Field, LegalDocument, Regulation
from portal.text import clean_text

bp = Blueprint("ministries", __name__)


@bp.get("/ministries")
def index():
    published = dict(
        db.session.execute(
            select(Regulation.ministry_id, func.count())
            .where(queries.public_clause())
            .group_by(Regulation.ministry_id)
        ).all()
    )
    unpublished = dict(
        db.session.execute(
            select(Regulation.ministry_id, func.count())
            .where(Regulation.published.is_(False))
            .group_by(Regulation.ministry_id)
        ).all()
    )
    costs = dict(
        db.session.execute(
            select(Regulation.ministry_id, func.sum(annual_cost_sql(Regulation)))
            .where(queries.public_clause(), Regulation.status == "in_force")
            .group_by(Regulation.ministry_id)
        ).all()
    )
    ministries = db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all()
    from portal.consultation import queries as consultation_queries

    return render_template(
        "ministries/index.html",
        answers=consultation_queries.answers_by_ministry(),
        ratings=consultation_queries.ratings_by_ministry(),
        ministries=ministries,
        published=published,
        unpublished=unpublished,
        costs=costs,
        total_cost=queries.cost_total(),
    )


@bp.get("/ministries/<code>")
def detail(code: str):
    code = clean_text(code, max_length=40)
    ministry = db.session.scalar(select(Ministry).where(Ministry.code == code.lower()))
    if ministry is None:
        abort(404)
    if ministry.code != code:
        return redirect(url_for(".detail", code=ministry.code), 301)
    mine = Regulation.ministry_id == ministry.id
    fields = db.session.execute(
        select(Field, func.count(Regulation.id))
        .join(Regulation, Regulation.field_id == Field.id)
        .where(mine, queries.public_clause())
        .group_by(Field.id)
        .order_by(func.count(Regulation.id).desc())
    ).all()
    status_counts = dict(
        db.session.execute(
            select(Regulation.status, func.count())
            .where(mine, queries.public_clause())
            .group_by(Regulation.status)
        ).all()
    )
    cost, covered = queries.cost_total(mine)
    documents = db.session.scalars(
        select(LegalDocument)
        .where(LegalDocument.issuer_id == ministry.id, queries.public_document_clause())
        .order_by(LegalDocument.issued_date.desc().nulls_last())
        .limit(20)
    ).all()
    from portal.accounts.forms import EmptyForm
    from portal.consultation import queries as consultation_queries
    from portal.reform import reported

    return render_template(
        "ministries/detail.html",
        reported_cut=reported.by_ministry("p1_I_regs_cut_by_ministry").get(ministry.code),
        reported_plans=[
            row
            for row in reported.rows("p1_II_approved_plans")
            if row["ministry_code"] == ministry.code
        ],
        reported_published=reported.by_ministry("p1_III_inforce_published").get(ministry.code),
        in_report=ministry.code in reported.report_ministries(),
        reported_value=reported.value,
        consultations=consultation_queries.ministry_consultations(ministry.id),
        plans=consultation_queries.plans_list(ministry_id=ministry.id),
        answers=consultation_queries.answer_stats(ministry.id),
        follows=consultation_queries.follows_of(current_user),
        action_form=EmptyForm(),
        ministry=ministry,
        kind_counts=queries.counts_by_kind(mine),
        costs=queries.cost_by_kind(mine),
        in_force_counts=queries.counts_by_kind(mine, Regulation.status == "in_force"),
        status_counts=status_counts,
        unpublished=queries.unpublished_count(mine),
        fields=fields,
        cost=cost,
        covered=covered,
        documents=documents,
    )
