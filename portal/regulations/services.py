"""Use cases of the catalogue that change data: reference data, documents, fields, history."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from portal.errors import RuleViolation
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations import vocab
from portal.regulations.citations import canonical_number, document_slug, number_key
from portal.regulations.models import (
    DocumentRelation,
    Field,
    LegalDocument,
    Regulation,
    RegulationEvent,
)
from portal.text import clean_text, fold_key

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SNAPSHOT_FIELDS = ("status", "published", "time_hours", "cost_vnd", "frequency", "subjects")


def local_today() -> date:
    """Today's date in Vietnam (legal dates are local dates)."""
    return datetime.now(LOCAL_TZ).date()


def snapshot(values) -> dict:
    """The state a history event records, from a dict or a Regulation."""
    if isinstance(values, dict):
        return {name: values[name] for name in SNAPSHOT_FIELDS}
    return {name: getattr(values, name) for name in SNAPSHOT_FIELDS}


def field_slug(name: str) -> str:
    return document_slug(name) or "linh-vuc"


class FieldResolver:
    """Finds fields by name (ignoring case and diacritics) and creates missing ones."""

    def __init__(self):
        self.by_key = {
            key: field_id for field_id, key in db.session.execute(select(Field.id, Field.name_key))
        }
        self.slugs = set(db.session.scalars(select(Field.slug)))
        self.created = 0

    def id_for(self, name: str, name_en: str = "") -> int | None:
        name = clean_text(name)
        if not name:
            return None
        key = fold_key(name)
        if key not in self.by_key:
            slug = base = field_slug(name)[:150]
            counter = 2
            while slug in self.slugs:
                slug = f"{base}-{counter}"
                counter += 1
            new_field = Field(name_vi=name, name_en=clean_text(name_en), name_key=key, slug=slug)
            db.session.add(new_field)
            db.session.flush()
            self.slugs.add(slug)
            self.by_key[key] = new_field.id
            self.created += 1
        return self.by_key[key]


class DocumentResolver:
    """Finds legal documents by number and creates unknown ones with an inferred type."""

    def __init__(self):
        self.by_key: dict[str, LegalDocument] = {}
        self.created = 0

    def ensure(self, numbers: Iterable[str]) -> None:
        wanted = {number_key(n): n for n in numbers if number_key(n) not in self.by_key}
        if not wanted:
            return
        keys = list(wanted)
        for start in range(0, len(keys), 2000):
            chunk = keys[start : start + 2000]
            for document in db.session.scalars(
                select(LegalDocument).where(LegalDocument.number_key.in_(chunk))
            ):
                self.by_key[document.number_key] = document
        for key, number in wanted.items():
            if key not in self.by_key:
                self.by_key[key] = create_document(number)
                self.created += 1

    def get(self, number: str) -> LegalDocument:
        key = number_key(number)
        if key not in self.by_key:
            self.ensure([number])
        return self.by_key[key]

    def id_for(self, number: str) -> int:
        return self.get(number).id


def _unique_slug(number: str) -> str:
    base = document_slug(number)[:100] or "van-ban"
    slug, counter = base, 2
    while db.session.scalar(select(LegalDocument.id).where(LegalDocument.slug == slug)):
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def create_document(number: str, **values) -> LegalDocument:
    """Add a legal document; its type is inferred from the number unless given."""
    number = canonical_number(number)
    document = LegalDocument(
        number=number,
        number_key=number_key(number),
        slug=_unique_slug(number),
        doc_type=values.pop("doc_type", None) or vocab.infer_document_type(number),
        **values,
    )
    db.session.add(document)
    db.session.flush()
    return document


def upsert_document(number: str, **values) -> tuple[LegalDocument, bool]:
    """Create or update a document by number; returns (document, changed)."""
    key = number_key(number)
    document = db.session.scalar(select(LegalDocument).where(LegalDocument.number_key == key))
    if document is None:
        return create_document(number, **values), True
    changed = False
    for name, value in values.items():
        if getattr(document, name) != value:
            setattr(document, name, value)
            changed = True
    return document, changed


def add_relation(source: LegalDocument, kind: str, target: LegalDocument) -> bool:
    """Record that `source` amends/replaces/guides/abolishes `target`; False if known."""
    if kind not in vocab.RELATION_CODES:
        raise RuleViolation(_("Unknown relation “%(kind)s”.", kind=kind), "kind")
    if source.id == target.id:
        raise RuleViolation(_("A document cannot relate to itself."), "target")
    exists = db.session.scalar(
        select(DocumentRelation.id).where(
            DocumentRelation.source_id == source.id,
            DocumentRelation.target_id == target.id,
            DocumentRelation.kind == kind,
        )
    )
    if exists:
        return False
    db.session.add(DocumentRelation(source_id=source.id, target_id=target.id, kind=kind))
    return True


def record_event(
    regulation: Regulation,
    kind: str,
    event_date: date,
    *,
    document: LegalDocument | None = None,
    note: str = "",
    changes: dict | None = None,
    source: str = "import",
    actor_id: int | None = None,
) -> RegulationEvent:
    """Apply `changes` to a regulation and record the event with the resulting state.

    An event dated before the regulation's latest event does not change the current state
    (history is being back-filled); it still records its own snapshot.
    """
    if kind not in vocab.EVENT_CODES:
        raise RuleViolation(_("Unknown history event “%(kind)s”.", kind=kind), "kind")
    changes = changes or {}
    if kind == "abolished":
        changes.setdefault("status", "abolished")
    history = select(RegulationEvent).where(RegulationEvent.regulation_id == regulation.id)
    previous = db.session.scalar(
        history.where(RegulationEvent.event_date <= event_date)
        .order_by(RegulationEvent.event_date.desc(), RegulationEvent.id.desc())
        .limit(1)
    )
    later = db.session.scalar(history.where(RegulationEvent.event_date > event_date).limit(1))
    if previous is not None and previous.status == "abolished":
        raise RuleViolation(_("The regulation was already abolished on that date."), "date")
    state = {**snapshot(previous if previous is not None else regulation), **changes}
    if later is None:
        for name, value in changes.items():
            setattr(regulation, name, value)
    event = RegulationEvent(
        regulation_id=regulation.id,
        kind=kind,
        event_date=event_date,
        document_id=document.id if document else None,
        note=clean_text(note, multiline=True),
        changed_fields=",".join(changes),
        source=source,
        actor_id=actor_id,
        **state,
    )
    db.session.add(event)
    return event


def load_ministries(rows: Iterable[dict]) -> int:
    """Create or update the reference list of ministries; returns how many changed."""
    changed = 0
    for order, row in enumerate(rows, start=1):
        code = row["code"].strip().lower()
        values = {
            "name_vi": clean_text(row["name_vi"]),
            "name_en": clean_text(row["name_en"]),
            "abbreviation": clean_text(row.get("abbreviation", "")),
            "agency_type": row.get("agency_type", "ministry").strip() or "ministry",
            "sort_order": order,
        }
        ministry = db.session.scalar(select(Ministry).where(Ministry.code == code))
        if ministry is None:
            db.session.add(Ministry(code=code, **values))
            changed += 1
            continue
        if any(getattr(ministry, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(ministry, name, value)
            changed += 1
    return changed
