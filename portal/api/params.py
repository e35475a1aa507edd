"""Query parameters: marshmallow fields whose errors are codes (worded by portal.api.core),
and whose text is normalised to NFC like every other input of the portal."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from portal.api.core import DEFAULT_LIMIT, MAX_LIMIT, N_
from portal.text import clean_text


class QuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "unknown_parameter"}


class NoArgs(QuerySchema):
    """For routes that take no query parameters: any parameter is refused (400
    `unknown_parameter`), as on the lists, rather than silently ignored."""


class Text(ma.fields.String):
    """A single-line text parameter, cleaned (NFC, no control or invisible characters)."""

    default_error_messages = {"invalid": "invalid", "invalid_utf8": "invalid"}

    def _deserialize(self, value, attr, data, **kwargs):
        return clean_text(super()._deserialize(value, attr, data, **kwargs))


def text(description: str, max_length: int = 120, **kwargs) -> Text:
    return Text(
        validate=validate.Length(max=max_length, error="too_long"),
        metadata={"description": description},
        **kwargs,
    )


def choice(choices, description: str, **kwargs) -> ma.fields.String:
    return ma.fields.String(
        validate=validate.OneOf(list(choices), error="not_one_of"),
        error_messages={"invalid": "not_one_of"},
        metadata={"description": description},
        **kwargs,
    )


def choices(values, description: str, **kwargs) -> ma.fields.List:
    """A parameter that may be repeated (`?kind=procedure&kind=condition`)."""
    return ma.fields.List(
        ma.fields.String(validate=validate.OneOf(list(values), error="not_one_of")),
        validate=validate.Length(max=10, error="too_many"),
        metadata={"description": description},
        **kwargs,
    )


def integer(description: str, minimum: int, maximum: int, **kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        strict=False,
        validate=validate.Range(min=minimum, max=maximum, error="out_of_range"),
        error_messages={"invalid": "not_an_integer", "too_large": "out_of_range"},
        metadata={"description": description},
        **kwargs,
    )


def cursor() -> ma.fields.String:
    # Not cleaned: a cursor is opaque, and a mangled one must be refused, not emptied.
    return ma.fields.String(
        validate=validate.Length(max=2000, error="too_long"),
        metadata={
            "description": N_(
                "Where the page starts: the `next_cursor` of the previous page. Leave it out for "
                "the first page."
            )
        },
    )


def limit() -> ma.fields.Integer:
    return integer(N_("How many items a page holds."), 1, MAX_LIMIT, load_default=DEFAULT_LIMIT)
