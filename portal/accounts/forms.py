"""The shape of the account forms; the rules live in portal.accounts.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, RadioField, SelectField
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from portal.accounts.roles import MEMBER_TYPE_LABELS, ROLE_LABELS, MemberType
from portal.forms import PortalForm, TextField, options, password_field, required

LANGUAGE_CHOICES = [("vi", "Tiếng Việt"), ("en", "English")]


def _email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            required(_l("Enter your e-mail address.")),
            Length(max=254),
            Email(
                message=_l("Enter an e-mail address such as ten@congty.vn."), granular_message=False
            ),
        ],
        filters=(lambda v: v.strip() if v else v,),
    )


class ProfileFields(PortalForm):
    member_type = RadioField(
        _l("I speak for"),
        choices=options((kind.value, label) for kind, label in MEMBER_TYPE_LABELS.items()),
        default=MemberType.INDIVIDUAL.value,
        validators=[required(_l("Choose who you speak for."))],
    )
    display_name = TextField(
        _l("Your name"),
        validators=[required(_l("Enter your name.")), Length(max=120)],
        description=_l("Shown with your comments."),
    )
    organisation = TextField(
        _l("Name of the business or organisation"),
        validators=[Optional(), Length(max=200)],
    )
    tax_code = TextField(
        _l("Tax code"),
        validators=[Optional(), Length(max=20)],
        description=_l("10 digits, or 13 for a branch: 0101234567-001."),
    )
    sector = TextField(
        _l("Sector the association represents"), validators=[Optional(), Length(max=200)]
    )
    member_firms = IntegerField(
        _l("Number of member firms"),
        validators=[
            Optional(),
            NumberRange(min=1, max=10_000_000, message=_l("Enter a number from 1 upwards.")),
        ],
    )
    locale = SelectField(_l("Language of e-mails"), choices=options(LANGUAGE_CHOICES), default="vi")


class RegisterForm(ProfileFields):
    email = _email_field()
    password = password_field(
        _l("Password"), description=_l("At least 8 characters. A long phrase is best.")
    )
    confirm = password_field(_l("Repeat the password"))
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that my name and organisation are shown "
            "with my comments."
        ),
        validators=[required(_l("You need to agree to the privacy notice to register."))],
    )

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are not the same."))


class ProfileForm(ProfileFields):
    email = _email_field()
    password = PasswordField(
        _l("Current password"),
        validators=[Optional(), Length(max=1024)],
        description=_l("Needed only to change the e-mail address."),
    )


class SignInForm(PortalForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[required(_l("Enter your e-mail address.")), Length(max=254)],
    )
    password = password_field(_l("Password"))
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))


class ForgotPasswordForm(PortalForm):
    email = _email_field()


class ResetPasswordForm(PortalForm):
    password = password_field(_l("New password"), description=_l("At least 8 characters."))
    confirm = password_field(_l("Repeat the new password"))

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are not the same."))


class ChangePasswordForm(PortalForm):
    current_password = password_field(_l("Current password"))
    new_password = password_field(_l("New password"), description=_l("At least 8 characters."))
    confirm = password_field(_l("Repeat the new password"))

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two passwords are not the same."))


class DeleteAccountForm(PortalForm):
    password = password_field(_l("Your password"))
    confirm = BooleanField(
        _l("I understand that my personal data will be erased and that this cannot be undone."),
        validators=[required(_l("Tick the box to confirm."))],
    )


class EmptyForm(PortalForm):
    """A form with only its CSRF token (sign-out, resend, publish buttons)."""


class UserAdminForm(PortalForm):
    role = SelectField(
        _l("Role"), choices=options((role.value, label) for role, label in ROLE_LABELS.items())
    )
    ministry = SelectField(_l("Ministry"), choices=[], validate_choice=False)
    is_moderator = BooleanField(_l("Moderator of comments"))


class ApiTokenForm(PortalForm):
    name = TextField(
        _l("Name of the token"),
        validators=[required(_l("Give the token a name.")), Length(max=80)],
        description=_l("What will use it, e.g. “Hệ thống CSDL TTHC của Bộ”."),
    )
    days = SelectField(
        _l("Valid for"),
        choices=options(
            (
                ("90", _l("90 days")),
                ("30", _l("30 days")),
                ("365", _l("1 year")),
                ("0", _l("Until revoked")),
            )
        ),
        default="90",
    )
