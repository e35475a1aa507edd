"""JSON error answers for every path under /api/v1 (the rest of the site answers in HTML)."""

from __future__ import annotations

import logging

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from portal.api.core import ApiError, error_body, parameter_details
from portal.errors import request_id

# The same logger as the HTML error pages: one place to watch for unexpected errors.
logger = logging.getLogger("portal.errors")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("This needs a valid API token."),
        403: _("This token may not do that."),
        404: _("There is nothing at this address."),
        405: _("This address does not accept that method."),
        406: _("The API answers in JSON only."),
        413: _("The body is larger than the API accepts."),
        415: _("The body is not of a type this address accepts."),
        429: _("Too many requests. Wait for the seconds given in Retry-After and try again."),
    }


def respond(status: int, code: str, message: str, details=None, headers=None):
    response = jsonify(error_body(status, code, message, details))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def api_error(error: ApiError):
    return respond(error.status, error.code, error.message, error.details)


def http_error(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return unexpected(error)
    headers = {
        name: value
        for name, value in error.get_headers()
        if name.lower() not in ("content-type", "content-length")
    }
    data = getattr(error, "data", None) or {}
    if "messages" in data:  # webargs: the parameters did not validate
        details = parameter_details(data["messages"], data.get("schema"))
        message = (
            details[0]["message"]
            if len(details) == 1
            else _("%(count)s parameters are not valid.", count=len(details))
        )
        return respond(400, "invalid_parameter", message, details, headers)
    return respond(
        status,
        CODES.get(status, "error"),
        _messages().get(status, str(error.name)),
        headers=headers,
    )


def unexpected(error: Exception):
    logger.exception("Unhandled API error, request id %s", request_id())
    return respond(
        500,
        "server_error",
        _("The portal could not complete your request. Please try again later."),
    )
