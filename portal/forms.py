"""Form building blocks: text fields that clean their input at the edge (NFC, no invisible
characters), and mapping a service's RuleViolation back onto the form field it concerns."""

from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.errors import RuleViolation
from portal.text import clean_text


def _clean_line(value):
    return clean_text(value) if value is not None else value


def _clean_multiline(value):
    return clean_text(value, multiline=True) if value is not None else value


class TextField(StringField):
    """A single-line text input, normalised to NFC and trimmed."""

    def __init__(self, *args, **kwargs):
        kwargs["filters"] = (_clean_line, *kwargs.get("filters", ()))
        super().__init__(*args, **kwargs)


class LongTextField(TextAreaField):
    """A multi-line text input, normalised to NFC; line breaks kept."""

    def __init__(self, *args, **kwargs):
        kwargs["filters"] = (_clean_multiline, *kwargs.get("filters", ()))
        super().__init__(*args, **kwargs)


def options(pairs) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def required(message=None):
    return InputRequired(message=message or _l("This field is required."))


def password_field(label, **kwargs):
    """A password input: never trimmed or cleaned (the service only normalises it to NFC)."""
    return PasswordField(label, validators=[required(), Length(max=1024)], **kwargs)


class PortalForm(FlaskForm):
    """A form that can show a service's rule violations next to the field they concern."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS

    def add_violation(self, violation: RuleViolation) -> None:
        field = getattr(self, violation.field, None) if violation.field else None
        if field is None or not hasattr(field, "errors"):
            self.form_errors.append(violation.message)
            return
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(violation.message)

    @property
    def all_errors(self) -> list[tuple[str | None, str]]:
        """(field id or None, message) for the error summary, in field order."""
        items: list[tuple[str | None, str]] = [(None, str(message)) for message in self.form_errors]
        for field in self:
            if field.type == "CSRFTokenField":
                # A stale token is answered by the CSRF error page before any view runs.
                continue
            for message in field.errors or ():
                items.append((field.id, str(message)))
        return items


class _Translations:
    """WTForms' own messages through the portal's catalogs (WTForms ships no Vietnamese)."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        # WTForms formats the result itself: no %-formatting here.
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _Translations()


# WTForms' built-in messages that a visitor can meet, so that extraction puts them in our
# catalogs (the strings must stay exactly as WTForms writes them).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid choice."),
    _l("Invalid email address."),
    _l("Invalid input."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        2,
    ),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        2,
    ),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF tokens do not match."),
)
