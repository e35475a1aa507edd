"""The API's plumbing: the flask-smorest Api and Blueprint, JSON errors, cursors and links.

Errors are JSON with a stable `code`, a `message` in the caller's language (Accept-Language,
else Vietnamese), the HTTP `status` and, for bad parameters, one entry per parameter in
`details`. Lists page by an opaque, signed cursor that holds the sort key of the last row
returned (keyset pagination): any row of any result set can be reached, however deep.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

import flask_smorest
import marshmallow as ma
from flask import current_app, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from webargs.flaskparser import FlaskParser

from portal.errors import request_id

API_PREFIX = "/api/v1"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def N_(message: str) -> str:  # noqa: N802 (the conventional name of a no-op gettext marker)
    """Mark a string for the catalog; it is translated where it is shown (the docs page, the
    localised OpenAPI document)."""
    return message


class ApiError(Exception):
    """An error the API answers with as JSON."""

    def __init__(self, status: int, code: str, message: str, details: list | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


def error_body(status: int, code: str, message: str, details: list | None = None) -> dict:
    return {
        "status": status,
        "code": code,
        "message": message,
        "details": details or [],
        "request_id": request_id(),
    }


# ---------------------------------------------------------------------------- arguments


class ApiParser(FlaskParser):
    """Bad parameters are a 400 (not webargs' 422), and an unknown parameter is an error: a
    misspelt filter must not silently return the whole catalogue."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }


ERROR_DESCRIPTIONS = {
    400: N_("Bad parameters: the message and `details` say which and why."),
    401: N_("No API token, or one that is not valid (revoked, expired, unknown)."),
    403: N_("The token may not do this (another ministry's data, or no write scope)."),
    404: N_("Nothing at this address, or nothing the public may see."),
    413: N_("The body is larger than the API accepts."),
    415: N_("The body is not JSON, CSV or XLSX."),
    422: N_("The rows do not pass validation; nothing was written."),
    429: N_("Too many requests: wait for the seconds in Retry-After."),
}


def _check_token() -> None:
    from portal.api.tokens import current_token

    current_token()  # raises for a bad token; a hook that returned it would end the request


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint: a request that sends a token gets it checked, reading or writing (a
    client learns that its token is revoked or expired before it tries to write)."""

    ARGUMENTS_PARSER = ApiParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_check_token)

    def errors(self, *statuses: int):
        """Document the error answers a view can give (429 always: every route is limited)."""
        from portal.api.schemas import Error

        def decorate(view):
            for status in sorted({*statuses, 429}):
                view = self.alt_response(
                    status, schema=Error, description=ERROR_DESCRIPTIONS[status]
                )(view)
            return view

        return decorate


class Api(flask_smorest.Api):
    """flask-smorest without its app-wide HTML-hostile error handler and its CDN-based docs
    pages: portal.api.errors answers for /api/ paths, portal.api.docs serves the document."""

    @property
    def ERROR_SCHEMA(self):  # noqa: N802 (flask-smorest's name)
        from portal.api.schemas import Error

        return Error

    def _register_error_handlers(self):
        pass

    def _register_doc_blueprint(self):
        pass


# Marshmallow error messages are set to these codes by portal.api.params; the handler words
# them in the caller's language with the parameter's own limits.
def parameter_message(name: str, code: str, field: ma.fields.Field | None) -> str:
    limits = _limits(field)
    if code == "unknown_parameter":
        return _("“%(name)s” is not a parameter of this address.", name=name)
    if code == "not_an_integer":
        return _("“%(name)s” must be a whole number.", name=name)
    if code == "out_of_range":
        if limits.get("min") is not None and limits.get("max") is not None:
            return _(
                "“%(name)s” must be between %(min)s and %(max)s.",
                name=name,
                min=limits["min"],
                max=limits["max"],
            )
        return _("“%(name)s” must be at least %(min)s.", name=name, min=limits.get("min"))
    if code == "not_one_of":
        return _(
            "“%(name)s” must be one of: %(choices)s.",
            name=name,
            choices=", ".join(str(choice) for choice in limits.get("choices", ())),
        )
    if code == "too_long":
        return _(
            "“%(name)s” may be at most %(max)s characters long.", name=name, max=limits.get("max")
        )
    if code == "too_many":
        return _("“%(name)s” may be given at most %(max)s times.", name=name, max=limits.get("max"))
    if code == "not_a_date":
        return _("“%(name)s” must be a date written YYYY-MM-DD.", name=name)
    if code == "required":
        return _("“%(name)s” is required.", name=name)
    if code == "not_a_boolean":
        return _("“%(name)s” must be true or false (1 or 0).", name=name)
    return _("“%(name)s” is not valid.", name=name)


def _limits(field: ma.fields.Field | None) -> dict:
    limits: dict = {}
    if field is None:
        return limits
    validators = list(getattr(field, "validators", []))
    if isinstance(field, ma.fields.List):
        validators = [*field.inner.validators, *validators]
    for validator in validators:
        if isinstance(validator, ma.validate.Range):
            limits.update(min=validator.min, max=validator.max)
        elif isinstance(validator, ma.validate.OneOf):
            limits["choices"] = validator.choices
        elif isinstance(validator, ma.validate.Length):
            limits["max"] = validator.max
    return limits


def parameter_details(messages: dict, schema: ma.Schema | None) -> list[dict]:
    """webargs' nested {location: {name: [codes]}} as a flat list of localised entries."""
    details = []
    for location, by_name in (messages or {}).items():
        if not isinstance(by_name, dict):
            continue
        for name, codes in by_name.items():
            field = schema.fields.get(name) if schema is not None else None
            for code in _flatten(codes):
                code = code if isinstance(code, str) and code.isidentifier() else "invalid"
                if code == "Unknown field.":
                    code = "unknown_parameter"
                details.append(
                    {
                        "parameter": str(name)[:80],
                        "location": location,
                        "code": code,
                        "message": parameter_message(str(name)[:80], code, field),
                    }
                )
    return details


def _flatten(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _flatten(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _flatten(inner)
    else:
        yield "unknown_parameter" if value == "Unknown field." else value


# ---------------------------------------------------------------------------- cursors


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-cursor")


def _plain(value):
    if isinstance(value, datetime | date):
        return {"t": value.isoformat()}
    return value


def _typed(value):
    if isinstance(value, dict) and set(value) == {"t"}:
        text = value["t"]
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    return value


def encode_cursor(order: str, values: list) -> str:
    """An opaque token for "the rows after the one whose sort key is `values`"."""
    return _serializer().dumps([order, [_plain(value) for value in values]])


def decode_cursor(raw: str | None, order: str) -> list | None:
    """The sort key a cursor holds, or None without one; a cursor from another list order,
    from another secret key or edited by hand is a 400."""
    if not raw:
        return None
    try:
        found_order, values = _serializer().loads(raw)
        if found_order != order or not isinstance(values, list):
            raise ValueError(found_order)
        return [_typed(value) for value in values]
    except (BadSignature, ValueError, TypeError):
        raise ApiError(
            400,
            "invalid_cursor",
            _(
                "This cursor is not valid for this list. Use the “next” link of the previous "
                "page, or start again without a cursor."
            ),
            [{"parameter": "cursor", "location": "query", "code": "invalid_cursor"}],
        ) from None


def link_with(**changes) -> str:
    """The current API address with some query arguments replaced (None removes one)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key not in changes]
    args.extend((key, value) for key, value in changes.items() if value is not None)
    path = url_for(request.endpoint, **(request.view_args or {}), _external=True)
    return f"{path}?{urlencode(args)}" if args else path


def page(items: list, total: int, limit: int, next_key: list | None, order: str, **extra):
    """A page of a list: its items, the total, and the cursor and link to the next page."""
    cursor = encode_cursor(order, next_key) if next_key is not None else None
    return {
        "items": items,
        "total": total,
        "limit": limit,
        "next_cursor": cursor,
        "next": link_with(cursor=cursor) if cursor else None,
        **extra,
    }


def keyset_page(rows, limit: int, total: int, order: str, serialize, key, **extra):
    """The page of a query that fetched `limit` + 1 rows in `order` (the extra row only says
    that there is a next page): `serialize(rows)` gives the items, `key(row)` the sort key the
    next page starts after."""
    more = len(rows) > limit
    rows = rows[:limit]
    return page(serialize(rows), total, limit, key(rows[-1]) if more else None, order, **extra)


def api_url(endpoint: str, **values) -> str:
    return url_for(endpoint, **values, _external=True)


def in_api() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
