"""What the database says about every searchable entry: visibility and facet values.

The index only proposes candidates; this snapshot, read from the database and rebuilt whenever
the catalogue changes, decides what a visitor may see and what the facets count. A regulation
that is unpublished never shows in results, counts or snippets, whatever the index holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.consultation.models import Consultation, DraftDocument
from portal.core.versioned import LatestVersion
from portal.extensions import db
from portal.regulations.models import LegalDocument, Regulation, RegulationEvent
from portal.regulations.queries import catalogue_change_marks, public_document_clause
from portal.search.backend import make_eid


@dataclass(frozen=True, slots=True)
class Info:
    public: bool
    date: date | None
    # (entity, kind, ministry_id, field_id, status, doc_type): the facet values.
    facets: tuple


_snapshots: LatestVersion[dict[int, Info]] = LatestVersion()


def _version() -> tuple:
    """Changes whenever anything in the snapshot can have changed (one round trip)."""
    marks = [
        *catalogue_change_marks(),
        select(func.max(RegulationEvent.id)).scalar_subquery(),
        select(func.count()).select_from(Consultation).scalar_subquery(),
        select(func.max(Consultation.updated_at)).scalar_subquery(),
    ]
    return tuple(db.session.execute(select(*marks)).one())


def snapshot() -> dict[int, Info]:
    """{eid: Info} for every regulation and legal document (cached per data version)."""
    return _snapshots.get(_version(), _build)


def _build() -> dict[int, Info]:
    latest = (
        select(RegulationEvent.regulation_id, func.max(RegulationEvent.event_date).label("day"))
        .group_by(RegulationEvent.regulation_id)
        .subquery()
    )
    entries: dict[int, Info] = {}
    rows = db.session.execute(
        select(
            Regulation.id,
            Regulation.published,
            Regulation.kind,
            Regulation.ministry_id,
            Regulation.field_id,
            Regulation.status,
            latest.c.day,
        ).join(latest, latest.c.regulation_id == Regulation.id, isouter=True)
    )
    for reg_id, published, kind, ministry_id, field_id, status, day in rows:
        entries[make_eid("regulation", reg_id)] = Info(
            bool(published), day, ("regulation", kind, ministry_id, field_id, status, None)
        )
    rows = db.session.execute(
        select(
            LegalDocument.id,
            LegalDocument.doc_type,
            LegalDocument.issuer_id,
            func.coalesce(LegalDocument.issued_date, LegalDocument.effective_date),
            public_document_clause().label("public"),
        )
    )
    for doc_id, doc_type, issuer_id, day, public in rows:
        entries[make_eid("document", doc_id)] = Info(
            bool(public), day, ("document", None, issuer_id, None, None, doc_type)
        )
    # Consultations are public from the moment they are published; their state (open,
    # closed) depends on the clock, not the data, so it is shown on the page, not faceted.
    rows = db.session.execute(
        select(
            Consultation.id, Consultation.ministry_id, DraftDocument.field_id, Consultation.opens_at
        ).join(DraftDocument, DraftDocument.id == Consultation.draft_id, isouter=True)
    )
    for consultation_id, ministry_id, field_id, opens_at in rows:
        entries[make_eid("consultation", consultation_id)] = Info(
            True,
            opens_at.date() if opens_at else None,
            ("consultation", None, ministry_id, field_id, None, None),
        )
    return entries
