"""The bulk datasets: what each holds, how it is written, and what it depends on.

Each dataset is written twice from one pass over the database: CSV (UTF-8 with BOM, every cell
formula-safe, the columns in `header`) and JSON Lines (one JSON object per line, the shape of
the API's items). `fingerprint()` is a handful of aggregate queries that change whenever a row
of the dataset could have changed; the store regenerates a dataset when it does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.api import serializers
from portal.api.core import N_
from portal.consultation.models import Answer, Comment, Consultation, Plan, PlanItem
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.reform.cost import hourly_rate
from portal.regulations import queries
from portal.regulations.exporter import regulation_row
from portal.regulations.fileformat import COLUMNS
from portal.regulations.models import (
    DocumentRelation,
    Field,
    LegalBasis,
    LegalDocument,
    Regulation,
    RegulationEvent,
)

BATCH = 1000


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str  # msgid, translated where shown
    description: str
    header: tuple[str, ...]
    fingerprint: Callable[[], str]
    # Yields (CSV rows, JSON object) per item: a consultation gives one CSV row per comment.
    records: Callable[[], Iterator[tuple[list[list], dict]]]


def _stamp(*statements) -> str:
    values = db.session.execute(select(*(s.scalar_subquery() for s in statements))).one()
    return "|".join(str(value) for value in values)


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------- regulations


def _regulations_fingerprint() -> str:
    return (
        _stamp(
            select(func.count(Regulation.id)),
            select(func.max(Regulation.updated_at)),
            select(func.count(LegalBasis.id)),
            select(func.max(LegalBasis.id)),
            select(func.max(LegalDocument.updated_at)),
            select(func.max(Ministry.updated_at)),
            select(func.max(Field.updated_at)),
            select(func.count(RegulationEvent.id)),
            select(func.max(RegulationEvent.id)),
        )
        + f"|{hourly_rate()}"
    )


def _regulation_records():
    rate = hourly_rate()
    statement = (
        select(Regulation)
        .where(queries.public_clause())
        .options(
            joinedload(Regulation.ministry),
            joinedload(Regulation.field),
            selectinload(Regulation.bases).joinedload(LegalBasis.document),
            selectinload(Regulation.events).joinedload(RegulationEvent.document),
        )
        .order_by(Regulation.code)
        .execution_options(yield_per=BATCH)
    )
    for regulation in db.session.scalars(statement):
        data = serializers.regulation_detail(regulation, rate, regulation.events, [])
        del data["plan_items"]
        yield [regulation_row(regulation)], data


# ---------------------------------------------------------------------------- documents

DOCUMENT_HEADER = (
    "number",
    "type",
    "title",
    "issuer",
    "issued_date",
    "effective_date",
    "regulations",
    "relations",
    "related_by",
    "url",
)


def _documents_fingerprint() -> str:
    return _stamp(
        select(func.count(LegalDocument.id)),
        select(func.max(LegalDocument.updated_at)),
        select(func.count(DocumentRelation.id)),
        select(func.max(DocumentRelation.id)),
        select(func.count(Regulation.id)),
        select(func.max(Regulation.updated_at)),
        select(func.count(LegalBasis.id)),
        select(func.max(Ministry.updated_at)),
    )


def _relations() -> tuple[dict, dict]:
    outgoing: dict[int, list] = {}
    incoming: dict[int, list] = {}
    source = LegalDocument.__table__.alias("source")
    target = LegalDocument.__table__.alias("target")
    rows = db.session.execute(
        select(
            DocumentRelation.source_id,
            DocumentRelation.target_id,
            DocumentRelation.kind,
            source.c.number,
            target.c.number,
        )
        .join(source, source.c.id == DocumentRelation.source_id)
        .join(target, target.c.id == DocumentRelation.target_id)
        .order_by(DocumentRelation.id)
    )
    for source_id, target_id, kind, source_number, target_number in rows:
        outgoing.setdefault(source_id, []).append((kind, target_number))
        incoming.setdefault(target_id, []).append((kind, source_number))
    return outgoing, incoming


def _document_records():
    outgoing, incoming = _relations()
    count = (
        select(func.count(func.distinct(LegalBasis.regulation_id)))
        .join(Regulation, Regulation.id == LegalBasis.regulation_id)
        .where(LegalBasis.document_id == LegalDocument.id, queries.public_clause())
        .correlate(LegalDocument)
        .scalar_subquery()
    )
    statement = (
        select(LegalDocument, count)
        .where(queries.public_document_clause())
        .options(joinedload(LegalDocument.issuer))
        .order_by(LegalDocument.id)
        .execution_options(yield_per=BATCH)
    )
    for document, regulations in db.session.execute(statement):
        out = outgoing.get(document.id, [])
        into = incoming.get(document.id, [])
        data = serializers.document_summary(document, regulations)
        data["relations"] = [{"kind": kind, "number": number} for kind, number in out]
        data["related_by"] = [{"kind": kind, "number": number} for kind, number in into]
        row = [
            document.number,
            document.doc_type,
            document.title,
            document.issuer.code if document.issuer else "",
            _iso(document.issued_date),
            _iso(document.effective_date),
            regulations,
            "; ".join(f"{kind} {number}" for kind, number in out),
            "; ".join(f"{kind} {number}" for kind, number in into),
            data["web_url"],
        ]
        yield [row], data


# ---------------------------------------------------------------------------- consultations

CONSULTATION_HEADER = (
    "consultation_id",
    "consultation_title",
    "ministry",
    "subject",
    "opens_on",
    "closes_on",
    "comment_id",
    "parent_id",
    "author",
    "author_category",
    "created_at_utc",
    "status",
    "body",
    "moderation_reason",
    "regulation",
    "answer_outcome",
    "answer_body",
    "answered_at_utc",
    "answer_due_at_utc",
)


def _consultations_fingerprint() -> str:
    return _stamp(
        select(func.count(Consultation.id)),
        select(func.max(Consultation.updated_at)),
        select(func.count(Comment.id)),
        select(func.max(Comment.updated_at)),
        select(func.count(Answer.id)),
        select(func.max(Answer.id)),
        select(func.max(User.updated_at)),
        select(func.max(Plan.updated_at)),
        select(func.count(PlanItem.id)),
    )


def _consultation_records():
    from portal.core.models import utcnow

    now = utcnow()
    consultations = db.session.scalars(
        select(Consultation)
        .options(joinedload(Consultation.ministry), joinedload(Consultation.draft))
        .order_by(Consultation.id)
    ).all()
    for consultation in consultations:
        comments = (
            db.session.scalars(
                select(Comment)
                .where(Comment.consultation_id == consultation.id)
                .options(
                    joinedload(Comment.author),
                    joinedload(Comment.answer).joinedload(Answer.ministry),
                    joinedload(Comment.regulation),
                )
                .order_by(Comment.id)
            )
            .unique()
            .all()
        )
        items = [serializers.comment_data(comment) for comment in comments]
        top = [c for c in comments if c.parent_id is None]
        counts = (len(top), sum(1 for c in top if c.answer is not None))
        data = serializers.consultation_summary(consultation, counts, now)
        data["comments_list"] = items
        base = [
            consultation.id,
            consultation.title,
            consultation.ministry.code,
            consultation.subject_kind,
            _iso(consultation.opens_on),
            _iso(consultation.closes_on),
        ]
        rows = []
        for item in items:
            answer = item["answer"] or {}
            rows.append(
                [
                    *base,
                    item["id"],
                    item["parent_id"] or "",
                    item["author"]["name"],
                    item["author"]["category"],
                    _iso(item["created_at"]),
                    item["status"],
                    item["body"] or "",
                    item["moderation_reason"],
                    (item["regulation"] or {}).get("code", ""),
                    answer.get("outcome", ""),
                    answer.get("body", ""),
                    _iso(answer.get("answered_at")),
                    _iso(item["due_at"]),
                ]
            )
        if not rows:
            rows.append([*base, *[""] * (len(CONSULTATION_HEADER) - len(base))])
        data["comments"] = data.pop("comments_list")
        data["comments_count"] = counts[0]
        yield rows, data


# ---------------------------------------------------------------------------- reform scores

INDICATOR_CODES = ("T1", "T2", "R1", "R2", "R3", "R4", "S1", "S2", "S3")
REFORM_HEADER = (
    "period",
    "rank",
    "ministry_code",
    "ministry",
    "methodology_version",
    "total",
    "band",
    "transparency",
    "results",
    "satisfaction",
    "groups_without_data",
    "source",
    *INDICATOR_CODES,
    "computed_at_utc",
)


def _reform_fingerprint() -> str:
    from portal.reform import index, methodology

    version = methodology.current().version
    return f"v{version}|" + "|".join(index.data_version(p) for p in index.periods())


def _reform_records():
    from portal.api.reform import ranked_scores
    from portal.reform import index

    for period in sorted(index.periods()):
        rows, _version = ranked_scores(period)
        for data in rows:
            row = [
                data["period"],
                data["rank"],
                data["ministry"]["code"],
                data["ministry"]["name_vi"],
                data["methodology_version"],
                round(data["total"], 2),
                data["band"],
                round(data["transparency"], 4),
                round(data["results"], 4),
                round(data["satisfaction"], 4),
                ",".join(data["groups_without_data"]),
                data["source"],
                *[
                    ""
                    if data["indicators"].get(c, {}).get("value") is None
                    else round(data["indicators"][c]["value"], 4)
                    for c in INDICATOR_CODES
                ],
                _iso(data["computed_at"]),
            ]
            yield [row], data


DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "regulations",
            N_("Regulations"),
            N_(
                "Every published regulation. The CSV is the import format; the JSON Lines also "
                "hold the history, legal basis and cost."
            ),
            COLUMNS,
            _regulations_fingerprint,
            _regulation_records,
        ),
        Dataset(
            "documents",
            N_("Legal documents"),
            N_("Legal documents with their relations to other documents."),
            DOCUMENT_HEADER,
            _documents_fingerprint,
            _document_records,
        ),
        Dataset(
            "consultations",
            N_("Consultations, comments and answers"),
            N_(
                "Every consultation with its comments and official answers (the CSV has one "
                "row per comment)."
            ),
            CONSULTATION_HEADER,
            _consultations_fingerprint,
            _consultation_records,
        ),
        Dataset(
            "reform-scores",
            N_("Reform-effort index"),
            N_("Every ministry's score for every year the index covers, with its indicators."),
            REFORM_HEADER,
            _reform_fingerprint,
            _reform_records,
        ),
    )
}


def json_line(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, default=_iso, sort_keys=False) + "\n").encode()
