"""The catalogue: regulations, fields, legal documents, their relations and history."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations import vocab


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Field(TimestampMixin, db.Model):
    """A field or business line (lĩnh vực, ngành nghề)."""

    __tablename__ = "field"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True, nullable=False)
    name_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    name_vi: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    # The search index holds each regulation's field name (portal/search/documents.py): a
    # rename re-indexes the field's regulations, queued by SQL (portal/core/changes.py).
    dependents_follow = ("name_vi",)

    @classmethod
    def dependent_keys(cls, ids: list[int]):
        """The regulations of these fields."""
        return "regulation", select(Regulation.id).where(Regulation.field_id.in_(ids))

    @property
    def name(self) -> str:
        if str(get_locale()) == "en" and self.name_en:
            return self.name_en
        return self.name_vi


class LegalDocument(TimestampMixin, db.Model):
    """A legal normative document (văn bản QPPL) identified by its number."""

    __tablename__ = "legal_document"
    __table_args__ = (CheckConstraint(_in("doc_type", vocab.DOCUMENT_TYPE_CODES), name="doc_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80), nullable=False)
    number_key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    doc_type: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"), index=True)
    issued_date: Mapped[date | None] = mapped_column(Date)
    effective_date: Mapped[date | None] = mapped_column(Date)

    issuer: Mapped[Ministry | None] = relationship()

    def tracked_keys(self) -> list[tuple[str, int]]:
        return [("document", self.id)]

    # Regulations index the type, number and title of the documents they are based on
    # (portal/search/documents.py): a change to these re-indexes them, queued by SQL.
    dependents_follow = ("number", "doc_type", "title")

    @classmethod
    def dependent_keys(cls, ids: list[int]):
        """The regulations laid down in these documents."""
        return "regulation", select(LegalBasis.regulation_id).where(LegalBasis.document_id.in_(ids))

    @property
    def type_term(self):
        return vocab.term("doctype", self.doc_type)

    @property
    def display_name(self) -> str:
        """`Nghị định 168/2017/NĐ-CP` (vi), `Decree 168/2017/NĐ-CP` (en)."""
        term = self.type_term
        if self.doc_type == "other" or not term:
            return self.number
        label = _("Decision") if self.doc_type == "pm_decision" else str(term.label)
        return f"{label} {self.number}"


# The /documents page's order (newest first): its first pages are read from this index instead
# of sorting every public document.
Index("ix_legal_document_issued_number", LegalDocument.issued_date.desc(), LegalDocument.number)
# The newest change to a document, in one seek: part of the key of the caches built from the
# catalogue (portal.search.catalogue).
Index("ix_legal_document_updated_at", LegalDocument.updated_at)


class DocumentRelation(db.Model):
    """`source` amends / replaces / guides / abolishes `target`."""

    __tablename__ = "document_relation"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "kind"),
        CheckConstraint(_in("kind", vocab.RELATION_CODES), name="kind"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("legal_document.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("legal_document.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)

    source: Mapped[LegalDocument] = relationship(foreign_keys=[source_id])
    target: Mapped[LegalDocument] = relationship(foreign_keys=[target_id])


# The cost inputs the public cost totals read, after the grouping columns.
_COST_INPUTS = ("time_hours", "cost_vnd", "frequency", "subjects")


class Regulation(TimestampMixin, db.Model):
    """A business regulation of one of the six kinds, owned by one ministry."""

    __tablename__ = "regulation"
    __table_args__ = (
        CheckConstraint(_in("kind", vocab.KIND_CODES), name="kind"),
        CheckConstraint(_in("status", vocab.STATUS_CODES), name="status"),
        Index("ix_regulation_ministry_kind", "ministry_id", "kind"),
        # Public lists read in these orders straight from an index instead of sorting.
        Index("ix_regulation_published_code", "published", "code"),
        Index("ix_regulation_published_title", "published", "title"),
        Index("ix_regulation_published_updated_at", "published", "updated_at"),
        # A ministry's regulations of one kind, in code order: the commonest filtered list.
        # SQLite plans without statistics (the portal never runs ANALYZE: with statistics its
        # planner reads the ministry_kind index row by row for the grouped counts, 3-5 times
        # slower, see docs/benchmarks.md); this index lets it find such a page directly.
        Index(
            "ix_regulation_published_ministry_kind_code", "published", "ministry_id", "kind", "code"
        ),
        # Covers the public counts and cost totals (by kind, status, ministry, field) so they
        # are read from this small index instead of the table with its long contents. Ministry
        # second: SQLite prefers an index that gives the GROUP BY order, and for "per
        # ministry" it would otherwise pick the non-covering index below and read the table.
        Index(
            "ix_regulation_stats",
            "published",
            "ministry_id",
            "kind",
            "status",
            "field_id",
            "time_hours",
            "cost_vnd",
            "frequency",
            "subjects",
        ),
        # The same columns led by kind and by field: the list's grouped count by (kind, status)
        # and the counts and totals by kind (home page, a field's page) read them in GROUP BY
        # order from a covering index instead of sorting every row in a temporary B-tree.
        Index(
            "ix_regulation_stats_kind",
            *("published", "kind", "status", "ministry_id", "field_id", *_COST_INPUTS),
        ),
        Index(
            "ix_regulation_stats_field",
            *("published", "field_id", "kind", "status", "ministry_id", *_COST_INPUTS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False)
    field_id: Mapped[int | None] = mapped_column(ForeignKey("field.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Standard cost model inputs; all four are given or none is.
    time_hours: Mapped[float | None] = mapped_column(Double)
    cost_vnd: Mapped[int | None] = mapped_column(BigInteger)
    frequency: Mapped[float | None] = mapped_column(Double)
    subjects: Mapped[int | None] = mapped_column(BigInteger)
    # A draft regulation belongs to the draft legal document that would lay it down.
    draft_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft_document.id", ondelete="SET NULL"), index=True
    )

    ministry: Mapped[Ministry] = relationship()
    field: Mapped[Field | None] = relationship()
    bases: Mapped[list[LegalBasis]] = relationship(
        back_populates="regulation",
        order_by="LegalBasis.position",
        cascade="all, delete-orphan",
    )
    events: Mapped[list[RegulationEvent]] = relationship(
        back_populates="regulation",
        order_by="(RegulationEvent.event_date, RegulationEvent.id)",
        cascade="all, delete-orphan",
    )

    def tracked_keys(self) -> list[tuple[str, int]]:
        """Derived data (the search index) must follow changes to this regulation."""
        return [("regulation", self.id)]

    @property
    def kind_term(self):
        return vocab.term("kind", self.kind)

    @property
    def status_term(self):
        return vocab.term("status", self.status)

    @property
    def has_cost(self) -> bool:
        return self.frequency is not None and self.subjects is not None


class LegalBasis(db.Model):
    """Where a regulation is laid down: a document and an article reference."""

    __tablename__ = "legal_basis"
    __table_args__ = (
        UniqueConstraint("regulation_id", "document_id", "article"),
        # A document's regulations, read from the index alone: whether a document is public
        # (a published regulation cites it) and how many regulations it lays down are asked
        # for every document of a list.
        Index("ix_legal_basis_document_regulation", "document_id", "regulation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(
        ForeignKey("regulation.id", ondelete="CASCADE"), nullable=False
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("legal_document.id"), nullable=False)
    article: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    regulation: Mapped[Regulation] = relationship(back_populates="bases")
    document: Mapped[LegalDocument] = relationship()

    def tracked_keys(self) -> list[tuple[str, int]]:
        return [("regulation", self.regulation_id)]


class RegulationEvent(db.Model):
    """One step of a regulation's life, with the state it left the regulation in."""

    __tablename__ = "regulation_event"
    __table_args__ = (
        CheckConstraint(_in("kind", vocab.EVENT_CODES), name="kind"),
        CheckConstraint(_in("status", vocab.STATUS_CODES), name="status"),
        Index("ix_regulation_event_regulation_date", "regulation_id", "event_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(
        ForeignKey("regulation.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    event_date: Mapped[date] = mapped_column(Date, nullable=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("legal_document.id"), index=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    changed_fields: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="import")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # Who recorded it (ministry staff or an administrator); None for files and sample data.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Snapshot after the event: lets the institutional space and the reform-effort index be
    # computed for any past year. `published` is None for events recorded before it was kept.
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    published: Mapped[bool | None] = mapped_column(Boolean)
    time_hours: Mapped[float | None] = mapped_column(Double)
    cost_vnd: Mapped[int | None] = mapped_column(BigInteger)
    frequency: Mapped[float | None] = mapped_column(Double)
    subjects: Mapped[int | None] = mapped_column(BigInteger)

    regulation: Mapped[Regulation] = relationship(back_populates="events")
    document: Mapped[LegalDocument | None] = relationship()
    actor = relationship("User")

    @property
    def kind_term(self):
        return vocab.term("event", self.kind)
