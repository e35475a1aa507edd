"""Domain exceptions and the HTTP error pages."""

from __future__ import annotations

import logging
import uuid

from flask import Response, g, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class PortalError(Exception):
    """Base class of errors raised by services."""


class NotFound(PortalError):
    """The object does not exist or the viewer may not see it."""


class RuleViolation(PortalError):
    """A business rule refused the change; `field` names the input it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def request_id() -> str:
    """A short id that ties an error page to the log line."""
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:12]
    return g.request_id


def _page(status: int, title: str, message: str):
    if request_ctx.url_adapter is None:
        # The request never reached the router (an untrusted Host header): no URL can be
        # built for this host, so answer in plain text.
        body = f"{title}\n\n{message}\n\n{_('Reference: %(id)s', id=request_id())}\n"
        return Response(body, status=status, mimetype="text/plain")
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message,
            request_id=request_id(),
        ),
        status,
    )


def _in_api() -> bool:
    from portal.api.core import in_api

    return request_ctx.url_adapter is not None and in_api()


def register_error_handlers(app) -> None:
    from portal.api import errors as api_errors
    from portal.api.core import ApiError

    app.register_error_handler(ApiError, api_errors.api_error)

    @app.errorhandler(NotFound)
    def _domain_not_found(_error):
        if _in_api():
            return api_errors.http_error(werkzeug_exceptions.NotFound())
        return _page(404, _("Page not found"), _("We could not find what you asked for."))

    @app.errorhandler(CSRFError)
    def _csrf_error(_error):
        return _page(
            400,
            _("The form has expired"),
            _(
                "For your security, forms work only for the page they were sent from. Go back, "
                "reload the page and send it again; nothing was saved."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if _in_api():
            return api_errors.http_error(error)
        messages = {
            400: (_("Bad request"), _("The request could not be understood.")),
            403: (_("Not allowed"), _("You do not have permission to see this page.")),
            404: (_("Page not found"), _("We could not find what you asked for.")),
            405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
            413: (_("Too large"), _("What you sent is larger than the portal accepts.")),
            429: (_("Too many requests"), _("Please wait a moment and try again.")),
        }
        title, message = messages.get(
            error.code or 500, (_("Something went wrong"), _("Please try again later."))
        )
        return _page(error.code or 500, title, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if _in_api():
            return api_errors.unexpected(error)
        logger.exception("Unhandled error, request id %s", request_id())
        return _page(
            500,
            _("Something went wrong"),
            _("The portal could not complete your request. Please try again later."),
        )
