"""Catalogue rows → index entries (what a search can find them by)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.regulations import vocab
from portal.regulations.citations import number_key
from portal.regulations.models import LegalBasis, LegalDocument, Regulation
from portal.search.analysis import folded, has_marks, syllables
from portal.search.backend import IndexEntry, make_eid, split_eid

_NUMBER_YEAR = re.compile(r"^(\d{1,5})/(\d{4})/")


def citation_keys(document: LegalDocument) -> list[str]:
    """`15/2018/ND-CP` and `decree:15/2018` for Nghị định 15/2018/NĐ-CP."""
    keys = [number_key(document.number)]
    match = _NUMBER_YEAR.match(document.number)
    if match:
        keys.append(f"{document.doc_type}:{int(match.group(1))}/{match.group(2)}")
    return keys


def _entry(
    eid: int, title: str, body_parts: Iterable[str], citations: list[str], phrase_parts: int = 2
) -> IndexEntry:
    """Index fields for one entry. Phrases are looked for in the title and the first
    `phrase_parts - 1` body parts (the text itself), not in codes, bases or labels."""
    title_exact = syllables(title)
    runs_exact = [title_exact] + [syllables(part or "") for part in body_parts]
    all_exact = [token for run in runs_exact for token in run]
    return IndexEntry(
        eid=eid,
        f=folded(all_exact),
        t=folded(title_exact),
        # The engine asks for exact forms only of syllables typed with marks.
        e=[token for token in all_exact if has_marks(token)],
        c=citations,
        runs=[folded(run) for run in runs_exact[:phrase_parts]],
    )


def regulation_entry(regulation: Regulation) -> IndexEntry:
    kind = vocab.term("kind", regulation.kind)
    # Vietnamese type names whatever the language of the request that triggered indexing.
    # The legal basis, with each document's title: a regulation is about what its decree is
    # about ("Nghị định về kinh doanh xăng dầu").
    basis_text = [
        f"{vocab.term('doctype', basis.document.doc_type).abbreviation} "
        f"{basis.document.number} {basis.article}. {basis.document.title}"
        for basis in regulation.bases
    ]
    citations = [f"code:{regulation.code.lower()}"]
    for basis in regulation.bases:
        citations.extend(citation_keys(basis.document))
    # Phrases are looked for in the title, the content, the field and the kind (the first four
    # runs); the code and the long legal-basis texts only count as words.
    body = [
        regulation.content,
        regulation.field.name_vi if regulation.field else "",
        f"{kind.abbreviation} {' '.join(kind.aliases[:1])}",
        regulation.code.replace("-", " "),
        *basis_text,
    ]
    return _entry(
        make_eid("regulation", regulation.id), regulation.title, body, citations, phrase_parts=4
    )


def document_entry(document: LegalDocument) -> IndexEntry:
    keys = citation_keys(document)
    citations = keys + ["own:" + key for key in keys]
    title = f"{vocab.term('doctype', document.doc_type).abbreviation} {document.number}"
    return _entry(make_eid("document", document.id), title, [document.title], citations)


def consultation_entry(consultation) -> IndexEntry:
    """A consultation is found by its title, what it asks, and its draft's or plan's text."""
    subject = consultation.draft or consultation.plan
    body = [
        consultation.summary,
        subject.title if subject else "",
        subject.summary if subject else "",
    ]
    return _entry(make_eid("consultation", consultation.id), consultation.title, body, [])


def load_entries(session: Session, eids: Iterable[int]) -> tuple[list[IndexEntry], list[int]]:
    """Entries for the given eids, and the eids whose rows no longer exist."""
    wanted: dict[str, set[int]] = {"regulation": set(), "document": set(), "consultation": set()}
    for eid in eids:
        entity, entity_id = split_eid(eid)
        wanted[entity].add(entity_id)
    entries: list[IndexEntry] = []
    found: set[int] = set()
    for regulation in _regulations(session, wanted["regulation"]):
        entries.append(regulation_entry(regulation))
        found.add(entries[-1].eid)
    for document in _documents(session, wanted["document"]):
        entries.append(document_entry(document))
        found.add(entries[-1].eid)
    for consultation in _consultations(session, wanted["consultation"]):
        entries.append(consultation_entry(consultation))
        found.add(entries[-1].eid)
    missing = [eid for eid in eids if eid not in found]
    return entries, missing


def _regulations(session: Session, ids: set[int] | None) -> Iterator[Regulation]:
    statement = (
        select(Regulation)
        .options(
            joinedload(Regulation.field),
            selectinload(Regulation.bases).joinedload(LegalBasis.document),
        )
        .order_by(Regulation.id)
    )
    if ids is not None:
        if not ids:
            return
        id_list = sorted(ids)
        for start in range(0, len(id_list), 1000):
            chunk = statement.where(Regulation.id.in_(id_list[start : start + 1000]))
            yield from session.scalars(chunk)
        return
    yield from session.scalars(statement.execution_options(yield_per=500))


def _documents(session: Session, ids: set[int] | None) -> Iterator[LegalDocument]:
    statement = select(LegalDocument).order_by(LegalDocument.id)
    if ids is not None:
        if not ids:
            return
        id_list = sorted(ids)
        for start in range(0, len(id_list), 1000):
            yield from session.scalars(
                statement.where(LegalDocument.id.in_(id_list[start : start + 1000]))
            )
        return
    yield from session.scalars(statement.execution_options(yield_per=500))


def _consultations(session: Session, ids: set[int] | None):
    from portal.consultation.models import Consultation

    statement = (
        select(Consultation)
        .options(joinedload(Consultation.draft), joinedload(Consultation.plan))
        .order_by(Consultation.id)
    )
    if ids is not None:
        if not ids:
            return
        statement = statement.where(Consultation.id.in_(sorted(ids)))
    yield from session.scalars(statement)


def all_entries(session: Session) -> Iterator[IndexEntry]:
    """Every regulation, legal document and consultation (for a full rebuild)."""
    for regulation in _regulations(session, None):
        yield regulation_entry(regulation)
    for document in _documents(session, None):
        yield document_entry(document)
    for consultation in _consultations(session, None):
        yield consultation_entry(consultation)
