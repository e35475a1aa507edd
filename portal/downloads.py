"""Table downloads for any page: CSV streamed (UTF-8 with BOM, formula-safe) or XLSX."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, send_file, stream_with_context

from portal.regulations.fileformat import csv_chunks, write_xlsx

FORMATS = ("csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stamped_name(base: str, fmt: str) -> str:
    stamp = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y%m%d-%H%M")
    return f"{base}-{stamp}.{fmt}"


def table_response(header, rows, fmt: str, base_name: str, sheet: str = "data"):
    """A download of `rows` under `header`; `rows` may be a generator (CSV is streamed)."""
    if fmt not in FORMATS:
        abort(404)
    filename = stamped_name(base_name, fmt)
    if fmt == "csv":
        response = Response(stream_with_context(csv_chunks(header, rows)), mimetype="text/csv")
        response.headers["Content-Disposition"] = f"attachment; filename={filename}"
        response.headers["Cache-Control"] = "no-store"
        return response
    stream = io.BytesIO()
    write_xlsx(header, rows, stream, title=sheet)
    stream.seek(0)
    response = send_file(
        stream, mimetype=XLSX_MIME, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    return response
