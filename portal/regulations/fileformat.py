"""The regulation file format shared by import, export and the list-page downloads.

Columns: code, kind, title, ministry, field, status, published, legal_basis, content and the
optional cost inputs time_hours, cost_vnd, frequency, subjects. CSV is UTF-8 (a BOM is written
and accepted); XLSX has the header in the first row of the first sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

REQUIRED_COLUMNS = (
    "code",
    "kind",
    "title",
    "ministry",
    "field",
    "status",
    "published",
    "legal_basis",
    "content",
)
OPTIONAL_COLUMNS = ("time_hours", "cost_vnd", "frequency", "subjects")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# A cell that starts with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The web upload limit (MAX_CONTENT_LENGTH) is lower; this bounds command-line imports.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ROWS = 200_000


class FileFormatError(Exception):
    """The file as a whole cannot be read (not the format, wrong encoding, too large)."""


def escape_formula(value: str) -> str:
    """Prefix a quote so a spreadsheet shows the text instead of running it."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo escape_formula, so our own downloads re-import unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def format_number(value) -> str:
    """Canonical text of a number in files: 16, 2.5, 0.2, 0.00001 (shortest exact, no exponent)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


# ---------------------------------------------------------------------------- reading


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for every row including the header (line 1)."""
    if len(data) > MAX_FILE_BYTES:
        raise FileFormatError(
            _("The file is larger than %(size)s MB.", size=MAX_FILE_BYTES // (1024 * 1024))
        )
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        if data[:4] != b"PK\x03\x04":
            raise FileFormatError(_("The file is named .xlsx but is not an Excel workbook."))
        yield from _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        yield from _read_csv(data)
    else:
        raise FileFormatError(_("Unsupported file type: use a .csv or .xlsx file."))


def _read_csv(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileFormatError(
            _(
                "The file is not UTF-8 text (first bad byte on line %(line)s). Save it as "
                "“CSV UTF-8” and try again.",
                line=line,
            )
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileFormatError(
            _("The CSV file is malformed near line %(line)s.", line=reader.line_num)
        ) from error


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken zip or XML
        raise FileFormatError(_("The Excel file could not be opened.")) from error
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    finally:
        workbook.close()


# ---------------------------------------------------------------------------- writing


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable], rows_per_chunk: int = 500):
    """UTF-8 CSV with BOM (Excel needs it for Vietnamese) in chunks; every cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(header))
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([escape_formula(format_number(cell)) for cell in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(header: Iterable[str], rows: Iterable[Iterable], stream: io.BufferedIOBase) -> None:
    """Write csv_chunks to a binary stream."""
    for chunk in csv_chunks(header, rows):
        stream.write(chunk)


def write_xlsx(
    header: Iterable[str], rows: Iterable[Iterable], stream: io.BufferedIOBase, title: str
) -> None:
    """One sheet; text is always stored as text (never as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    workbook.save(stream)
