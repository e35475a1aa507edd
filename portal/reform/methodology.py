"""The scoring rules of the reform-effort index, as versioned parameters.

Version 1 is the default published methodology. An administrator's change creates a new
version; scores are stored per version and the pages use the latest one.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.errors import RuleViolation
from portal.extensions import db
from portal.reform.models import Methodology

DEFAULT_PARAMETERS = {
    "weights": {"transparency": 30, "results": 40, "satisfaction": 30},
    # Resolution 68/NQ-CP: cut at least 20% of regulations and 20% of compliance cost.
    "targets": {"regulations": 0.20, "cost": 0.20},
    "consultation_min_days": 30,
    "plan_deadline": {"month": 9, "day": 30},
    # Years in which ministries had to submit a plan (R4 is "no data" outside them).
    "plan_years": {"first": 2021, "last": 2030},
    "bands": {"good": 80, "fair": 50},
    # The period for which the report's official figures stand in for missing live data.
    "reported_period": 2022,
}

GROUPS = (
    ("transparency", _l("Transparency"), ("T1", "T2")),
    ("results", _l("Reform results"), ("R1", "R2", "R3", "R4")),
    ("satisfaction", _l("Satisfaction"), ("S1", "S2", "S3")),
)
INDICATORS = {
    "T1": _l("Publication rate"),
    "T2": _l("Consultation rate"),
    "R1": _l("Regulation reduction"),
    "R2": _l("Compliance cost reduction"),
    "R3": _l("Plan delivery"),
    "R4": _l("Plan on time"),
    "S1": _l("Answer rate"),
    "S2": _l("Answers on time"),
    "S3": _l("Satisfaction with answers"),
}


def _latest():
    return db.session.scalar(select(Methodology).order_by(Methodology.version.desc()).limit(1))


def current() -> Methodology:
    """The latest version. Version 1, the default, is stored on first use, in its own
    transaction (a page may be the first to ask, inside a read-only request)."""
    latest = _latest()
    if latest is None:
        from sqlalchemy.exc import IntegrityError

        from portal.extensions import derived_data_session

        with derived_data_session() as session:
            session.add(
                Methodology(
                    version=1,
                    parameters_json=json.dumps(DEFAULT_PARAMETERS),
                    note="Phiên bản mặc định / default methodology",
                )
            )
            try:
                session.commit()
            except IntegrityError:  # stored by another worker meanwhile
                session.rollback()
        db.session.expire_all()
        latest = _latest()
    return latest


def versions() -> list[Methodology]:
    return list(db.session.scalars(select(Methodology).order_by(Methodology.version.desc())))


def _number(raw, field: str, low: float, high: float, integer: bool = False):
    text = str(raw).strip().replace(",", ".")
    try:
        number = int(text) if integer else float(text)
    except ValueError:
        raise RuleViolation(_("Enter a number."), field) from None
    if not low <= number <= high or number != number:
        raise RuleViolation(_("Enter a value from %(low)s to %(high)s.", low=low, high=high), field)
    return number


def new_version(actor, values: dict, note: str = "") -> Methodology:
    """Validate changed parameters and store them as the next version (the caller's service
    commits). Weights must add up to 100."""
    weights = {
        name: _number(values[f"weight_{name}"], f"weight_{name}", 0, 100, integer=True)
        for name in ("transparency", "results", "satisfaction")
    }
    if sum(weights.values()) != 100:
        raise RuleViolation(_("The three weights must add up to 100."), "weight_transparency")
    parameters = {
        "weights": weights,
        "targets": {
            "regulations": _number(values["target_regulations"], "target_regulations", 1, 100)
            / 100,
            "cost": _number(values["target_cost"], "target_cost", 1, 100) / 100,
        },
        "consultation_min_days": _number(
            values["consultation_min_days"], "consultation_min_days", 1, 365, integer=True
        ),
        "plan_deadline": {
            "month": _number(values["deadline_month"], "deadline_month", 1, 12, integer=True),
            "day": _number(values["deadline_day"], "deadline_day", 1, 31, integer=True),
        },
        "plan_years": {
            "first": _number(values["plan_first"], "plan_first", 2000, 2100, integer=True),
            "last": _number(values["plan_last"], "plan_last", 2000, 2100, integer=True),
        },
        "bands": {
            "good": _number(values["band_good"], "band_good", 1, 100),
            "fair": _number(values["band_fair"], "band_fair", 0, 100),
        },
        "reported_period": DEFAULT_PARAMETERS["reported_period"],
    }
    if parameters["plan_years"]["first"] > parameters["plan_years"]["last"]:
        raise RuleViolation(_("The first year must not be after the last."), "plan_first")
    if parameters["bands"]["fair"] >= parameters["bands"]["good"]:
        raise RuleViolation(_("The “fair” band must start below the “good” band."), "band_fair")
    try:
        import datetime

        datetime.date(
            2024, parameters["plan_deadline"]["month"], parameters["plan_deadline"]["day"]
        )
    except ValueError:
        raise RuleViolation(_("That day does not exist in that month."), "deadline_day") from None
    latest = current()
    if parameters == latest.parameters:
        raise RuleViolation(_("Nothing changed: this is the current methodology."), "note")
    number = (db.session.scalar(select(func.max(Methodology.version))) or 0) + 1
    version = Methodology(
        version=number,
        parameters_json=json.dumps(parameters),
        created_by_id=getattr(actor, "id", None),
        note=note,
    )
    db.session.add(version)
    return version
