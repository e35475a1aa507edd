"""Computing the reform-effort index: one SQL aggregate (GROUP BY ministry) per indicator.

For ministry m and period P (a calendar year; the current year runs to today):

- T1 published ÷ in force at the end of P (the regulation's state then, from its history);
- T2 drafts and plans created in P opened for comment for at least the minimum window ÷ all;
- R1 min(1, regulations abolished or simplified in P by plan items ÷ in force at the start
  ÷ target);
- R2 min(1, annual cost saved in P by plan items ÷ annual cost at the start ÷ target);
- R3 plan items done by the end of P ÷ items of approved plans due in or before P;
- R4 1 if a plan was submitted by the deadline of P, else 0 (plan years only);
- S1 comments and feedback answered by the end of P ÷ those due in P or answered in P;
- S2 answered on or before the due date ÷ answered;
- S3 (mean rating − 1) ÷ 4 over ratings given in P.

An indicator whose denominator is zero has no data and is left out of its group's mean; a group
with no data at all scores 0 and is flagged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from portal.consultation.models import (
    Answer,
    Comment,
    Consultation,
    DraftDocument,
    Plan,
    PlanItem,
    Rating,
)
from portal.extensions import db, derived_data_session
from portal.ministries.models import Ministry
from portal.reform import methodology, reported
from portal.reform.cost import annual_cost_sql, hourly_rate
from portal.reform.models import Methodology, ReformScore
from portal.regulations.models import Regulation, RegulationEvent
from portal.regulations.services import local_today
from portal.text import fold_key

logger = logging.getLogger(__name__)
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")
FIRST_PERIOD = 2021  # the first year of the official report (Phụ lục 1: 2021–2022)


@dataclass
class Indicator:
    code: str
    numerator: float
    denominator: float
    value: float | None
    source: str = "live"

    def as_dict(self) -> dict:
        return {
            "num": self.numerator,
            "den": self.denominator,
            "value": self.value,
            "source": self.source,
        }


@dataclass
class MinistryScore:
    ministry: Ministry
    indicators: dict[str, Indicator]
    groups: dict[str, float] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    total: float = 0.0
    source: str = "live"


@dataclass(frozen=True)
class Window:
    period: int
    start: date  # the first day of P
    end: date  # the last day of P, or today in the current year
    start_at: datetime  # the same days as UTC moments: [start_at, end_at)
    end_at: datetime
    before: date  # the day before P starts: the "start of P" state

    @classmethod
    def of(cls, period: int, today: date | None = None) -> Window:
        today = today or local_today()
        start = date(period, 1, 1)
        end = min(date(period, 12, 31), today) if period == today.year else date(period, 12, 31)

        def moment(day: date) -> datetime:
            return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC)

        return cls(
            period,
            start,
            end,
            moment(start),
            moment(end + timedelta(days=1)),
            start - timedelta(days=1),
        )


def _state_on(as_of: date):
    """Each regulation's state after its latest event on or before `as_of`."""
    return (
        select(
            RegulationEvent.regulation_id,
            RegulationEvent.status,
            RegulationEvent.published,
            RegulationEvent.time_hours,
            RegulationEvent.cost_vnd,
            RegulationEvent.frequency,
            RegulationEvent.subjects,
            func.row_number()
            .over(
                partition_by=RegulationEvent.regulation_id,
                order_by=(RegulationEvent.event_date.desc(), RegulationEvent.id.desc()),
            )
            .label("rank"),
        )
        .where(RegulationEvent.event_date <= as_of)
        .subquery()
    )


def _in_force(as_of: date, rate: float) -> dict[int, tuple[int, int, float | None]]:
    """Per ministry: (in force, of which published, their annual cost) at the end of a day."""
    state = _state_on(as_of)
    published = func.coalesce(state.c.published, Regulation.published)
    rows = db.session.execute(
        select(
            Regulation.ministry_id,
            func.count(),
            func.sum(case((published.is_(True), 1), else_=0)),
            func.sum(annual_cost_sql(state.c, rate)),
        )
        .select_from(state)
        .join(Regulation, Regulation.id == state.c.regulation_id)
        .where(state.c.rank == 1, state.c.status == "in_force")
        .group_by(Regulation.ministry_id)
    )
    return {m: (n or 0, p or 0, float(c) if c is not None else None) for m, n, p, c in rows}


def _consulted(window: Window, min_days: int) -> dict[int, tuple[int, int]]:
    """Per ministry: (drafts and plans created in P opened for long enough, all of them)."""
    result: dict[int, list[int]] = {}
    for model, key in ((DraftDocument, Consultation.draft_id), (Plan, Consultation.plan_id)):
        opened = (
            select(Consultation.id)
            .where(
                key == model.id,
                Consultation.length_days >= min_days,
                Consultation.opens_at < window.end_at,
            )
            .exists()
        )
        rows = db.session.execute(
            select(model.ministry_id, func.count(), func.sum(case((opened, 1), else_=0)))
            .where(model.created_at >= window.start_at, model.created_at < window.end_at)
            .group_by(model.ministry_id)
        )
        for ministry_id, count, consulted in rows:
            totals = result.setdefault(ministry_id, [0, 0])
            totals[0] += consulted or 0
            totals[1] += count or 0
    return {m: (c, n) for m, (c, n) in result.items()}


def _reductions(window: Window, rate: float) -> dict[int, tuple[int, float]]:
    """Per ministry: (regulations abolished or simplified in P by plan items, cost saved)."""
    before = SimpleNamespace(
        time_hours=PlanItem.time_hours_before,
        cost_vnd=PlanItem.cost_vnd_before,
        frequency=PlanItem.frequency_before,
        subjects=PlanItem.subjects_before,
    )
    after = SimpleNamespace(
        time_hours=PlanItem.time_hours_after,
        cost_vnd=PlanItem.cost_vnd_after,
        frequency=PlanItem.frequency_after,
        subjects=PlanItem.subjects_after,
    )
    cost_before = annual_cost_sql(before, rate)
    saving = case(
        (PlanItem.action == "abolish", cost_before),
        else_=cost_before - func.coalesce(annual_cost_sql(after, rate), cost_before),
    )
    done = and_(PlanItem.done_on >= window.start, PlanItem.done_on <= window.end)
    counted = and_(done, PlanItem.action.in_(("abolish", "simplify")))
    rows = db.session.execute(
        select(
            Plan.ministry_id,
            func.count(func.distinct(case((counted, PlanItem.regulation_id)))),
            func.sum(case((done, saving))),
        )
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(done)
        .group_by(Plan.ministry_id)
    )
    return {m: (n or 0, float(s) if s is not None else 0.0) for m, n, s in rows}


def _delivery(window: Window) -> dict[int, tuple[int, int]]:
    """Per ministry: (items done by the end of P, items of approved plans due by then)."""
    due = and_(
        Plan.decision_date.is_not(None),
        Plan.decision_date <= window.end,
        PlanItem.due_date.is_not(None),
        PlanItem.due_date <= window.end,
    )
    rows = db.session.execute(
        select(
            Plan.ministry_id,
            func.sum(
                case(
                    (and_(PlanItem.done_on.is_not(None), PlanItem.done_on <= window.end), 1),
                    else_=0,
                )
            ),
            func.count(),
        )
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(due)
        .group_by(Plan.ministry_id)
    )
    return {m: (d or 0, n or 0) for m, d, n in rows}


def _on_time(window: Window, params: dict) -> tuple[dict[int, int], bool, bool]:
    """(ministries that submitted a plan by the deadline of P, whether R4 applies yet)."""
    deadline = date(window.period, params["plan_deadline"]["month"], params["plan_deadline"]["day"])
    years = params["plan_years"]
    applies = years["first"] <= window.period <= years["last"]
    rows = db.session.execute(
        select(Plan.ministry_id, func.count())
        .where(Plan.submitted_on >= window.start, Plan.submitted_on <= deadline)
        .group_by(Plan.ministry_id)
    )
    # Before the deadline of the current year, a ministry without a plan is not late yet.
    decided = window.end >= deadline
    return dict(rows.all()), applies, decided


def _answers(window: Window) -> dict[int, tuple[int, int, int]]:
    """Per ministry: (answered by the end of P, due in P or answered in P, answered on time)."""
    due_in = and_(Comment.due_at >= window.start_at, Comment.due_at < window.end_at)
    answered_in = and_(Answer.created_at >= window.start_at, Answer.created_at < window.end_at)
    answered_by_end = and_(Answer.id.is_not(None), Answer.created_at < window.end_at)
    on_time = and_(
        answered_by_end, Comment.due_at.is_not(None), Answer.created_at <= Comment.due_at
    )
    rows = db.session.execute(
        select(
            Comment.ministry_id,
            func.sum(case((answered_by_end, 1), else_=0)),
            func.count(Comment.id),
            func.sum(case((on_time, 1), else_=0)),
        )
        .outerjoin(Answer, Answer.comment_id == Comment.id)
        .where(Comment.parent_id.is_(None), Comment.status != "removed", or_(due_in, answered_in))
        .group_by(Comment.ministry_id)
    )
    return {m: (a or 0, n or 0, t or 0) for m, a, n, t in rows}


def _ratings(window: Window) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        select(Rating.ministry_id, func.sum(Rating.score), func.count())
        .where(Rating.created_at >= window.start_at, Rating.created_at < window.end_at)
        .group_by(Rating.ministry_id)
    )
    return {m: (s or 0, n or 0) for m, s, n in rows}


def _ratio(code, numerator, denominator, cap_target=None) -> Indicator:
    if not denominator:
        return Indicator(code, numerator or 0, denominator or 0, None)
    value = numerator / denominator
    if cap_target is not None:
        value = min(1.0, value / cap_target)
    return Indicator(code, numerator, denominator, max(0.0, value))


def compute(
    period: int, version: Methodology | None = None, today: date | None = None
) -> list[MinistryScore]:
    """Every ministry's score for `period`, ranked (highest total first, ties by name)."""
    version = version or methodology.current()
    params = version.parameters
    window = Window.of(period, today)
    rate = hourly_rate()
    targets = params["targets"]
    end_state = _in_force(window.end, rate)
    start_state = _in_force(window.before, rate)
    consulted = _consulted(window, params["consultation_min_days"])
    reductions = _reductions(window, rate)
    delivery = _delivery(window)
    submitted, r4_applies, r4_decided = _on_time(window, params)
    answers = _answers(window)
    ratings = _ratings(window)
    ministries = db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all()
    scores = []
    for ministry in ministries:
        m = ministry.id
        in_force, published, _cost = end_state.get(m, (0, 0, None))
        start_count, _p, start_cost = start_state.get(m, (0, 0, None))
        cut, saved = reductions.get(m, (0, 0.0))
        done, due = delivery.get(m, (0, 0))
        answered, addressed, timely = answers.get(m, (0, 0, 0))
        rating_sum, rating_count = ratings.get(m, (0, 0))
        r4 = None
        if r4_applies:
            if submitted.get(m):
                r4 = Indicator("R4", 1, 1, 1.0)
            elif r4_decided:
                r4 = Indicator("R4", 0, 1, 0.0)
        indicators = {
            "T1": _ratio("T1", published, in_force),
            "T2": _ratio("T2", *consulted.get(m, (0, 0))),
            "R1": _ratio("R1", cut, start_count, targets["regulations"]),
            "R2": _ratio("R2", saved, start_cost or 0, targets["cost"]),
            "R3": _ratio("R3", done, due),
            "R4": r4 or Indicator("R4", 0, 0, None),
            "S1": _ratio("S1", answered, addressed),
            "S2": _ratio("S2", timely, answered),
            "S3": Indicator(
                "S3",
                rating_sum,
                rating_count,
                (rating_sum / rating_count - 1) / 4 if rating_count else None,
            ),
        }
        score = MinistryScore(ministry, indicators)
        # R4 is derived from the absence of a plan too, so it is not live data by itself.
        has_live_data = any(i.value is not None for c, i in indicators.items() if c != "R4")
        if period == params["reported_period"] and not has_live_data:
            _use_reported(score, targets)
        _aggregate(score, params["weights"])
        scores.append(score)
    scores.sort(key=lambda s: (-round(s.total, 6), fold_key(s.ministry.name_vi)))
    return scores


def _use_reported(score: MinistryScore, targets: dict) -> None:
    """No live data for the report's period: T1, R1 and R4 from the official figures."""
    figures = reported.reported_indicators(score.ministry.code)
    used = False
    for code, pair in figures.items():
        if pair is None:
            continue
        numerator, denominator = pair
        cap = targets["regulations"] if code == "R1" else None
        indicator = _ratio(code, numerator, denominator, cap)
        indicator.source = "reported"
        score.indicators[code] = indicator
        used = True
    if used:
        score.source = "reported"


def _aggregate(score: MinistryScore, weights: dict) -> None:
    total = 0.0
    for group, _label, codes in methodology.GROUPS:
        values = [score.indicators[c].value for c in codes if score.indicators[c].value is not None]
        if values:
            score.groups[group] = sum(values) / len(values)
        else:
            score.groups[group] = 0.0
            score.flags.add(group)
        total += weights[group] * score.groups[group]
    score.total = total  # weights add to 100 and group means are in [0, 1]


# ---------------------------------------------------------------------------- storing


def data_version(period: int) -> str:
    """Changes whenever anything a score of `period` depends on can have changed."""
    parts = [
        select(func.count(RegulationEvent.id)),
        select(func.max(RegulationEvent.id)),
        select(func.max(Regulation.updated_at)),
        select(func.count(PlanItem.id)),
        select(func.count(PlanItem.done_on)),
        select(func.max(Plan.updated_at)),
        select(func.count(Consultation.id)),
        select(func.max(Consultation.updated_at)),
        select(func.count(DraftDocument.id)),
        select(func.count(Comment.id)),
        select(func.max(Comment.updated_at)),
        select(func.count(Answer.id)),
        select(func.count(Rating.id)),
        select(func.count(Ministry.id)),
    ]
    values = db.session.execute(select(*(p.scalar_subquery() for p in parts))).one()
    today = local_today()
    # The current year's window grows every day.
    day = today.isoformat() if period >= today.year else ""
    return "|".join(str(v) for v in (*values, hourly_rate(), day))


def _rows(scores: list[MinistryScore], period: int, version: int, stamp: str) -> list[dict]:
    rows = []
    for score in scores:
        sources = {i.source for i in score.indicators.values() if i.value is not None}
        rows.append(
            {
                "ministry_id": score.ministry.id,
                "period": period,
                "version": version,
                "total": score.total,
                "transparency": score.groups["transparency"],
                "results": score.groups["results"],
                "satisfaction": score.groups["satisfaction"],
                "flags": ",".join(sorted(score.flags)),
                "source": "mixed" if len(sources) > 1 else (sources.pop() if sources else "live"),
                "indicators_json": json.dumps(
                    {c: i.as_dict() for c, i in score.indicators.items()}
                ),
                "data_version": stamp,
            }
        )
    return rows


def compute_and_store(period: int) -> list[ReformScore]:
    """Compute a period with the current methodology and store it (replacing older scores of
    the same version). Works inside a read-only request: it writes in its own transaction."""
    version = methodology.current()
    stamp = data_version(period)
    scores = compute(period, version)
    rows = _rows(scores, period, version.version, stamp)
    from portal.core.models import utcnow

    now = utcnow()
    with derived_data_session() as session:
        session.execute(
            delete(ReformScore)
            .where(ReformScore.period == period, ReformScore.version == version.version)
            .execution_options(synchronize_session="fetch")
        )
        for row in rows:
            session.add(ReformScore(**row, computed_at=now))
        try:
            session.commit()
        except IntegrityError:  # another worker stored the same period at the same moment
            session.rollback()
    db.session.expire_all()
    return stored(period, version.version)


def stored(period: int, version: int) -> list[ReformScore]:
    from sqlalchemy.orm import joinedload

    scores = db.session.scalars(
        select(ReformScore)
        .where(ReformScore.period == period, ReformScore.version == version)
        .options(joinedload(ReformScore.ministry))
    ).all()
    return sorted(scores, key=lambda s: (-round(s.total, 6), fold_key(s.ministry.name_vi)))


def scores(period: int) -> list[ReformScore]:
    """The stored scores of a period, recomputed first if the data changed since."""
    version = methodology.current()
    existing = stored(period, version.version)
    count = db.session.scalar(select(func.count(Ministry.id)))
    if existing and len(existing) == count:
        stamp = data_version(period)
        if all(score.data_version == stamp for score in existing):
            return existing
    return compute_and_store(period)


def periods() -> list[int]:
    """The years the index covers, newest first: from 2021, the first year of the official
    report (whose 2022 figures stand in where the portal has no data of its own), to this
    year."""
    this_year = local_today().year
    return list(range(this_year, min(FIRST_PERIOD, this_year) - 1, -1))


def band(total: float, params: dict) -> str:
    """The band of a total as it is shown (one decimal): 79.96 is shown 80.0 and is good."""
    total = round(total, 1)
    if total >= params["bands"]["good"]:
        return "good"
    return "fair" if total >= params["bands"]["fair"] else "weak"
