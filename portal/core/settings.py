"""Portal settings with documented defaults, overridable in the `setting` table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l

from portal.core.models import Setting
from portal.extensions import db


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: object
    parse: type
    label: object
    source: object
    bounds: tuple = (0, 10**12)


# The hourly labour cost prices the time a business spends on a regulation in the standard
# cost model. Default: the General Statistics Office's average monthly income of a wage
# worker for 2024 (about 7.7 million VND) divided by 176 working hours (22 days × 8 hours).
HOURLY_LABOUR_COST = SettingSpec(
    key="hourly_labour_cost_vnd",
    default=Decimal("43750"),
    parse=Decimal,
    label=_l("Hourly labour cost (VND per hour)"),
    source=_l(
        "Average monthly income of a wage worker in 2024 published by the General Statistics "
        "Office (about 7,700,000 VND) divided by 176 working hours a month (22 days of 8 hours). "
        "An administrator can change it; every compliance cost is recomputed from it."
    ),
    bounds=(Decimal("1000"), Decimal("10000000")),
)

CONSULTATION_MIN_DAYS = SettingSpec(
    key="consultation_min_days",
    default=30,
    parse=int,
    label=_l("Shortest consultation (days)"),
    source=_l(
        "A draft or plan must stay open for comment at least this many days, the closing day "
        "included. Default 30 days, as the Government asks for consultation on business "
        "regulations."
    ),
    bounds=(1, 365),
)

ANSWER_DUE_DAYS = SettingSpec(
    key="answer_due_days",
    default=15,
    parse=int,
    label=_l("Days to answer a comment or feedback"),
    source=_l(
        "A comment in a consultation must be answered within this many days after the "
        "consultation closes; feedback on a regulation in force within this many days after it "
        "is sent. Later answers are flagged as overdue in public."
    ),
    bounds=(1, 180),
)

SPECS = {spec.key: spec for spec in (HOURLY_LABOUR_COST, CONSULTATION_MIN_DAYS, ANSWER_DUE_DAYS)}


def get_setting(spec: SettingSpec):
    """The stored value of a setting, or its default; cached for the current request."""
    cache = g.setdefault("_settings", {}) if has_app_context() else {}
    if spec.key not in cache:
        row = db.session.get(Setting, spec.key)
        cache[spec.key] = spec.parse(row.value) if row else spec.default
    return cache[spec.key]


def set_setting(spec: SettingSpec, value) -> None:
    """Store a setting (the caller's service commits)."""
    parsed = spec.parse(value)
    row = db.session.get(Setting, spec.key)
    if row is None:
        db.session.add(Setting(key=spec.key, value=str(parsed)))
    else:
        row.value = str(parsed)
    if has_app_context():
        g.pop("_settings", None)
