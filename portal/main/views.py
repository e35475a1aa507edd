"""Home page (with the institutional space), language switch, guide and data sources."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import supported_language
from portal.ministries.models import Ministry
from portal.reform.cost import hourly_rate
from portal.reform.space import institutional_space
from portal.regulations import queries
from portal.regulations.models import Regulation
from portal.security import safe_local_path

bp = Blueprint("main", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def home():
    in_force = Regulation.status == "in_force"
    counts = dict(
        db.session.execute(
            select(Regulation.ministry_id, func.count())
            .where(queries.public_clause(), in_force)
            .group_by(Regulation.ministry_id)
        ).all()
    )
    ministries = db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all()
    by_ministry = [(ministry, counts.get(ministry.id, 0)) for ministry in ministries]
    unpublished = dict(
        db.session.execute(
            select(Regulation.ministry_id, func.count())
            .where(Regulation.published.is_(False))
            .group_by(Regulation.ministry_id)
        ).all()
    )
    from portal.consultation import queries as consultation_queries

    return render_template(
        "main/home.html",
        open_consultations=consultation_queries.open_consultations(5),
        recent_answers=consultation_queries.recent_answers(5),
        years=institutional_space(),
        kind_counts=queries.counts_by_kind(in_force),
        kind_costs=queries.cost_by_kind(),
        by_ministry=by_ministry,
        unpublished=unpublished,
        unpublished_total=sum(unpublished.values()),
        rate=hourly_rate(),
    )


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie and go back to the page the user was on."""
    target = safe_local_path(request.args.get("next"))
    response = redirect(target)
    language = supported_language(code)
    if language:
        response.set_cookie(
            current_app.config["LANGUAGE_COOKIE"],
            language,
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
        )
    return response


@bp.get("/guide")
def guide():
    from portal.search.query import MAX_CHARS, MAX_TERMS

    return render_template(
        "main/guide.html", rate=hourly_rate(), search_chars=MAX_CHARS, search_words=MAX_TERMS
    )


@bp.get("/privacy")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/about-data")
def about_data():
    return render_template("main/about_data.html", rate=hourly_rate())


@bp.get("/healthz")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}
