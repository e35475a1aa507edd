"""Drafts, cut/simplify plans, consultations, comments and feedback, answers and ratings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.consultation import vocab
from portal.core.models import TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations.models import Field, LegalDocument, Regulation
from portal.regulations.vocab import DOCUMENT_TYPE_CODES

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class DraftDocument(TimestampMixin, db.Model):
    """A future legal document of a ministry (dự thảo văn bản QPPL) and its draft regulations."""

    __tablename__ = "draft_document"
    __table_args__ = (CheckConstraint(_in("doc_type", DOCUMENT_TYPE_CODES), name="doc_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    doc_type: Mapped[str] = mapped_column(String(20), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    field_id: Mapped[int | None] = mapped_column(ForeignKey("field.id"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    ministry: Mapped[Ministry] = relationship()
    field: Mapped[Field | None] = relationship()
    regulations: Mapped[list[Regulation]] = relationship(
        primaryjoin="DraftDocument.id == foreign(Regulation.draft_document_id)",
        order_by="Regulation.code",
        viewonly=True,
    )

    # A consultation indexes its subject's title and summary (portal/search/documents.py): a
    # change to these re-indexes the consultations on it, queued by SQL (portal.core.changes).
    dependents_follow = ("title", "summary")

    @classmethod
    def dependent_keys(cls, ids: list[int]):
        return "consultation", select(Consultation.id).where(Consultation.draft_id.in_(ids))


class Plan(TimestampMixin, db.Model):
    """A ministry's plan to cut and simplify business regulations (phương án)."""

    __tablename__ = "reform_plan"
    __table_args__ = (CheckConstraint(_in("status", vocab.PLAN_STATUS_CODES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The annual cycle the plan belongs to: due to the Prime Minister before 30 September.
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="drafting")
    submitted_on: Mapped[date | None] = mapped_column(Date)
    decision_number: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    implemented_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    ministry: Mapped[Ministry] = relationship()
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", order_by="PlanItem.position", cascade="all, delete-orphan"
    )

    @property
    def status_term(self):
        return vocab.term("plan_status", self.status)

    # As for drafts: the consultations on a plan index its title and summary.
    dependents_follow = ("title", "summary")

    @classmethod
    def dependent_keys(cls, ids: list[int]):
        return "consultation", select(Consultation.id).where(Consultation.plan_id.in_(ids))


class PlanItem(db.Model):
    """One regulation a plan abolishes, simplifies or amends, with its cost afterwards."""

    __tablename__ = "plan_item"
    __table_args__ = (
        UniqueConstraint("plan_id", "regulation_id"),
        CheckConstraint(_in("action", vocab.ACTION_CODES), name="action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("reform_plan.id", ondelete="CASCADE"), nullable=False, index=True
    )
    regulation_id: Mapped[int] = mapped_column(
        ForeignKey("regulation.id"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The cost inputs before the change (taken when the item is added, refreshed when it is
    # done) and once it is made (all None for an abolition: no cost at all). The saving is
    # computed from both with the hourly labour cost, in SQL, by the reform-effort index.
    time_hours_before: Mapped[float | None] = mapped_column(Double)
    cost_vnd_before: Mapped[int | None] = mapped_column(BigInteger)
    frequency_before: Mapped[float | None] = mapped_column(Double)
    subjects_before: Mapped[int | None] = mapped_column(BigInteger)
    time_hours_after: Mapped[float | None] = mapped_column(Double)
    cost_vnd_after: Mapped[int | None] = mapped_column(BigInteger)
    frequency_after: Mapped[float | None] = mapped_column(Double)
    subjects_after: Mapped[int | None] = mapped_column(BigInteger)
    due_date: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_document_id: Mapped[int | None] = mapped_column(ForeignKey("legal_document.id"))

    plan: Mapped[Plan] = relationship(back_populates="items")
    regulation: Mapped[Regulation] = relationship()
    done_document: Mapped[LegalDocument | None] = relationship()

    @property
    def action_term(self):
        return vocab.term("action", self.action)


class Consultation(TimestampMixin, db.Model):
    """A draft or a plan opened for comment, between two moments (stored in UTC)."""

    __tablename__ = "consultation"
    __table_args__ = (
        CheckConstraint("(draft_id IS NULL) <> (plan_id IS NULL)", name="one_subject"),
        CheckConstraint("closes_at > opens_at", name="window"),
        Index("ix_consultation_window", "opens_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False, index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft_document.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("reform_plan.id"), index=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Days from the opening day to the closing day, both included (the reform index's T2).
    length_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # When the followers were told that it opened, that it closed, and that every comment has
    # its answer (portal.consultation.notifications): set once, so nobody is told twice.
    opening_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ministry: Mapped[Ministry] = relationship()
    draft: Mapped[DraftDocument | None] = relationship()
    plan: Mapped[Plan | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="consultation",
        order_by="Attachment.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def state(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"

    def tracked_keys(self) -> list[tuple[str, int]]:
        """The search index follows consultations (portal.core.changes)."""
        return [("consultation", self.id)]

    @property
    def opens_on(self) -> date:
        """The opening day in Vietnam."""
        return self.opens_at.astimezone(LOCAL_TZ).date()

    @property
    def closes_on(self) -> date:
        """The last day comments are accepted, in Vietnam (the window ends at its midnight)."""
        return (self.closes_at - timedelta(microseconds=1)).astimezone(LOCAL_TZ).date()

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days until closing, counting today (0 once closed)."""
        now = now or utcnow()
        if now >= self.closes_at:
            return 0
        return (self.closes_on - now.astimezone(LOCAL_TZ).date()).days + 1

    @property
    def subject_kind(self) -> str:
        return "draft" if self.draft_id else "plan"

    @property
    def field_id(self) -> int | None:
        return self.draft.field_id if self.draft else None


class Attachment(db.Model):
    """A PDF or DOCX file of a consultation, kept in the database (shared by every server)."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="attachments")


class Comment(TimestampMixin, db.Model):
    """A comment in a consultation, a reply to one, or feedback on a regulation in force."""

    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint("kind IN ('comment', 'feedback')", name="kind"),
        CheckConstraint(_in("status", vocab.COMMENT_STATUSES), name="status"),
        CheckConstraint(
            "kind = 'feedback' OR consultation_id IS NOT NULL", name="comment_has_consultation"
        ),
        UniqueConstraint("author_id", "idempotency_key"),
        Index("ix_comment_ministry_due", "ministry_id", "due_at"),
        Index("ix_comment_consultation_created", "consultation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="comment")
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"))
    # The draft regulation, plan item's regulation or regulation in force commented on.
    regulation_id: Mapped[int | None] = mapped_column(ForeignKey("regulation.id"), index=True)
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_item.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    # The ministry that must answer (the consultation's or the regulation's owner).
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False)
    author_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), nullable=False, index=True
    )
    # Who the author spoke for when posting (doanh nghiệp, hiệp hội, cá nhân …).
    author_category: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    receipt: Mapped[str | None] = mapped_column(String(24), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="visible")
    report_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    moderation_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Top-level comments and feedback are answered officially by this time; replies are not.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    consultation: Mapped[Consultation | None] = relationship()
    regulation: Mapped[Regulation | None] = relationship()
    plan_item: Mapped[PlanItem | None] = relationship()
    ministry: Mapped[Ministry] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    answer: Mapped[Answer | None] = relationship(back_populates="comment", uselist=False)
    rating: Mapped[Rating | None] = relationship(back_populates="comment", uselist=False)
    revisions: Mapped[list[CommentRevision]] = relationship(
        order_by="CommentRevision.id", viewonly=True
    )

    @property
    def answerable(self) -> bool:
        return self.parent_id is None

    @property
    def earlier_versions(self) -> list[tuple[datetime, str]]:
        """(when it was written, text) for each text the comment had before its last edit,
        oldest first: a revision keeps the text an edit replaced, stamped with that edit."""
        revisions = self.revisions
        if not revisions:
            return []
        written = [self.created_at] + [revision.created_at for revision in revisions[:-1]]
        return list(zip(written, (revision.body for revision in revisions), strict=True))


class CommentRevision(db.Model):
    """A comment's text before an edit (edits keep history)."""

    __tablename__ = "comment_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), nullable=False, index=True
    )
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CommentReport(db.Model):
    """Someone signed in reported a comment (once per person)."""

    __tablename__ = "comment_report"
    __table_args__ = (UniqueConstraint("comment_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Answer(db.Model):
    """The owning ministry's official answer to a comment or feedback (one per comment)."""

    __tablename__ = "official_answer"
    __table_args__ = (CheckConstraint(_in("outcome", vocab.OUTCOME_CODES), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, index=True
    )

    comment: Mapped[Comment] = relationship(back_populates="answer")
    ministry: Mapped[Ministry] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def outcome_term(self):
        return vocab.term("outcome", self.outcome)


class Rating(db.Model):
    """The comment's author rates the answer it received: 1–5, once."""

    __tablename__ = "answer_rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False, index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    remark: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="rating")


class Follow(db.Model):
    """A member follows a ministry, a field or a consultation."""

    __tablename__ = "follow"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id"),
        CheckConstraint(_in("target_type", vocab.FOLLOW_TARGETS), name="target_type"),
        Index("ix_follow_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False
    )
    target_type: Mapped[str] = mapped_column(String(16), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
