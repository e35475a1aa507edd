"""`flask regulations import`: validate a whole file, then apply it in one transaction.

A file with any invalid row imports nothing; every bad row is reported with its line number and
the reason, in the user's language. Rows upsert by `code`: a changed row records a history
event, an unchanged row changes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from portal.core.changes import record_changes
from portal.core.models import utcnow
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations import vocab
from portal.regulations.citations import BasisItem, parse_basis
from portal.regulations.fileformat import (
    COLUMNS,
    MAX_ROWS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    FileFormatError,
    read_rows,
    unescape_formula,
)
from portal.regulations.models import LegalBasis, Regulation, RegulationEvent
from portal.regulations.services import (
    DocumentResolver,
    FieldResolver,
    local_today,
    snapshot,
)
from portal.text import clean_text

logger = logging.getLogger(__name__)

# Paths under /regulations/ that a regulation code must not shadow.
RESERVED_CODES = frozenset({"export.csv", "export.xlsx"})
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DECIMAL_RE = re.compile(r"^\d{1,9}(?:[.,]\d{1,17})?$")
_INTEGER_RE = re.compile(r"^(?:\d{1,3}(?:([.,\s])\d{3})?(?:\1\d{3})*|\d+)$")
LIMITS = {"title": 500, "content": 20_000, "field": 200, "legal_basis": 2_000, "article": 200}
COST_FIELDS = ("time_hours", "cost_vnd", "frequency", "subjects")


@dataclass
class RowError:
    """One problem in a file, worded in the language active when it was found."""

    line: int
    column: str
    message: str

    def __post_init__(self) -> None:
        if self.column:
            self.text = _(
                "Line %(line)s, column %(column)s: %(message)s",
                line=self.line,
                column=self.column,
                message=self.message,
            )
        elif self.line:
            self.text = _("Line %(line)s: %(message)s", line=self.line, message=self.message)
        else:
            self.text = str(self.message)

    def __str__(self) -> str:
        return self.text


@dataclass
class ParsedRow:
    line: int
    code: str
    kind: str
    title: str
    ministry_id: int
    field_name: str
    status: str
    published: bool
    bases: list[BasisItem]
    content: str
    time_hours: float | None = None
    cost_vnd: int | None = None
    frequency: float | None = None
    subjects: int | None = None
    # False when the file has no cost columns at all: an update then keeps the stored costs.
    costs_given: bool = True


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    documents_created: int = 0
    fields_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    created_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFailed(Exception):
    """Raised with the full list of errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


# ---------------------------------------------------------------------------- validation


def _parse_decimal(raw: str) -> float | None:
    if not _DECIMAL_RE.match(raw):
        return None
    return float(raw.replace(",", "."))


def _parse_integer(raw: str) -> int | None:
    compact = raw.replace("\u00a0", " ")
    if not _INTEGER_RE.match(compact):
        return None
    return int(re.sub(r"[.,\s]", "", compact))


class RowValidator:
    """Checks one row at a time against the reference data in the database."""

    def __init__(self):
        self.ministries = {
            code.lower(): ministry_id
            for ministry_id, code in db.session.execute(select(Ministry.id, Ministry.code))
        }
        self.seen_codes: dict[str, int] = {}

    def validate(
        self, line: int, values: dict[str, str]
    ) -> tuple[ParsedRow | None, list[RowError]]:
        errors: list[RowError] = []

        def error(column: str, message: str) -> None:
            errors.append(RowError(line, column, message))

        code = values["code"]
        if not code:
            error("code", _("the code is required."))
        elif not CODE_RE.match(code):
            error(
                "code",
                _(
                    "“%(value)s” is not a valid code: use up to 64 letters, digits, dots, "
                    "hyphens or underscores, starting with a letter or digit.",
                    value=code[:80],
                ),
            )
        elif code.lower() in RESERVED_CODES:
            error(
                "code", _("“%(value)s” is reserved by the portal; choose another code.", value=code)
            )
        elif code.lower() in self.seen_codes:
            error(
                "code",
                _(
                    "the code %(code)s already appears on line %(line)s.",
                    code=code,
                    line=self.seen_codes[code.lower()],
                ),
            )
        else:
            self.seen_codes[code.lower()] = line

        kind = vocab.parse_kind(values["kind"]) if values["kind"] else None
        if kind is None:
            error(
                "kind",
                _(
                    "“%(value)s” is not a regulation kind; use one of %(choices)s.",
                    value=values["kind"][:80],
                    choices="procedure, condition, report, inspection, standard, "
                    "prohibition, TTHC, YCĐK, CĐBC, KTCN, TCQC, CẤM",
                ),
            )

        title = values["title"]
        if not title:
            error("title", _("the title is required."))
        elif len(title) > LIMITS["title"]:
            error(
                "title", _("the title is longer than %(limit)s characters.", limit=LIMITS["title"])
            )

        ministry_id = self.ministries.get(values["ministry"].lower())
        if ministry_id is None:
            error(
                "ministry",
                _(
                    "“%(value)s” is not a ministry code (for example byt, bgtvt, "
                    "nhnn); see the list of ministries.",
                    value=values["ministry"][:80],
                ),
            )

        field_name = values["field"]
        if len(field_name) > LIMITS["field"]:
            error(
                "field",
                _("the field name is longer than %(limit)s characters.", limit=LIMITS["field"]),
            )

        status = vocab.parse_status(values["status"]) if values["status"] else None
        if status is None:
            error(
                "status",
                _(
                    "“%(value)s” is not a status; use in_force, draft or abolished "
                    "(or hiệu lực, dự thảo, bãi bỏ).",
                    value=values["status"][:80],
                ),
            )

        published = vocab.parse_flag(values["published"])
        if published is None:
            error(
                "published",
                _(
                    "“%(value)s” is not a yes/no value; use 1 or 0 (yes/no, có/không).",
                    value=values["published"][:80],
                ),
            )

        bases, bad_parts = parse_basis(values["legal_basis"])
        if len(values["legal_basis"]) > LIMITS["legal_basis"]:
            error(
                "legal_basis",
                _(
                    "the legal basis is longer than %(limit)s characters.",
                    limit=LIMITS["legal_basis"],
                ),
            )
        for part in bad_parts:
            error(
                "legal_basis",
                _(
                    "“%(value)s” does not start with a document number such as "
                    "168/2017/NĐ-CP or 09/2017/QH14.",
                    value=part[:80],
                ),
            )
        for item in bases:
            if len(item.article) > LIMITS["article"]:
                error(
                    "legal_basis",
                    _("the article reference after %(number)s is too long.", number=item.number),
                )
        if not bases and not bad_parts and status in ("in_force", "abolished"):
            error("legal_basis", _("a regulation in force or abolished needs a legal basis."))

        content = values["content"]
        if len(content) > LIMITS["content"]:
            error(
                "content",
                _("the content is longer than %(limit)s characters.", limit=LIMITS["content"]),
            )

        costs = self._costs(values, error)

        if errors:
            return None, errors
        return (
            ParsedRow(
                line=line,
                code=code,
                kind=kind,
                title=title,
                ministry_id=ministry_id,
                field_name=field_name,
                status=status,
                published=published,
                bases=bases,
                content=content,
                **costs,
            ),
            [],
        )

    @staticmethod
    def _costs(values: dict[str, str], error) -> dict:
        parsed: dict = {}
        checks = {
            "time_hours": (
                _parse_decimal,
                0,
                100_000,
                _("must be a number of hours such as 16 or 2.5."),
            ),
            "cost_vnd": (
                _parse_integer,
                0,
                10**13,
                _("must be a whole number of đồng such as 300000 or 1.500.000."),
            ),
            "frequency": (
                _parse_decimal,
                0,
                100_000,
                _("must be a number of times per year such as 1, 12 or 0.2."),
            ),
            "subjects": (
                _parse_integer,
                0,
                10**9,
                _("must be a whole number of businesses such as 1200."),
            ),
        }
        for name, (parse, low, high, message) in checks.items():
            raw = values.get(name, "")
            if not raw:
                parsed[name] = None
                continue
            value = parse(raw)
            if value is None or value < low or value > high:
                error(name, _("“%(value)s” %(message)s", value=raw[:40], message=message))
                parsed[name] = None
                continue
            parsed[name] = value
        if parsed["frequency"] == 0:
            error("frequency", _("the frequency must be greater than zero."))
        given = [name for name in COST_FIELDS if values.get(name)]
        if given:
            missing = [name for name in ("frequency", "subjects") if not values.get(name)]
            if missing:
                error(
                    missing[0],
                    _(
                        "cost inputs need both frequency and subjects (missing: %(columns)s).",
                        columns=", ".join(missing),
                    ),
                )
            if not values.get("time_hours") and not values.get("cost_vnd"):
                error("time_hours", _("cost inputs need time_hours or cost_vnd (or both)."))
        return parsed


def parse_file(data: bytes, filename: str) -> tuple[list[ParsedRow], list[RowError]]:
    """Read and validate every row; never touches the database except to read ministries."""
    errors: list[RowError] = []
    rows: list[ParsedRow] = []
    try:
        lines = read_rows(data, filename)
        header_line, header = next(lines, (1, None))
        if header is None:
            return [], [RowError(1, "", _("the file is empty."))]
        columns = [clean_text(name).lower().lstrip("\ufeff") for name in header]
        while columns and not columns[-1]:
            columns.pop()
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        unknown = [name for name in columns if name not in COLUMNS]
        duplicated = sorted({name for name in columns if name and columns.count(name) > 1})
        if missing:
            errors.append(
                RowError(
                    header_line,
                    "",
                    _("missing column(s): %(columns)s.", columns=", ".join(missing)),
                )
            )
        if unknown:
            errors.append(
                RowError(
                    header_line,
                    "",
                    _(
                        "unknown column(s): %(columns)s. The columns are: %(expected)s.",
                        columns=", ".join(f"“{name[:40]}”" for name in unknown),
                        expected=", ".join(COLUMNS),
                    ),
                )
            )
        if duplicated:
            errors.append(
                RowError(
                    header_line,
                    "",
                    _("duplicated column(s): %(columns)s.", columns=", ".join(duplicated)),
                )
            )
        if errors:
            return [], errors
        validator = RowValidator()
        costs_in_file = any(name in columns for name in OPTIONAL_COLUMNS)
        for line, cells in lines:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(
                    RowError(line, "", _("the file has more than %(limit)s rows.", limit=MAX_ROWS))
                )
                break
            if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
                errors.append(RowError(line, "", _("this row has more cells than the header.")))
                continue
            values = {}
            for index, name in enumerate(columns):
                raw = cells[index] if index < len(cells) else ""
                multiline = name == "content"
                values[name] = clean_text(unescape_formula(raw), multiline=multiline)
            for name in OPTIONAL_COLUMNS:
                values.setdefault(name, "")
            row, row_errors = validator.validate(line, values)
            if row_errors:
                errors.extend(row_errors)
            else:
                row.costs_given = costs_in_file
                rows.append(row)
    except FileFormatError as error:
        return [], [RowError(0, "", str(error))]
    if not rows and not errors:
        errors.append(RowError(header_line + 1, "", _("the file has a header but no rows.")))
    return rows, errors


def parse_records(
    records: object, max_rows: int = MAX_ROWS
) -> tuple[list[ParsedRow], list[RowError]]:
    """Validate rows given as objects (the JSON API) exactly like the rows of a file: the same
    columns, the same rules and messages. Row numbers count from 1; numbers and booleans may be
    JSON numbers and booleans or text."""
    if not isinstance(records, list):
        return [], [RowError(0, "", _("the body must hold a list of regulations."))]
    if not records:
        return [], [RowError(0, "", _("the list of regulations is empty."))]
    if len(records) > max_rows:
        return [], [RowError(0, "", _("the body has more than %(limit)s rows.", limit=max_rows))]
    errors: list[RowError] = []
    rows: list[ParsedRow] = []
    validator = RowValidator()
    for line, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            errors.append(RowError(line, "", _("each regulation must be an object.")))
            continue
        names = [clean_text(name).lower() for name in record]
        unknown = [name for name in names if name not in COLUMNS]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if unknown or missing:
            if missing:
                errors.append(
                    RowError(
                        line, "", _("missing column(s): %(columns)s.", columns=", ".join(missing))
                    )
                )
            if unknown:
                errors.append(
                    RowError(
                        line,
                        "",
                        _(
                            "unknown column(s): %(columns)s. The columns are: %(expected)s.",
                            columns=", ".join(f"“{name[:40]}”" for name in unknown),
                            expected=", ".join(COLUMNS),
                        ),
                    )
                )
            continue
        values = {}
        bad = False
        for key, raw in record.items():
            name = clean_text(key).lower()
            if isinstance(raw, bool):
                raw = "1" if raw else "0"
            elif raw is None:
                raw = ""
            elif isinstance(raw, int | float):
                # repr keeps every digit; an exponent or inf/nan is refused by the validator.
                if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
                    raw = int(raw)
                raw = repr(raw) if isinstance(raw, float) else str(raw)
            elif not isinstance(raw, str):
                errors.append(RowError(line, name, _("must be text or a number.")))
                bad = True
                continue
            values[name] = clean_text(raw, multiline=name == "content")
        if bad:
            continue
        for name in OPTIONAL_COLUMNS:
            values.setdefault(name, "")
        row, row_errors = validator.validate(line, values)
        if row_errors:
            errors.extend(row_errors)
        else:
            row.costs_given = any(name in names for name in OPTIONAL_COLUMNS)
            rows.append(row)
    return rows, errors


# ---------------------------------------------------------------------------- applying


def _values(row: ParsedRow, field_id: int | None) -> dict:
    return {
        "kind": row.kind,
        "title": row.title,
        "content": row.content,
        "ministry_id": row.ministry_id,
        "field_id": field_id,
        "status": row.status,
        "published": row.published,
        "time_hours": row.time_hours,
        "cost_vnd": row.cost_vnd,
        "frequency": row.frequency,
        "subjects": row.subjects,
    }


def _event_kind_for_update(changed: list[str], before: dict, after: dict) -> str:
    if "status" in changed and after["status"] == "abolished":
        return "abolished"
    if changed == ["published"]:
        return "published" if after["published"] else "unpublished"
    return "updated"


def import_regulations(
    data: bytes,
    filename: str,
    *,
    insert_only: bool = False,
    source: str = "import",
    commit: bool = True,
    ministry: Ministry | None = None,
    actor_id: int | None = None,
) -> ImportResult:
    """Validate the whole file, then create or update every row in one transaction.

    Raises ImportFailed (nothing written) if any row is invalid. With `insert_only`, rows whose
    code already exists are left as they are (used by the sample-data loader). With `ministry`,
    every row must belong to it, and so must every existing regulation a row would update.
    """
    rows, errors = parse_file(data, filename)
    return import_parsed(
        rows,
        errors,
        filename,
        insert_only=insert_only,
        source=source,
        commit=commit,
        ministry=ministry,
        actor_id=actor_id,
    )


def import_parsed(
    rows: list[ParsedRow],
    errors: list[RowError],
    filename: str,
    *,
    insert_only: bool = False,
    source: str = "import",
    commit: bool = True,
    ministry: Ministry | None = None,
    actor_id: int | None = None,
) -> ImportResult:
    """Apply rows validated by parse_file or parse_records (see import_regulations)."""
    if ministry is not None and not errors:
        errors = _foreign_rows(rows, ministry)
    if errors:
        raise ImportFailed(errors)
    result = ImportResult(rows=len(rows))
    fields = FieldResolver()
    documents = DocumentResolver()
    today = local_today()

    existing: dict[str, Regulation] = {}
    codes = [row.code for row in rows]
    for start in range(0, len(codes), 2000):
        chunk = codes[start : start + 2000]
        # Codes are identifiers whatever their case: `byt-tthc-001` is BYT-TTHC-001.
        query = select(Regulation).where(
            func.lower(Regulation.code).in_([c.lower() for c in chunk])
        )
        if not insert_only:
            query = query.options(selectinload(Regulation.bases).selectinload(LegalBasis.document))
        for regulation in db.session.scalars(query):
            existing[regulation.code.lower()] = regulation

    new_rows: list[ParsedRow] = []
    for row in rows:
        regulation = existing.get(row.code.lower())
        if regulation is None:
            new_rows.append(row)
        elif insert_only:
            result.skipped += 1
        elif _update(regulation, row, fields, documents, today, source, actor_id=actor_id):
            result.updated += 1
        else:
            result.unchanged += 1

    if new_rows:
        _insert(new_rows, fields, documents, today, source, actor_id=actor_id)
        result.created = len(new_rows)
        result.created_codes = [row.code for row in new_rows]
    result.documents_created = documents.created
    result.fields_created = fields.created
    if commit:
        db.session.commit()
    logger.info(
        "Imported %s: %s created, %s updated, %s unchanged, %s skipped",
        filename,
        result.created,
        result.updated,
        result.unchanged,
        result.skipped,
    )
    return result


def _foreign_rows(rows: list[ParsedRow], ministry: Ministry) -> list[RowError]:
    """Rows of another ministry, or updating another ministry's regulation, are refused."""
    errors = []
    owners = (
        dict(
            db.session.execute(
                select(func.lower(Regulation.code), Regulation.ministry_id).where(
                    func.lower(Regulation.code).in_([row.code.lower() for row in rows])
                )
            ).all()
        )
        if len(rows) <= 5000
        else None
    )
    for row in rows:
        if row.ministry_id != ministry.id:
            errors.append(
                RowError(
                    row.line,
                    "ministry",
                    _(
                        "this row belongs to another ministry; you can import only the "
                        "regulations of %(ministry)s (code %(code)s).",
                        ministry=ministry.name,
                        code=ministry.code,
                    ),
                )
            )
            continue
        owner = (
            owners.get(row.code.lower())
            if owners is not None
            else db.session.scalar(
                select(Regulation.ministry_id).where(
                    func.lower(Regulation.code) == row.code.lower()
                )
            )
        )
        if owner is not None and owner != ministry.id:
            errors.append(
                RowError(
                    row.line,
                    "code",
                    _(
                        "the code %(code)s is already used by another ministry's regulation.",
                        code=row.code,
                    ),
                )
            )
    return errors


def _insert(
    rows: list[ParsedRow], fields, documents, today: date, source: str, actor_id: int | None = None
) -> dict[str, int]:
    """Bulk-insert new regulations with their legal bases and a `created` event each."""
    documents.ensure(item.number for row in rows for item in row.bases)
    values = []
    for row in rows:
        row_values = _values(row, fields.id_for(row.field_name))
        row_values["code"] = row.code
        values.append(row_values)
    ids: dict[str, int] = {}
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        result = db.session.execute(
            insert(Regulation).returning(
                Regulation.id, Regulation.code, sort_by_parameter_order=True
            ),
            chunk,
        )
        for regulation_id, code in result:
            ids[code] = regulation_id
    bases = []
    events = []
    for row, row_values in zip(rows, values, strict=True):
        regulation_id = ids[row.code]
        for position, item in enumerate(row.bases):
            bases.append(
                {
                    "regulation_id": regulation_id,
                    "document_id": documents.id_for(item.number),
                    "article": item.article,
                    "position": position,
                }
            )
        first = documents.get(row.bases[0].number) if row.bases else None
        event_date = (first.effective_date or first.issued_date) if first else None
        events.append(
            {
                "regulation_id": regulation_id,
                "kind": "created",
                "event_date": min(event_date or today, today),
                "document_id": first.id if first else None,
                "note": "",
                "changed_fields": "",
                "source": source,
                "actor_id": actor_id,
                **snapshot(row_values),
            }
        )
    # Bulk inserts bypass the ORM's flush events: record the changes ourselves.
    record_changes(db.session, (("regulation", regulation_id) for regulation_id in ids.values()))
    for table, rows_to_insert in ((LegalBasis, bases), (RegulationEvent, events)):
        for start in range(0, len(rows_to_insert), 2000):
            db.session.execute(insert(table), rows_to_insert[start : start + 2000])
    return ids


def _update(
    regulation: Regulation,
    row: ParsedRow,
    fields,
    documents,
    today,
    source,
    *,
    actor_id: int | None = None,
) -> RegulationEvent | None:
    """Apply a row to an existing regulation; the history event it recorded, if anything
    changed."""
    after = _values(row, fields.id_for(row.field_name))
    if not row.costs_given:
        for name in COST_FIELDS:
            after[name] = getattr(regulation, name)
    before = {name: getattr(regulation, name) for name in after}
    changed = [name for name in after if before[name] != after[name]]
    current_bases = [
        (b.document.number_key if b.document else None, b.article) for b in regulation.bases
    ]
    documents.ensure(item.number for item in row.bases)
    new_bases = [(documents.get(item.number).number_key, item.article) for item in row.bases]
    if current_bases != new_bases:
        changed.append("legal_basis")
        regulation.bases.clear()
        db.session.flush()
        for position, item in enumerate(row.bases):
            regulation.bases.append(
                LegalBasis(
                    document_id=documents.id_for(item.number),
                    article=item.article,
                    position=position,
                )
            )
    if not changed:
        return None
    for name, value in after.items():
        setattr(regulation, name, value)
    regulation.updated_at = utcnow()  # also when only the legal basis changed
    kind = _event_kind_for_update(
        [c for c in changed if c != "legal_basis"] or changed, before, after
    )
    event = RegulationEvent(
        regulation_id=regulation.id,
        kind=kind,
        event_date=today,
        note="",
        changed_fields=",".join(changed),
        source=source,
        actor_id=actor_id,
        **snapshot(after),
    )
    db.session.add(event)
    return event
