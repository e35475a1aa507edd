"""User accounts and the anonymous Guest."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.roles import (
    MEMBER_TYPE_CODES,
    MEMBER_TYPE_LABELS,
    ROLE_CODES,
    ROLE_LABELS,
    MemberType,
    Role,
)
from portal.core.models import TimestampMixin, UTCDateTime
from portal.extensions import db
from portal.ministries.models import Ministry


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class User(TimestampMixin, db.Model):
    """A registered person: a member, a ministry's staff member or an administrator."""

    __tablename__ = "user_account"  # `user` is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint(_in("role", ROLE_CODES), name="role"),
        CheckConstraint(_in("member_type", MEMBER_TYPE_CODES), name="member_type"),
        CheckConstraint("role <> 'staff' OR ministry_id IS NOT NULL", name="staff_ministry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: A@x.vn and a@x.vn are one account.
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    display_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=Role.MEMBER.value)
    ministry_id: Mapped[int | None] = mapped_column(ForeignKey("ministry.id"), index=True)
    # Staff an administrator has designated to moderate comments (administrators always may).
    is_moderator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    member_type: Mapped[str] = mapped_column(
        String(16), nullable=False, default=MemberType.INDIVIDUAL.value
    )
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    tax_code: Mapped[str] = mapped_column(String(14), nullable=False, default="")
    sector: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    member_firms: Mapped[int | None] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="vi")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Part of the id kept in the session cookie: rotating it ends every existing session.
    session_token: Mapped[str] = mapped_column(
        String(64), nullable=False, default=new_session_token
    )
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ministry: Mapped[Ministry | None] = relationship()

    # Flask-Login's interface ------------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    def get_id(self) -> str:
        """`id:token`; the token changes on sign-out, password change and deactivation."""
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    # Roles ------------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN and self.is_active

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF and self.ministry_id is not None and self.is_active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_label(self):
        return ROLE_LABELS[Role(self.role)]

    @property
    def member_type_label(self):
        return MEMBER_TYPE_LABELS[MemberType(self.member_type)]

    @property
    def public_name(self) -> str:
        """How the account's public contributions are signed."""
        if self.deleted_at is not None:
            return _("Deleted account")
        if self.organisation and self.member_type != MemberType.INDIVIDUAL:
            return (
                f"{self.display_name} ({self.organisation})"
                if self.display_name
                else (self.organisation)
            )
        return self.display_name or _("Member")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Guest(AnonymousUserMixin):
    """The visitor who has not signed in: every permission check works without None."""

    id = None
    role = "guest"
    ministry_id = None
    ministry = None
    is_admin = False
    is_staff = False
    is_moderator = False
    is_verified = False
    display_name = ""
    email = ""
