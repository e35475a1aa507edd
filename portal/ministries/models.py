"""The Ministry model."""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import TimestampMixin
from portal.extensions import db


class Ministry(TimestampMixin, db.Model):
    """A ministry or ministerial-level agency, identified by its code (e.g. `byt`)."""

    __tablename__ = "ministry"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name_vi: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    abbreviation: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    agency_type: Mapped[str] = mapped_column(String(32), nullable=False, default="ministry")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_en if str(get_locale()) == "en" else self.name_vi

    def __repr__(self) -> str:
        return f"<Ministry {self.code}>"
