"""Messages waiting in, or gone through, the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db

MAIL_STATUSES = ("pending", "sent", "logged", "failed")


class MailMessage(db.Model):
    """One e-mail. In development it is written to the log (status `logged`); in production
    it is sent over SMTP (`sent`), retried by `flask mail send` while `pending`."""

    __tablename__ = "mail_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'logged', 'failed')", name="status"),
        Index("ix_mail_message_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    to_address: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
