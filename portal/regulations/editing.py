"""Use cases of the ministry workspace: one regulation or document at a time, by a person.

A form's values are checked by the importer's own RowValidator (the rules of a file row are
the rules of the form), then applied by the importer's insert/update, so that the web and the
files can never disagree. Every change records a history event naming who made it, and an
audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit import services as audit
from portal.core.models import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.i18n import format_day
from portal.ministries.models import Ministry
from portal.regulations import vocab
from portal.regulations.citations import canonical_number, number_key, parse_basis
from portal.regulations.importer import (
    ImportFailed,
    ImportResult,
    RowValidator,
    _insert,
    _update,
    import_regulations,
)
from portal.regulations.models import DocumentRelation, LegalDocument, Regulation, RegulationEvent
from portal.regulations.services import (
    DocumentResolver,
    FieldResolver,
    add_relation,
    create_document,
    local_today,
    record_event,
    snapshot,
)
from portal.text import clean_text

# The form's inputs, named as the file's columns.
FORM_COLUMNS = (
    "code",
    "kind",
    "title",
    "field",
    "status",
    "published",
    "legal_basis",
    "content",
    "time_hours",
    "cost_vnd",
    "frequency",
    "subjects",
)


@dataclass
class Change:
    """Why a regulation changed: the amending document and a note, shown in its history."""

    document_number: str = ""
    note: str = ""


def _document(number: str, field: str) -> LegalDocument | None:
    number = clean_text(number, max_length=80)
    if not number:
        return None
    items, bad = parse_basis(number)
    if bad or len(items) != 1:
        raise RuleViolation(
            _("“%(value)s” is not a document number such as 168/2017/NĐ-CP.", value=number[:80]),
            field,
        )
    return DocumentResolver().get(items[0].number)


def _validate(values: dict[str, str], ministry: Ministry):
    row_values = {
        name: clean_text(values.get(name, ""), multiline=name == "content") for name in FORM_COLUMNS
    }
    row_values["ministry"] = ministry.code
    row, errors = RowValidator().validate(0, row_values)
    if errors:
        first = errors[0]
        violation = RuleViolation(first.message, first.column or None)
        violation.all = errors
        raise violation
    return row


def save_regulation(
    actor,
    ministry: Ministry,
    values: dict[str, str],
    change: Change,
    regulation: Regulation | None = None,
) -> Regulation | None:
    """Create (regulation None) or update a regulation of `ministry` from form values.

    Returns the regulation, or None when an update changed nothing (and recorded nothing)."""
    if regulation is not None:
        values = {**values, "code": regulation.code}
        if regulation.status == "abolished" and values.get("status") != "abolished":
            raise RuleViolation(
                _("An abolished regulation cannot be brought back into force; create a new one."),
                "status",
            )
    row = _validate(values, ministry)
    document = _document(change.document_number, "document_number")
    newly_abolished = row.status == "abolished" and (
        regulation is None or regulation.status != "abolished"
    )
    if newly_abolished and document is None:
        raise RuleViolation(
            _("Enter the number of the document that abolishes the regulation."),
            "document_number",
        )
    fields, documents = FieldResolver(), DocumentResolver()
    today = local_today()
    if regulation is None:
        taken = db.session.scalar(
            select(Regulation.code).where(func.lower(Regulation.code) == row.code.lower())
        )
        if taken:
            raise RuleViolation(
                _("The code %(code)s is already used by another regulation.", code=taken), "code"
            )
        ids = _insert([row], fields, documents, today, "web", actor_id=actor.id)
        regulation = db.session.get(Regulation, ids[row.code])
        event = db.session.scalar(
            select(RegulationEvent).where(RegulationEvent.regulation_id == regulation.id)
        )
        action = "regulation.created"
    else:
        event = _update(regulation, row, fields, documents, today, "web", actor_id=actor.id)
        if event is None:
            db.session.rollback()  # documents or fields looked up on the way are not kept
            return None
        action = "regulation.abolished" if event.kind == "abolished" else "regulation.updated"
    if event is not None:
        if change.note:
            event.note = clean_text(change.note, multiline=True, max_length=2000)
        if document is not None:
            event.document_id = document.id
            if event.kind == "updated" and set(event.changed_fields.split(",")) - {"published"}:
                event.kind = "amended"  # a change made by an amending document
    audit.record(
        action,
        actor=actor,
        target=regulation,
        target_label=regulation.code,
        ministry_id=ministry.id,
        detail=event.changed_fields if event is not None else "",
    )
    db.session.commit()
    return regulation


def set_published(actor, regulation: Regulation, published: bool) -> bool:
    """Publish or withdraw a regulation; False if it already was so."""
    if regulation.published == published:
        return False
    regulation.published = published
    regulation.updated_at = utcnow()
    kind = "published" if published else "unpublished"
    db.session.add(
        RegulationEvent(
            regulation_id=regulation.id,
            kind=kind,
            event_date=local_today(),
            changed_fields="published",
            source="web",
            actor_id=actor.id,
            **snapshot(regulation),
        )
    )
    audit.record(
        f"regulation.{kind}",
        actor=actor,
        target=regulation,
        target_label=regulation.code,
        ministry_id=regulation.ministry_id,
    )
    db.session.commit()
    return True


def abolish_regulation(
    actor, regulation: Regulation, on: date, document_number: str, note: str = ""
) -> RegulationEvent:
    """Record that a document abolished the regulation on a date (not in the future)."""
    if regulation.status == "abolished":
        raise RuleViolation(_("This regulation is already abolished."), "event_date")
    if on > local_today():
        raise RuleViolation(
            _("The date cannot be in the future: record the abolition once it takes effect."),
            "event_date",
        )
    latest = db.session.scalar(
        select(func.max(RegulationEvent.event_date)).where(
            RegulationEvent.regulation_id == regulation.id
        )
    )
    if latest is not None and on < latest:
        raise RuleViolation(
            _(
                "The date cannot be before the last change recorded for this regulation "
                "(%(date)s).",
                date=format_day(latest),
            ),
            "event_date",
        )
    document = _document(document_number, "document_number")
    if document is None:
        raise RuleViolation(_("Enter the number of the abolishing document."), "document_number")
    event = record_event(
        regulation,
        "abolished",
        on,
        document=document,
        note=note,
        source="web",
        actor_id=actor.id,
    )
    regulation.updated_at = utcnow()
    audit.record(
        "regulation.abolished",
        actor=actor,
        target=regulation,
        target_label=regulation.code,
        ministry_id=regulation.ministry_id,
        detail=document.number,
    )
    db.session.commit()
    return event


def save_document(
    actor,
    ministry: Ministry,
    values: dict,
    document: LegalDocument | None = None,
) -> LegalDocument:
    """Create or update a legal document kept by `ministry`."""
    title = clean_text(values.get("title", ""), max_length=500)
    doc_type = values.get("doc_type") or ""
    if doc_type and doc_type not in vocab.DOCUMENT_TYPE_CODES:
        raise RuleViolation(_("Choose a document type from the list."), "doc_type")
    issued, effective = values.get("issued_date"), values.get("effective_date")
    if issued and effective and effective < issued:
        raise RuleViolation(
            _("A document cannot take effect before it is issued."), "effective_date"
        )
    if not title:
        raise RuleViolation(_("Enter the document's title."), "title")
    if document is None:
        raw = clean_text(values.get("number", ""), max_length=80)
        items, bad = parse_basis(raw)
        if not raw or bad or len(items) != 1 or items[0].article:
            raise RuleViolation(
                _("“%(value)s” is not a document number such as 168/2017/NĐ-CP.", value=raw[:80]),
                "number",
            )
        number = canonical_number(items[0].number)
        if db.session.scalar(
            select(LegalDocument.id).where(LegalDocument.number_key == number_key(number))
        ):
            raise RuleViolation(
                _("The document %(number)s is already in the catalogue.", number=number), "number"
            )
        document = create_document(
            number,
            doc_type=doc_type or None,
            title=title,
            issuer_id=ministry.id,
            issued_date=issued,
            effective_date=effective,
        )
        action = "document.created"
    else:
        changes = {
            "title": title,
            "doc_type": doc_type or document.doc_type,
            "issued_date": issued,
            "effective_date": effective,
        }
        changed = [name for name, value in changes.items() if getattr(document, name) != value]
        if not changed:
            return document
        for name in changed:
            setattr(document, name, changes[name])
        document.updated_at = utcnow()
        action = "document.updated"
    audit.record(
        action,
        actor=actor,
        target=document,
        target_type="document",
        target_label=document.number,
        ministry_id=ministry.id,
    )
    db.session.commit()
    return document


def import_for_ministry(actor, ministry: Ministry, data: bytes, filename: str) -> ImportResult:
    """A ministry's own file through the web: same format and all-or-nothing rule as
    `flask regulations import`; rows of other ministries are refused."""
    try:
        result = import_regulations(
            data, filename, source="web", commit=False, ministry=ministry, actor_id=actor.id
        )
    except ImportFailed:
        db.session.rollback()
        raise
    audit.record(
        "regulation.imported",
        actor=actor,
        target_type="file",
        target_label=clean_text(filename, max_length=200),
        ministry_id=ministry.id,
        detail=_(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged",
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
    )
    db.session.commit()
    return result


def add_document_relation(actor, document: LegalDocument, kind: str, target_number: str) -> bool:
    """Record that `document` amends / replaces / guides / abolishes another one (created
    with an inferred type if the catalogue does not know it yet). False if already known."""
    if kind not in vocab.RELATION_CODES:
        raise RuleViolation(_("Choose a relation from the list."), "kind")
    target = _document(target_number, "target")
    if target is None:
        raise RuleViolation(_("Enter the other document's number."), "target")
    if target.id == document.id:
        raise RuleViolation(_("A document cannot relate to itself."), "target")
    if not add_relation(document, kind, target):
        db.session.rollback()
        return False
    audit.record(
        "document.updated",
        actor=actor,
        target=document,
        target_type="document",
        target_label=document.number,
        ministry_id=document.issuer_id,
        detail=f"{kind} {target.number}",
    )
    db.session.commit()
    return True


def remove_document_relation(actor, document: LegalDocument, relation_id: int) -> bool:
    relation = db.session.get(DocumentRelation, relation_id)
    if relation is None or relation.source_id != document.id:
        return False
    detail = f"− {relation.kind} {relation.target.number}"
    db.session.delete(relation)
    audit.record(
        "document.updated",
        actor=actor,
        target=document,
        target_type="document",
        target_label=document.number,
        ministry_id=document.issuer_id,
        detail=detail,
    )
    db.session.commit()
    return True
