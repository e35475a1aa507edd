"""Regulations to the shared file format (CLI export and list-page downloads)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.regulations.citations import format_basis
from portal.regulations.fileformat import COLUMNS, write_csv, write_xlsx
from portal.regulations.models import LegalBasis, Regulation


def regulation_row(regulation: Regulation) -> list:
    """One regulation as a row of the import format (numbers stay numbers)."""
    return [
        regulation.code,
        regulation.kind,
        regulation.title,
        regulation.ministry.code,
        regulation.field.name_vi if regulation.field else "",
        regulation.status,
        "1" if regulation.published else "0",
        format_basis((basis.document.number, basis.article) for basis in regulation.bases),
        regulation.content,
        regulation.time_hours,
        regulation.cost_vnd,
        regulation.frequency,
        regulation.subjects,
    ]


def export_table(regulations: Iterable[Regulation], stream, fmt: str) -> None:
    """Write regulations as CSV (UTF-8 with BOM) or XLSX to a binary stream."""
    rows = (regulation_row(regulation) for regulation in regulations)
    if fmt == "xlsx":
        write_xlsx(COLUMNS, rows, stream, title="regulations")
    else:
        write_csv(COLUMNS, rows, stream)


def all_regulations() -> Iterator[Regulation]:
    """Every regulation, published or not, in code order (for `flask regulations export`)."""
    statement = (
        select(Regulation)
        .options(
            joinedload(Regulation.ministry),
            joinedload(Regulation.field),
            selectinload(Regulation.bases).joinedload(LegalBasis.document),
        )
        .order_by(Regulation.code)
        .execution_options(yield_per=1000)
    )
    yield from db.session.scalars(statement)
