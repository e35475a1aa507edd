"""The institutional space (không gian thể chế): the regulatory stock year by year.

For each year that has data, the state of every published regulation at the end of the year
(today for the current year) is read from its history: the latest event on or before that day
carries the status and cost inputs then in effect. Counted: regulations in force, the legal
documents they are laid down in, their fields, and their total annual compliance cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.core.versioned import LatestVersion
from portal.extensions import db
from portal.reform.cost import annual_cost_sql, hourly_rate
from portal.regulations.models import LegalBasis, Regulation, RegulationEvent
from portal.regulations.queries import public_clause, regulation_change_marks
from portal.regulations.services import local_today


@dataclass(frozen=True)
class YearFigures:
    year: int
    as_of: date
    regulations: int
    documents: int
    fields: int
    cost_vnd: float
    previous: YearFigures | None = None

    def change(self, name: str):
        """Difference from the year before (None for the first year)."""
        if self.previous is None:
            return None
        return getattr(self, name) - getattr(self.previous, name)


_figures_cache: LatestVersion[list[YearFigures]] = LatestVersion()


def _version() -> tuple:
    """Changes whenever anything the figures depend on changes (one round trip)."""
    marks = [
        select(func.count()).select_from(RegulationEvent).scalar_subquery(),
        select(func.max(RegulationEvent.id)).scalar_subquery(),
        *regulation_change_marks(),
        select(func.count()).select_from(LegalBasis).scalar_subquery(),
    ]
    return (*db.session.execute(select(*marks)).one(), hourly_rate(), local_today())


def _state_on(as_of: date):
    """Each published regulation's latest event on or before `as_of` (window function)."""
    ranked = (
        select(
            RegulationEvent.regulation_id,
            RegulationEvent.status,
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
    return ranked


def _figures(year: int, as_of: date) -> YearFigures:
    ranked = _state_on(as_of)
    in_force = (
        select(ranked.c.regulation_id)
        .join(Regulation, Regulation.id == ranked.c.regulation_id)
        .where(ranked.c.rank == 1, ranked.c.status == "in_force", public_clause())
    )
    count, fields, cost = db.session.execute(
        select(
            func.count(),
            func.count(func.distinct(Regulation.field_id)),
            func.sum(annual_cost_sql(ranked.c)),
        )
        .select_from(ranked)
        .join(Regulation, Regulation.id == ranked.c.regulation_id)
        .where(ranked.c.rank == 1, ranked.c.status == "in_force", public_clause())
    ).one()
    documents = db.session.scalar(
        select(func.count(func.distinct(LegalBasis.document_id))).where(
            LegalBasis.regulation_id.in_(in_force)
        )
    )
    return YearFigures(year, as_of, count or 0, documents or 0, fields or 0, float(cost or 0))


def institutional_space() -> list[YearFigures]:
    """Figures for every year from the first recorded event to today, newest first."""
    return _figures_cache.get(_version(), _every_year)


def _every_year() -> list[YearFigures]:
    first = db.session.scalar(
        select(func.min(RegulationEvent.event_date))
        .join(Regulation, Regulation.id == RegulationEvent.regulation_id)
        .where(public_clause())
    )
    today = local_today()
    rows: list[YearFigures] = []
    previous = None
    if first is not None:
        for year in range(first.year, today.year + 1):
            as_of = today if year == today.year else date(year, 12, 31)
            figures = _figures(year, as_of)
            figures = YearFigures(**{**vars(figures), "previous": previous})
            rows.append(figures)
            previous = figures
    rows.reverse()
    return rows
