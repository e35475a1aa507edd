"""Account use cases. Each checks its rules, changes the data, writes the audit log and
commits once; e-mail is queued in the same transaction and delivered after the commit."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from portal.accounts import throttle
from portal.accounts.models import User
from portal.accounts.passwords import (
    burn_time,
    hash_password,
    password_problem,
    verify_password,
)
from portal.accounts.roles import ORGANISATION_TYPES, MemberType, Role
from portal.accounts.tokens import (
    check_reset_token,
    check_verification_token,
    reset_token,
    verification_token,
)
from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.audit.services import client_ip
from portal.core.models import utcnow
from portal.errors import PortalError, RuleViolation
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.mail.services import commit_and_deliver, queue_mail
from portal.ministries.models import Ministry
from portal.text import clean_text

logger = logging.getLogger(__name__)

# ASCII digits only: `\d` also matches ٠١٢ (Arabic-Indic), ０１２ (fullwidth) and every other
# script's digits, which would then be stored as typed.
TAX_CODE_RE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?")
# Fullwidth digits and dashes come with text pasted from CJK-locale documents; they are read as
# their ASCII forms. Only these: NFKC would also turn ① or ¹ into 1.
_TAX_CODE_FOLD = str.maketrans(
    {**{0xFF10 + n: str(n) for n in range(10)}, "－": "-", "‐": "-", "‑": "-", "–": "-", "—": "-"}
)


class TooManyAttempts(PortalError):
    """A rate limit refused the request; `seconds` until it may be tried again."""

    def __init__(self, seconds: int):
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds

    @property
    def message(self) -> str:
        minutes = max(1, (self.seconds + 59) // 60)
        return _(
            "Too many attempts. For your security, please wait %(minutes)s minute(s) and try "
            "again.",
            minutes=minutes,
        )


class SignInRefused(PortalError):
    """Wrong e-mail or password, or an account that may not sign in."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------- helpers


def normalise_email(raw: str) -> str:
    """One spelling per address: NFC, trimmed, lower-cased (A@x.vn is a@x.vn)."""
    return clean_text(raw, max_length=254).lower()


def normalise_password(raw: str | None) -> str:
    """NFC only: a password typed on another keyboard layout is still the same password.
    Spaces and case are kept."""
    return unicodedata.normalize("NFC", raw or "")


def normalise_tax_code(raw: str) -> str:
    """`0101234567001`, `0101234567 - 001` and `０１０１２３４５６７－００１` become
    `0101234567-001`; other non-ASCII digits are left for tax_code_problem to refuse."""
    compact = re.sub(r"[\s.]", "", clean_text(raw).translate(_TAX_CODE_FOLD))
    if re.fullmatch(r"[0-9]{13}", compact):
        compact = f"{compact[:10]}-{compact[10:]}"
    return compact


def tax_code_problem(value: str) -> str | None:
    if any(ch.isdigit() and not ch.isascii() for ch in value):
        return _("Type the tax code with the digits 0 to 9.")
    if not TAX_CODE_RE.fullmatch(value):
        return _("A tax code has 10 digits, or 13 for a branch written as 0101234567-001.")
    return None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def load_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def _send_verification(user: User) -> None:
    queue_mail(
        "verify",
        user.email,
        "verify_email",
        user.locale,
        user=user,
        link=url_for("accounts.verify", token=verification_token(user), _external=True),
    )
    audit.record("account.link_sent", actor=user, subject_key=user.email, detail="verify")


@dataclass
class Profile:
    """What a member says about themself (the registration and profile forms)."""

    display_name: str
    member_type: str = MemberType.INDIVIDUAL.value
    organisation: str = ""
    tax_code: str = ""
    sector: str = ""
    member_firms: int | None = None
    locale: str = "vi"


def _apply_profile(user: User, profile: Profile) -> list[str]:
    """Check the rules that depend on the member type, then apply; returns changed fields."""
    member_type = MemberType(profile.member_type)
    values = {
        "display_name": clean_text(profile.display_name, max_length=120),
        "member_type": member_type.value,
        "organisation": clean_text(profile.organisation, max_length=200),
        "tax_code": normalise_tax_code(profile.tax_code),
        "sector": clean_text(profile.sector, max_length=200),
        "member_firms": profile.member_firms,
        "locale": profile.locale if profile.locale in ("vi", "en") else "vi",
    }
    if not values["display_name"]:
        raise RuleViolation(_("Enter your name."), "display_name")
    if member_type in ORGANISATION_TYPES and not values["organisation"]:
        raise RuleViolation(_("Enter the name of the organisation you speak for."), "organisation")
    if member_type == MemberType.BUSINESS:
        problem = tax_code_problem(values["tax_code"])
        if problem:
            raise RuleViolation(problem, "tax_code")
    else:
        values["tax_code"] = ""
    if member_type == MemberType.ASSOCIATION:
        if not values["sector"]:
            raise RuleViolation(_("Enter the sector the association represents."), "sector")
        if values["member_firms"] is None or values["member_firms"] < 1:
            raise RuleViolation(
                _("Enter how many member firms the association has."), "member_firms"
            )
    else:
        values["sector"] = ""
        values["member_firms"] = None
    if member_type not in ORGANISATION_TYPES:
        values["organisation"] = ""
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    return changed


def _check_new_password(password: str, email: str, field: str = "password") -> None:
    problem = password_problem(password, email)
    if problem:
        raise RuleViolation(problem, field)


# ---------------------------------------------------------------------------- members


def register(email: str, password: str, profile: Profile) -> User:
    """Create a member account and send the verification link.

    Every attempt is counted per address and per e-mail, and committed before the checks (a
    refused attempt is rolled back by the caller): the answer for an address that already has an
    account must not be a free look-up."""
    email = normalise_email(email)
    password = normalise_password(password)
    wait = throttle.retry_after(
        ("register_ip", client_ip()),
        ("register_attempt_ip", client_ip()),
        ("register_attempt_account", email),
    )
    if wait:
        audit.record("account.register_throttled", subject_key=email)
        db.session.commit()
        raise TooManyAttempts(wait)
    audit.record("account.register_attempt", subject_key=email)
    db.session.commit()
    if user_by_email(email) is not None:
        raise RuleViolation(
            _(
                "An account with this e-mail address already exists. Sign in, or reset the "
                "password."
            ),
            "email",
        )
    _check_new_password(password, email)
    user = User(email=email, role=Role.MEMBER.value)
    _apply_profile(user, profile)
    user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor=user, target=user, subject_key=email)
    _send_verification(user)
    commit_and_deliver()
    return user


def resend_verification(user: User) -> None:
    if user.is_verified:
        return
    wait = throttle.retry_after(("link_account", user.email), ("link_ip", client_ip()))
    if wait:
        raise TooManyAttempts(wait)
    _send_verification(user)
    commit_and_deliver()


def verify_email(token: str) -> User:
    """Mark the address verified (raises TokenInvalid)."""
    user = check_verification_token(token, load_user)
    if not user.is_verified:
        user.email_verified_at = utcnow()
        audit.record("account.verified", actor=user, target=user, subject_key=user.email)
        db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    """The account for these credentials, or SignInRefused / TooManyAttempts.

    Failed attempts are counted per account and per address; while either is over its limit
    even the right password is refused, so that guessing cannot continue."""
    key = normalise_email(email)
    password = normalise_password(password)
    wait = throttle.retry_after(("sign_in_account", key), ("sign_in_ip", client_ip()))
    if wait:
        audit.record("auth.sign_in_throttled", subject_key=key)
        db.session.commit()
        raise TooManyAttempts(wait)
    user = user_by_email(key) if key else None
    if user is None:
        burn_time(password)
    if user is None or not verify_password(user.password_hash, password):
        audit.record("auth.sign_in_failed", actor=user, subject_key=key)
        db.session.commit()
        raise SignInRefused(_("The e-mail address or the password is not right."))
    if not user.is_active:
        audit.record("auth.sign_in_failed", actor=user, subject_key=key, detail="inactive")
        db.session.commit()
        raise SignInRefused(
            _("This account has been deactivated. Contact the portal's administrators.")
        )
    user.last_sign_in_at = utcnow()
    audit.record("auth.sign_in", actor=user, subject_key=key)
    db.session.commit()
    return user


def sign_out(user: User) -> None:
    """End every session of this account (a copied cookie stops working too)."""
    user.rotate_session_token()
    audit.record("auth.sign_out", actor=user, subject_key=user.email)
    db.session.commit()


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; the answer is the same either way."""
    key = normalise_email(email)
    wait = throttle.retry_after(("link_account", key), ("link_ip", client_ip()))
    if wait:
        raise TooManyAttempts(wait)
    user = user_by_email(key)
    if user is not None and user.is_active:
        queue_mail(
            "reset",
            user.email,
            "reset_password",
            user.locale,
            user=user,
            link=url_for("accounts.reset_password", token=reset_token(user), _external=True),
        )
    audit.record("account.link_sent", actor=user, subject_key=key, detail="reset")
    commit_and_deliver()


def reset_password(token: str, password: str) -> User:
    user = check_reset_token(token, load_user)
    password = normalise_password(password)
    if not user.is_active:
        raise RuleViolation(_("This account has been deactivated."), "password")
    _check_new_password(password, user.email)
    user.password_hash = hash_password(password)
    user.rotate_session_token()
    # Following the link proves the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record("auth.password_reset", actor=user, subject_key=user.email)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password and end every other session (the caller signs this one in again)."""
    if not verify_password(user.password_hash, normalise_password(current)):
        raise RuleViolation(_("The current password is not right."), "current_password")
    new = normalise_password(new)
    _check_new_password(new, user.email, "new_password")
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    audit.record("auth.password_changed", actor=user, subject_key=user.email)
    db.session.commit()


def update_profile(user: User, profile: Profile, email: str, password: str = "") -> bool:
    """Change the profile; a new e-mail address needs the password and a new verification.
    Returns True if the address changed."""
    email = normalise_email(email)
    changed = _apply_profile(user, profile)
    email_changed = email != user.email
    if email_changed:
        if not verify_password(user.password_hash, normalise_password(password)):
            raise RuleViolation(
                _("Enter your current password to change the e-mail address."), "password"
            )
        if user_by_email(email) is not None:
            raise RuleViolation(_("Another account uses this e-mail address."), "email")
        user.email = email
        user.email_verified_at = None
        changed.append("email")
    if changed:
        audit.record(
            "account.updated",
            actor=user,
            target=user,
            subject_key=user.email,
            detail=",".join(changed),
        )
    if email_changed:
        _send_verification(user)
    commit_and_deliver()
    return email_changed


def delete_account(user: User, password: str) -> None:
    """Erase the personal data; public contributions stay, signed "Deleted account"."""
    if not verify_password(user.password_hash, normalise_password(password)):
        raise RuleViolation(_("The password is not right."), "password")
    if user.is_admin and _active_admins() <= 1:
        raise RuleViolation(
            _("You are the only administrator; appoint another before deleting this account."),
            "password",
        )
    old_email = user.email
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.password_hash = ""
    user.display_name = ""
    user.organisation = ""
    user.tax_code = ""
    user.sector = ""
    user.member_firms = None
    user.active = False
    user.is_moderator = False
    user.deleted_at = utcnow()
    user.rotate_session_token()
    # The address also appears where the account was named: the audit log's subject, the label
    # of the events about the account (created, role changed, deactivated …) and any detail,
    # and the mail outbox. Erase it there as well; the events stay, under the anonymous address.
    db.session.execute(
        update(AuditEvent).where(AuditEvent.subject_key == old_email).values(subject_key="")
    )
    erase_from_audit_log(old_email, user.id, user.email)
    db.session.execute(
        update(MailMessage)
        .where(MailMessage.to_address == old_email)
        .values(to_address=user.email, body="", subject="—")
    )
    audit.record("account.deleted", actor=user, target=user)
    db.session.commit()


def erase_from_audit_log(email: str, user_id: int, label: str) -> None:
    """Replace an erased account's address in the audit log's labels and details."""
    db.session.execute(
        update(AuditEvent)
        .where(
            or_(
                and_(AuditEvent.target_type == "user", AuditEvent.target_id == user_id),
                AuditEvent.target_label == email,
            )
        )
        .values(target_label=label)
    )
    if email:
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.detail.contains(email, autoescape=True))
            .values(detail=func.replace(AuditEvent.detail, email, label))
        )


# ---------------------------------------------------------------------------- administration


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN.value, User.active.is_(True), User.deleted_at.is_(None)
        )
    )


def ministry_by_code(code: str | None) -> Ministry | None:
    if not code:
        return None
    return db.session.scalar(select(Ministry).where(Ministry.code == clean_text(code).lower()))


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    ministry_code: str | None = None,
    display_name: str = "",
    actor: User | None = None,
    verified: bool = True,
) -> User:
    """An account made by an administrator or the command line (verified by default)."""
    email = normalise_email(email)
    role = Role(role)
    if user_by_email(email) is not None:
        raise RuleViolation(_("An account with this e-mail address already exists."), "email")
    ministry = ministry_by_code(ministry_code)
    if ministry_code and ministry is None:
        raise RuleViolation(
            _("“%(code)s” is not a ministry code.", code=ministry_code[:40]), "ministry"
        )
    if role == Role.STAFF and ministry is None:
        raise RuleViolation(_("Ministry staff must belong to a ministry."), "ministry")
    password = normalise_password(password)
    _check_new_password(password, email)
    user = User(
        email=email,
        role=role.value,
        ministry_id=ministry.id if ministry else None,
        display_name=clean_text(display_name, max_length=120) or email.split("@")[0],
        member_type=(MemberType.GOVERNMENT if role != Role.MEMBER else MemberType.INDIVIDUAL).value,
        organisation=(
            ministry.name_vi if ministry else ("Văn phòng Chính phủ" if role == Role.ADMIN else "")
        ),
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor=actor,
        target=user,
        target_label=email,
        ministry_id=user.ministry_id,
        subject_key=email,
        detail=role.value,
    )
    db.session.commit()
    return user


def change_role(actor: User, user: User, role: str, ministry_code: str | None) -> list[str]:
    """Set the role and ministry of an account; returns what changed."""
    role = Role(role)
    ministry = ministry_by_code(ministry_code)
    if role == Role.STAFF and ministry is None:
        raise RuleViolation(_("Ministry staff must belong to a ministry."), "ministry")
    if user.id == actor.id and role != Role.ADMIN:
        raise RuleViolation(_("You cannot take away your own administrator role."), "role")
    changed = []
    if user.role != role.value:
        audit.record(
            "user.role_changed",
            actor=actor,
            target=user,
            target_label=user.email,
            ministry_id=ministry.id if ministry else None,
            detail=f"{user.role} → {role.value}",
        )
        user.role = role.value
        changed.append("role")
    # Only staff belong to a ministry; the role is read from the database on every request,
    # so the change applies at once in every session.
    new_ministry_id = ministry.id if role == Role.STAFF else None
    if user.ministry_id != new_ministry_id:
        audit.record(
            "user.ministry_changed",
            actor=actor,
            target=user,
            target_label=user.email,
            ministry_id=new_ministry_id,
            detail=ministry.code if ministry else "—",
        )
        user.ministry_id = new_ministry_id
        changed.append("ministry")
    if user.role == Role.MEMBER.value:
        user.is_moderator = False
    db.session.commit()
    return changed


def set_moderator(actor: User, user: User, value: bool) -> None:
    if value and user.role != Role.STAFF.value:
        raise RuleViolation(_("Only ministry staff can be designated moderators."), "is_moderator")
    if user.is_moderator != value:
        user.is_moderator = value
        audit.record(
            "user.moderator_changed",
            actor=actor,
            target=user,
            target_label=user.email,
            ministry_id=user.ministry_id,
            detail="on" if value else "off",
        )
        db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if user.deleted_at is not None:
        raise RuleViolation(_("A deleted account cannot be changed."), "active")
    if user.id == actor.id and not active:
        raise RuleViolation(_("You cannot deactivate your own account."), "active")
    if user.active == active:
        return
    user.active = active
    user.rotate_session_token()
    audit.record(
        "user.reactivated" if active else "user.deactivated",
        actor=actor,
        target=user,
        target_label=user.email,
        ministry_id=user.ministry_id,
    )
    db.session.commit()


def check_reset_token_user(token: str) -> User:
    """The account a reset link belongs to (raises TokenInvalid)."""
    return check_reset_token(token, load_user)
