"""POST /api/v1/regulations: ministry staff upsert regulations with a personal token.

The rows are the import format (the columns of `flask regulations import` and of the workspace
upload) as JSON objects, or a CSV or XLSX file as the body. They pass the same validation and
the same all-or-nothing rule: one bad row and nothing is written. A staff member's token writes
only the regulations of the staff member's ministry.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask_babel import gettext as _

from portal.api import schemas
from portal.api.catalogue import bp
from portal.api.core import N_, ApiError
from portal.api.params import QuerySchema
from portal.api.tokens import WRITE_SCOPE, require_scope
from portal.audit import services as audit
from portal.core.models import utcnow
from portal.extensions import db
from portal.regulations import vocab
from portal.regulations.fileformat import MAX_FILE_BYTES
from portal.regulations.importer import (
    ImportFailed,
    RowError,
    _foreign_rows,
    import_parsed,
    parse_file,
    parse_records,
)
from portal.security import allows_upload
from portal.text import clean_text

MAX_API_ROWS = 5000
BODY_TYPES = {
    "application/json": "json",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


class UpsertArgs(QuerySchema):
    dry_run = ma.fields.Boolean(
        load_default=False,
        truthy={"1", "true"},
        falsy={"0", "false"},
        error_messages={"invalid": "not_a_boolean"},
        metadata={"description": N_("1 to check the rows and write nothing.")},
    )


class RegulationRow(schemas.Schema):
    """One row of the import format (documentation of the request body)."""

    code = ma.fields.String(required=True, metadata={"example": "BCT-TTHC-001"})
    kind = ma.fields.String(required=True, metadata={"enum": list(vocab.KIND_CODES)})
    title = ma.fields.String(required=True)
    ministry = ma.fields.String(required=True, metadata={"example": "bct"})
    field = ma.fields.String(required=True, metadata={"description": N_("Field name.")})
    status = ma.fields.String(required=True, metadata={"enum": list(vocab.STATUS_CODES)})
    published = ma.fields.Raw(required=True, metadata={"description": N_("1 or 0, true or false.")})
    legal_basis = ma.fields.String(
        required=True,
        metadata={"description": N_("Documents and articles, e.g. “Điều 5, 15/2018/NĐ-CP”.")},
    )
    content = ma.fields.String(required=True)
    time_hours = ma.fields.Raw(allow_none=True)
    cost_vnd = ma.fields.Raw(allow_none=True)
    frequency = ma.fields.Raw(allow_none=True)
    subjects = ma.fields.Raw(allow_none=True)


class UpsertBody(schemas.Schema):
    regulations = ma.fields.List(ma.fields.Nested(RegulationRow), required=True)


def _row_details(errors: list[RowError]) -> list[dict]:
    return [
        {
            "row": error.line,
            "column": error.column,
            "location": "body",
            "code": "invalid_row",
            "message": str(error.message),
        }
        for error in errors[:1000]
    ]


def _body_rows():
    mimetype = (request.mimetype or "").lower()
    kind = BODY_TYPES.get(mimetype)
    if kind is None:
        raise ApiError(
            415,
            "unsupported_media_type",
            _("Send the rows as application/json, text/csv or an XLSX file."),
        )
    if kind != "json":
        return parse_file(request.get_data(cache=False), f"api.{kind}")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" nested beyond what the JSON decoder can follow
        payload = None
    if payload is None:
        raise ApiError(400, "bad_request", _("The body is not valid JSON."))
    if isinstance(payload, dict):
        if set(payload) != {"regulations"}:
            raise ApiError(
                400,
                "bad_request",
                _('The body must be {"regulations": [ … ]} or a list of regulations.'),
            )
        payload = payload["regulations"]
    return parse_records(payload, max_rows=MAX_API_ROWS)


@bp.route("/regulations", methods=["POST"])
@allows_upload(max_bytes=min(MAX_FILE_BYTES, 20 * 1024 * 1024))
@bp.arguments(UpsertArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ImportOutcome)
@bp.errors(400, 401, 403, 413, 415, 422)
@bp.doc(
    summary=N_("Create or update regulations"),
    description=N_(
        "For ministry staff, with a personal API token (`Authorization: Bearer …`). The rows "
        "are the import format, as JSON or as a CSV or XLSX body; they upsert by code. One bad "
        "row and nothing is written: the answer lists every problem with its row. A staff "
        "member's token writes only the regulations of the staff member's ministry."
    ),
    security=[{"token": []}],
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/UpsertBody"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
)
def upsert_regulations(dry_run: bool = False):
    token = require_scope(WRITE_SCOPE)
    user = token.user
    ministry = None if user.is_admin else user.ministry
    rows, errors = _body_rows()
    if errors:
        raise ApiError(
            422,
            "validation_failed",
            _(
                "%(count)s problem(s) in the rows; nothing was written.",
                count=len(errors),
            ),
            _row_details(errors),
        )
    if ministry is not None:
        foreign = _foreign_rows(rows, ministry)
        if foreign:
            raise ApiError(
                403,
                "forbidden",
                _(
                    "This token writes only the regulations of %(ministry)s; nothing was written.",
                    ministry=ministry.name,
                ),
                _row_details(foreign),
            )
    try:
        result = import_parsed(
            rows, [], "api", source="api", commit=False, ministry=ministry, actor_id=user.id
        )
    except ImportFailed as failed:
        db.session.rollback()
        raise ApiError(
            422,
            "validation_failed",
            _("%(count)s problem(s) in the rows; nothing was written.", count=len(failed.errors)),
            _row_details(failed.errors),
        ) from None
    outcome = {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "documents_created": result.documents_created,
        "fields_created": result.fields_created,
        "dry_run": dry_run,
        "created_codes": result.created_codes,
    }
    if dry_run:
        db.session.rollback()
        return outcome
    token.last_used_at = utcnow()
    audit.record(
        "regulation.imported",
        actor=user,
        target_type="api",
        target_label=clean_text(f"API: {token.name}", max_length=200),
        ministry_id=ministry.id if ministry else None,
        detail=_(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged",
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
    )
    db.session.commit()
    current_app.logger.info("API import by token %s: %s", token.id, outcome)
    return outcome
