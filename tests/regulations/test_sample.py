"""The sample catalogue that `make run` loads: realistic, complete and idempotent."""

from __future__ import annotations

import csv
import unicodedata

from sqlalchemy import func, select

from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations.models import (
    DocumentRelation,
    LegalDocument,
    Regulation,
    RegulationEvent,
)
from portal.regulations.sample import SAMPLE_DIR, load_sample


def scalar(statement):
    return db.session.scalar(statement)


def test_sample_loads_once_and_a_second_run_changes_nothing():
    first = load_sample()
    assert first.regulations_created >= 300
    counts = {
        model: scalar(select(func.count()).select_from(model))
        for model in (Regulation, LegalDocument, DocumentRelation, RegulationEvent, Ministry)
    }
    stamps = scalar(select(func.max(Regulation.updated_at)))
    second = load_sample()
    assert not second.changed, second
    assert counts == {model: scalar(select(func.count()).select_from(model)) for model in counts}
    assert scalar(select(func.max(Regulation.updated_at))) == stamps


def test_sample_covers_every_kind_status_and_at_least_15_ministries():
    load_sample()
    kinds = dict(
        db.session.execute(select(Regulation.kind, func.count()).group_by(Regulation.kind)).all()
    )
    assert set(kinds) == {
        "procedure",
        "condition",
        "report",
        "inspection",
        "standard",
        "prohibition",
    }
    assert scalar(select(func.count(func.distinct(Regulation.ministry_id)))) >= 15
    statuses = dict(
        db.session.execute(
            select(Regulation.status, func.count()).group_by(Regulation.status)
        ).all()
    )
    assert statuses.get("draft", 0) >= 5 and statuses.get("abolished", 0) >= 5
    assert scalar(select(func.count()).where(Regulation.published.is_(False))) > 0
    # Procedures carry cost inputs; abolished ones have a dated event with its document.
    procedures_without_cost = scalar(
        select(func.count()).where(Regulation.kind == "procedure", Regulation.frequency.is_(None))
    )
    assert procedures_without_cost == 0
    abolished = db.session.scalars(
        select(RegulationEvent).where(RegulationEvent.kind == "abolished")
    ).all()
    assert abolished and all(event.document_id for event in abolished)
    years = {event.event_date.year for event in db.session.scalars(select(RegulationEvent))}
    assert len(years) >= 5


def test_sample_files_are_clean_nfc_vietnamese():
    for path in SAMPLE_DIR.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        assert not text.startswith("\ufeff"), path
        assert unicodedata.is_normalized("NFC", text), path
        for row in csv.reader(text.splitlines()):
            for cell in row:
                assert cell == cell.strip(), (path.name, cell)
                assert not any(ord(ch) < 32 for ch in cell), (path.name, cell)
