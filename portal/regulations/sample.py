"""Reference data and the sample catalogue that `make run` loads (idempotently)."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations.importer import import_regulations
from portal.regulations.models import Field, Regulation
from portal.regulations.services import (
    DocumentResolver,
    FieldResolver,
    add_relation,
    load_ministries,
    record_event,
    upsert_document,
)
from portal.text import clean_text, fold_key

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REFERENCE_DIR = DATA_DIR / "reference"
SAMPLE_DIR = DATA_DIR / "sample"


@dataclass
class SampleResult:
    ministries_changed: int = 0
    fields_changed: int = 0
    documents_changed: int = 0
    relations_added: int = 0
    regulations_created: int = 0
    events_added: int = 0

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(value: str) -> date | None:
    value = value.strip()
    return date.fromisoformat(value) if value else None


def _number(value: str, kind: type):
    value = value.strip()
    return kind(value) if value else None


def load_reference() -> int:
    """Ministries and ministerial-level agencies (codes from the seed reference list)."""
    changed = load_ministries(_rows(REFERENCE_DIR / "ministries.csv"))
    db.session.commit()
    return changed


def _load_fields() -> int:
    changed = 0
    resolver = FieldResolver()
    for row in _rows(SAMPLE_DIR / "fields.csv"):
        key = fold_key(row["name_vi"])
        existing = db.session.scalar(select(Field).where(Field.name_key == key))
        if existing is None:
            resolver.id_for(row["name_vi"], row["name_en"])
            changed += 1
        elif not existing.name_en and row["name_en"]:
            existing.name_en = clean_text(row["name_en"])
            changed += 1
    return changed


def _load_documents() -> int:
    issuers = dict(db.session.execute(select(Ministry.code, Ministry.id)).all())
    changed = 0
    for row in _rows(SAMPLE_DIR / "documents.csv"):
        _document, was_changed = upsert_document(
            row["number"],
            doc_type=row["type"].strip(),
            title=clean_text(row["title"]),
            issuer_id=issuers.get(row["issuer"].strip().lower()) if row["issuer"] else None,
            issued_date=_date(row["issued_date"]),
            effective_date=_date(row["effective_date"]),
        )
        changed += was_changed
    return changed


def _load_relations(documents: DocumentResolver) -> int:
    added = 0
    for row in _rows(SAMPLE_DIR / "document_relations.csv"):
        added += add_relation(
            documents.get(row["source"]), row["kind"].strip(), documents.get(row["target"])
        )
    return added


def _load_history(created: set[str], documents: DocumentResolver) -> int:
    rows = [row for row in _rows(SAMPLE_DIR / "history.csv") if row["code"] in created]
    rows.sort(key=lambda row: (row["date"], row["code"]))
    regulations = {
        regulation.code: regulation
        for regulation in db.session.scalars(
            select(Regulation).where(Regulation.code.in_({row["code"] for row in rows}))
        )
    }
    for row in rows:
        changes = {}
        if row["status"].strip():
            changes["status"] = row["status"].strip()
        for name, kind in (
            ("time_hours", float),
            ("cost_vnd", int),
            ("frequency", float),
            ("subjects", int),
        ):
            value = _number(row[name], kind)
            if value is not None:
                changes[name] = value
        record_event(
            regulations[row["code"]],
            row["kind"].strip(),
            date.fromisoformat(row["date"].strip()),
            document=documents.get(row["document"]) if row["document"].strip() else None,
            note=row["note"],
            changes=changes,
            source="sample",
        )
    return len(rows)


def load_sample() -> SampleResult:
    """Load the sample catalogue; running it again changes nothing."""
    result = SampleResult(ministries_changed=load_reference())
    result.fields_changed = _load_fields()
    result.documents_changed = _load_documents()
    db.session.flush()
    documents = DocumentResolver()
    result.relations_added = _load_relations(documents)
    data = (SAMPLE_DIR / "regulations.csv").read_bytes()
    imported = import_regulations(
        data, "regulations.csv", insert_only=True, source="sample", commit=False
    )
    result.regulations_created = imported.created
    result.events_added = _load_history(set(imported.created_codes), documents)
    db.session.commit()
    logger.info("Sample data: %s", result)
    return result
