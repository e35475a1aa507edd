"""One row per security-relevant or data-changing action."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db
from portal.ministries.models import Ministry


class AuditEvent(db.Model):
    """An entry of the audit log. Failed sign-ins also serve as the sign-in rate limiter's
    shared store, so that the limit holds across every web worker."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_action_created_at", "action", "created_at"),
        Index("ix_audit_event_action_subject_key", "action", "subject_key", "created_at"),
        Index("ix_audit_event_action_ip", "action", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(48), nullable=False)
    target_type: Mapped[str] = mapped_column(String(24), nullable=False, default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"), index=True)
    # The account an authentication event concerns (lower-cased e-mail), also when unknown.
    subject_key: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    ip: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")

    actor: Mapped[User | None] = relationship()
    ministry: Mapped[Ministry | None] = relationship()
