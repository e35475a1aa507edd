"""/api/v1 reform: the reform-effort index per period and ministry, its methodology, and the
institutional space (the regulatory stock year by year)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.api import schemas, serializers
from portal.api.catalogue import bad_parameter, not_found
from portal.api.core import N_, Blueprint
from portal.api.params import NoArgs, QuerySchema, integer
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.reform import index, methodology
from portal.reform.space import institutional_space
from portal.regulations import queries
from portal.regulations.models import Regulation
from portal.text import clean_text

bp = Blueprint(
    "api_reform",
    __name__,
    url_prefix="/api/v1",
    description=N_(
        "The reform-effort index (transparency, reform results, satisfaction) and the "
        "institutional space."
    ),
)


class PeriodArgs(QuerySchema):
    period = integer(N_("The year; the current year if left out."), 2000, 2100)


def _period(value: int | None) -> int:
    periods = index.periods()
    if value is None:
        return periods[0]
    if value not in periods:
        raise bad_parameter(
            "period",
            _(
                "The index covers the years %(first)s to %(last)s.",
                first=periods[-1],
                last=periods[0],
            ),
            "out_of_range",
        )
    return value


def methodology_data(version) -> dict:
    return {
        "version": version.version,
        "created_at": version.created_at,
        "note": version.note,
        "parameters": version.parameters,
        "indicators": {code: str(label) for code, label in methodology.INDICATORS.items()},
        "url": serializers._url("reform.methodology_page"),
    }


def ranked_scores(period: int) -> tuple[list[dict], object]:
    version = methodology.current()
    params = version.parameters
    rows = [
        serializers.reform_score(score, rank, index.band(score.total, params))
        for rank, score in enumerate(index.scores(period), start=1)
    ]
    return rows, version


@bp.route("/reform/scores", methods=["GET"])
@bp.arguments(PeriodArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ReformScores)
@bp.errors(400)
@bp.doc(
    summary=N_("Reform-effort index of a year"),
    description=N_(
        "Every ministry's score for the year, ranked, with its three groups, its nine "
        "indicators (numerator, denominator, value, and whether live or reported) and the "
        "methodology version used."
    ),
)
def scores(period: int | None = None):
    period = _period(period)
    rows, version = ranked_scores(period)
    return {
        "period": period,
        "periods": index.periods(),
        "methodology": methodology_data(version),
        "items": rows,
        "total": len(rows),
    }


@bp.route("/reform/scores/<code>", methods=["GET"])
@bp.arguments(PeriodArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ReformScore)
@bp.errors(400, 404)
@bp.doc(summary=N_("One ministry's reform-effort score"), description=N_("For one year."))
def ministry_score(code: str, period: int | None = None):
    ministry = db.session.scalar(
        select(Ministry).where(Ministry.code == clean_text(code, max_length=40).lower())
    )
    if ministry is None:
        raise not_found(_("There is no ministry with the code “%(value)s”.", value=code))
    rows, _version = ranked_scores(_period(period))
    for row in rows:
        if row["ministry"]["code"] == ministry.code:
            return row
    raise not_found(_("There is no score for this ministry in that year."))


@bp.route("/reform/methodology", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.Methodology)
@bp.errors(400)
@bp.doc(
    summary=N_("The methodology in use"),
    description=N_("Weights, targets and bands of the current methodology version."),
)
def methodology_current():
    return methodology_data(methodology.current())


@bp.route("/space", methods=["GET"])
@bp.arguments(NoArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.Space)
@bp.errors(400)
@bp.doc(
    summary=N_("Institutional space"),
    description=N_(
        "For this year and each past year with data: regulations in force, the legal "
        "documents that contain them, fields, and total annual compliance cost, with the "
        "change from the year before; today's published regulations by kind and by ministry."
    ),
)
def space():
    years = []
    for figures in institutional_space():
        years.append(
            {
                "year": figures.year,
                "as_of": figures.as_of,
                "regulations": figures.regulations,
                "documents": figures.documents,
                "fields_": figures.fields,
                "cost_vnd": figures.cost_vnd,
                "change": (
                    None
                    if figures.previous is None
                    else {
                        name: figures.change(name)
                        for name in ("regulations", "documents", "fields", "cost_vnd")
                    }
                ),
            }
        )
    by_ministry = dict(
        db.session.execute(
            select(Ministry.code, func.count(Regulation.id))
            .join(Regulation, Regulation.ministry_id == Ministry.id)
            .where(queries.public_clause())
            .group_by(Ministry.code)
        ).all()
    )
    return {"years": years, "by_kind": queries.counts_by_kind(), "by_ministry": by_ministry}
