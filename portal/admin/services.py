"""Administrators' changes to reference data and settings, each written to the audit log."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from portal.audit import services as audit
from portal.core.settings import SPECS, get_setting, set_setting
from portal.errors import RuleViolation
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations.models import Field
from portal.text import clean_text, fold_key


def update_ministry(actor, ministry: Ministry, name_vi: str, name_en: str, abbreviation: str):
    values = {
        "name_vi": clean_text(name_vi, max_length=200),
        "name_en": clean_text(name_en, max_length=200),
        "abbreviation": clean_text(abbreviation, max_length=32),
    }
    if not values["name_vi"] or not values["name_en"]:
        raise RuleViolation(
            _("Both names are required."), "name_vi" if not values["name_vi"] else "name_en"
        )
    changed = [name for name, value in values.items() if getattr(ministry, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(ministry, name, values[name])
    audit.record(
        "ministry.updated",
        actor=actor,
        target=ministry,
        target_label=ministry.code,
        ministry_id=ministry.id,
        detail=",".join(changed),
    )
    db.session.commit()
    return True


def update_field(actor, field: Field, name_vi: str, name_en: str) -> bool:
    from sqlalchemy import select

    name_vi = clean_text(name_vi, max_length=200)
    name_en = clean_text(name_en, max_length=200)
    if not name_vi:
        raise RuleViolation(_("The Vietnamese name is required."), "name_vi")
    key = fold_key(name_vi)
    clash = db.session.scalar(select(Field.id).where(Field.name_key == key, Field.id != field.id))
    if clash:
        raise RuleViolation(_("Another field already has this name."), "name_vi")
    values = {"name_vi": name_vi, "name_en": name_en, "name_key": key}
    changed = [name for name, value in values.items() if getattr(field, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(field, name, values[name])
    audit.record(
        "field.updated", actor=actor, target=field, target_label=name_vi, detail=",".join(changed)
    )
    db.session.commit()
    return True


def change_setting(actor, key: str, raw: str) -> bool:
    spec = SPECS.get(key)
    if spec is None:
        raise RuleViolation(_("Unknown setting."), "value")
    text = clean_text(raw).replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", text):
        text = re.sub(r"[.,]", "", text)  # 50.000 or 50,000: thousands, as people write money
    try:
        value = spec.parse(text.replace(",", "."))
    except (ValueError, ArithmeticError):
        raise RuleViolation(_("Enter a number."), "value") from None
    if hasattr(value, "is_finite") and not value.is_finite():
        raise RuleViolation(_("Enter a number."), "value")
    low, high = spec.bounds
    if not low <= value <= high:
        raise RuleViolation(
            _("Enter a value from %(low)s to %(high)s.", low=low, high=high), "value"
        )
    before = get_setting(spec)
    if before == value:
        return False
    set_setting(spec, value)
    audit.record(
        "setting.changed",
        actor=actor,
        target_type="setting",
        target_label=key,
        detail=f"{before} → {value}",
    )
    db.session.commit()
    return True


def change_methodology(actor, values: dict, note: str):
    """A new version of the reform-effort methodology; scores are recomputed with it."""
    from portal.reform.methodology import new_version

    version = new_version(actor, values, clean_text(note, multiline=True, max_length=2000))
    audit.record(
        "methodology.changed",
        actor=actor,
        target_type="methodology",
        target_label=f"v{version.version}",
        detail=version.parameters_json,
    )
    db.session.commit()
    return version
