"""The standard cost model.

annual cost = (time_hours × hourly labour cost + cost_vnd) × frequency per year × subjects

A regulation without `frequency` or `subjects` has no cost data (NULL), which is not the same as
a cost of zero: totals say how many regulations they cover.
"""

from __future__ import annotations

from sqlalchemy import func, literal

from portal.core.settings import HOURLY_LABOUR_COST, get_setting


def hourly_rate() -> float:
    """The hourly labour cost setting, in VND."""
    return float(get_setting(HOURLY_LABOUR_COST))


def annual_cost(time_hours, cost_vnd, frequency, subjects, rate: float | None = None):
    """Annual compliance cost in VND for one regulation (None when inputs are missing)."""
    if frequency is None or subjects is None:
        return None
    rate = hourly_rate() if rate is None else rate
    return ((time_hours or 0) * rate + (cost_vnd or 0)) * frequency * subjects


def unit_cost(time_hours, cost_vnd, rate: float | None = None):
    """Cost of one occurrence for one business, in VND."""
    if time_hours is None and cost_vnd is None:
        return None
    rate = hourly_rate() if rate is None else rate
    return (time_hours or 0) * rate + (cost_vnd or 0)


def annual_cost_sql(columns, rate: float | None = None):
    """The same formula as a SQL expression over any object with the four cost columns."""
    rate = hourly_rate() if rate is None else rate
    per_occurrence = func.coalesce(columns.time_hours, 0) * literal(rate) + func.coalesce(
        columns.cost_vnd, 0
    )
    return per_occurrence * columns.frequency * columns.subjects
