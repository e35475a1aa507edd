"""The reform-effort index: methodology versions and the scores computed with them."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db
from portal.ministries.models import Ministry


class Methodology(db.Model):
    """One version of the scoring rules. A change by an administrator makes a new version;
    every stored score names the version it was computed with."""

    __tablename__ = "reform_methodology"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    parameters_json: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    @property
    def parameters(self) -> dict:
        return json.loads(self.parameters_json)


class ReformScore(db.Model):
    """A ministry's score for a period (calendar year) under one methodology version."""

    __tablename__ = "reform_score"
    __table_args__ = (UniqueConstraint("ministry_id", "period", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), nullable=False, index=True)
    period: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    version: Mapped[int] = mapped_column(ForeignKey("reform_methodology.version"), nullable=False)
    total: Mapped[float] = mapped_column(Double, nullable=False)
    transparency: Mapped[float] = mapped_column(Double, nullable=False)
    results: Mapped[float] = mapped_column(Double, nullable=False)
    satisfaction: Mapped[float] = mapped_column(Double, nullable=False)
    # Groups in which no indicator had data (scored 0), comma-separated.
    flags: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    # live | reported | mixed: where the indicators came from.
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="live")
    indicators_json: Mapped[str] = mapped_column(Text, nullable=False)
    data_version: Mapped[str] = mapped_column(String(300), nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    ministry: Mapped[Ministry] = relationship()

    @property
    def indicators(self) -> dict:
        return json.loads(self.indicators_json)

    @property
    def flagged(self) -> set[str]:
        return set(filter(None, self.flags.split(",")))
