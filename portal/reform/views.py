"""/reform: the reform-effort index (Nỗ lực cải cách), its methodology and the reported
figures."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.downloads import table_response
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.pagination import page_arg, paginate
from portal.reform import evidence, index, methodology, reported
from portal.reform.space import institutional_space
from portal.regulations.services import local_today
from portal.text import clean_text, parse_id

bp = Blueprint("reform", __name__, url_prefix="/reform")

EVIDENCE_PER_PAGE = 100
INDICATOR_CODES = ("T1", "T2", "R1", "R2", "R3", "R4", "S1", "S2", "S3")


def _period() -> int:
    """The `period` argument: a year the index covers, else the current year."""
    periods = index.periods()
    year = parse_id(clean_text(request.args.get("period", ""), max_length=8), max_digits=4)
    return year if year in periods else periods[0]


def _ministry(code: str) -> Ministry:
    ministry = db.session.scalar(
        select(Ministry).where(Ministry.code == clean_text(code, max_length=32).lower())
    )
    if ministry is None:
        abort(404)
    return ministry


def _context(period: int) -> dict:
    version = methodology.current()
    return {
        "period": period,
        "periods": index.periods(),
        "version": version,
        "params": version.parameters,
        "groups": methodology.GROUPS,
        "indicator_labels": methodology.INDICATORS,
        "band": lambda total: index.band(total, version.parameters),
    }


@bp.get("")
def ranking():
    period = _period()
    scores = index.scores(period)
    return render_template(
        "reform/index.html",
        scores=scores,
        computed_at=max((s.computed_at for s in scores), default=None),
        years=institutional_space(),
        **_context(period),
    )


RANKING_HEADER = (
    "rank",
    "ministry",
    "ministry_code",
    "period",
    "methodology_version",
    "total",
    "transparency",
    "results",
    "satisfaction",
    "band",
    "groups_without_data",
    "source",
    "computed_at_utc",
)


@bp.get("/export.<fmt>")
def ranking_export(fmt: str):
    period = _period()
    params = methodology.current().parameters
    rows = (
        (
            rank,
            s.ministry.name_vi,
            s.ministry.code,
            s.period,
            s.version,
            round(s.total, 1),
            round(s.transparency * 100, 1),
            round(s.results * 100, 1),
            round(s.satisfaction * 100, 1),
            index.band(s.total, params),
            s.flags,
            s.source,
            s.computed_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
        for rank, s in enumerate(index.scores(period), start=1)
    )
    return table_response(RANKING_HEADER, rows, fmt, f"no-luc-cai-cach-{period}", "ranking")


@bp.get("/methodology")
def methodology_page():
    version = methodology.current()
    return render_template(
        "reform/methodology.html",
        version=version,
        params=version.parameters,
        versions=methodology.versions(),
        groups=methodology.GROUPS,
        indicator_labels=methodology.INDICATORS,
    )


@bp.get("/figures")
def figures():
    return render_template(
        "reform/figures.html",
        cut=reported.rows("p1_I_regs_cut_by_ministry"),
        cut_total=reported.total_row("p1_I_regs_cut_by_ministry"),
        plans=reported.table("p1_II_approved_plans"),
        published=reported.rows("p1_III_inforce_published"),
        published_missing=reported.missing_ministries("p1_III_inforce_published"),
        published_sums=reported.column_sums(
            "p1_III_inforce_published",
            [
                f"{kind}_{suffix}"
                for kind in (*reported.PUBLISHED_KINDS, "ktcn_procedures", "total")
                for suffix in ("pub", "unpub")
            ],
        ),
        table_titles=reported.TABLE_TITLES,
        portal_plans=reported.rows("p1_III_subtable_total1029"),
        portal_plans_total=reported.total_row("p1_III_subtable_total1029"),
        portal_plans_missing=reported.missing_ministries("p1_III_subtable_total1029"),
        checks=reported.checks(),
        ministries={m.code: m for m in db.session.scalars(select(Ministry))},
        value=reported.value,
    )


def _ministry_score(ministry: Ministry, period: int):
    for rank, score in enumerate(index.scores(period), start=1):
        if score.ministry_id == ministry.id:
            return rank, score
    abort(404)


@bp.get("/<code>")
def ministry(code: str):
    ministry = _ministry(code)
    period = _period()
    rank, score = _ministry_score(ministry, period)
    trend = []
    for year in sorted(index.periods()):
        _rank, past = _ministry_score(ministry, year)
        trend.append((year, past))
    return render_template(
        "reform/ministry.html",
        ministry=ministry,
        score=score,
        rank=rank,
        count=len(index.scores(period)),
        trend=trend,
        reported_cut=reported.by_ministry("p1_I_regs_cut_by_ministry").get(ministry.code),
        reported_plans=[
            r for r in reported.rows("p1_II_approved_plans") if r["ministry_code"] == ministry.code
        ],
        reported_published=reported.by_ministry("p1_III_inforce_published").get(ministry.code),
        in_report=ministry.code in reported.report_ministries(),
        value=reported.value,
        **_context(period),
    )


INDICATOR_HEADER = (
    "ministry_code",
    "period",
    "methodology_version",
    "indicator",
    "name",
    "numerator",
    "denominator",
    "value",
    "source",
)


@bp.get("/<code>/export.<fmt>")
def ministry_export(code: str, fmt: str):
    ministry = _ministry(code)
    period = _period()
    _rank, score = _ministry_score(ministry, period)
    indicators = score.indicators
    rows = (
        (
            ministry.code,
            period,
            score.version,
            indicator_code,
            str(methodology.INDICATORS[indicator_code]),
            indicators[indicator_code]["num"],
            indicators[indicator_code]["den"],
            ""
            if indicators[indicator_code]["value"] is None
            else indicators[indicator_code]["value"],
            indicators[indicator_code]["source"],
        )
        for indicator_code in INDICATOR_CODES
    )
    return table_response(
        INDICATOR_HEADER, rows, fmt, f"chi-so-{ministry.code}-{period}", "indicators"
    )


def _counting(statement):
    """A statement counting the rows `statement` selects."""
    return select(func.count()).select_from(statement.order_by(None).subquery())


@bp.get("/<code>/evidence/<indicator>")
def indicator_evidence(code: str, indicator: str):
    ministry = _ministry(code)
    if indicator not in INDICATOR_CODES:
        abort(404)
    period = _period()
    window = index.Window.of(period)
    _rank, score = _ministry_score(ministry, period)
    records = {}
    listed = None
    if indicator == "T1":
        listed = evidence.in_force_at_end(ministry.id, window, True)
        records["unpublished_count"] = db.session.scalar(
            _counting(evidence.in_force_at_end(ministry.id, window, False))
        )
    elif indicator == "T2":
        records["subjects"] = evidence.drafts_and_plans(ministry.id, window)
    elif indicator in ("R1", "R2"):
        listed = evidence.plan_items_done(ministry.id, window)
    elif indicator == "R3":
        listed = evidence.plan_items_due(ministry.id, window)
    elif indicator == "R4":
        records["plans"] = evidence.plans_submitted(ministry.id)
    elif indicator in ("S1", "S2"):
        listed = evidence.addressed_comments(ministry.id, window)
    else:
        listed = evidence.ratings(ministry.id, window)
    page = None
    if listed is not None:
        page = paginate(
            listed,
            _counting(listed),
            page_arg(),
            EVIDENCE_PER_PAGE,
        )
    return render_template(
        "reform/evidence.html",
        ministry=ministry,
        indicator=indicator,
        item=score.indicators[indicator],
        records=records,
        page=page,
        window=window,
        today=local_today(),
        title=_("%(code)s: %(name)s", code=indicator, name=methodology.INDICATORS[indicator]),
        **_context(period),
    )
