"""The official 2021–2022 figures of the seed report (Phụ lục 1), as shipped CSV files.

Nothing here is "fixed": every table keeps the report's own total row, and `checks()` lists each
place where the rows do not add up to it, or where a row's parts do not add up to the row's
total, so that the pages can show both numbers side by side.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "reported"

# Column groups: (row total, its parts).
CUT_KINDS = ("tthc", "tcqc", "ycdk", "cdbc", "ktcn_sphh", "prohibitions")
CUT_DOCS = ("luat", "phap_lenh", "nghi_dinh", "qd_ttg", "thong_tu_ttlt", "other_docs")
TABLE_TITLES = {
    "p1_I_regs_cut_by_ministry": _l("I. Regulations cut or simplified"),
    "p1_II_approved_plans": _l("II. Approved plans"),
    "p1_III_inforce_published": _l("III. Regulations in force published on the portal"),
    "p1_III_subtable_total1029": _l("III. Regulations in plans on the portal"),
}
PLAN_KINDS = ("ycdk", "cdbc", "tcqc", "ktcn", "tthc")
PUBLISHED_KINDS = ("tthc", "tcqc", "ycdk", "cdbc", "ktcn_sphh", "prohibitions")
PORTAL_PLAN_KINDS = ("tthc", "tcqc", "ycdk", "cdbc", "ktcn", "prohibitions")


def _number(value: str) -> int | None:
    value = (value or "").strip()
    return int(float(value)) if value else None


@lru_cache(maxsize=8)
def table(name: str) -> tuple[dict, ...]:
    with (DIRECTORY / f"{name}.csv").open(encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def rows(name: str) -> list[dict]:
    """The per-ministry rows (not the report's total or subtotal rows)."""
    return [
        row
        for row in table(name)
        if row.get("ministry_code") not in ("TOTAL", "SUBTOTAL")
        and row.get("row_type", "row") == "row"
    ]


@lru_cache(maxsize=1)
def report_ministries() -> tuple[str, ...]:
    """The ministries the report's per-ministry tables cover (000:283-305), in its order: the
    rows of Phụ lục 1 I, the one complete table."""
    return tuple(row["ministry_code"] for row in rows("p1_I_regs_cut_by_ministry"))


def total_row(name: str) -> dict | None:
    for row in table(name):
        if row.get("ministry_code") == "TOTAL" or row.get("row_type") == "total":
            return row
    return None


def by_ministry(name: str) -> dict[str, dict]:
    return {row["ministry_code"]: row for row in rows(name)}


def value(row: dict, column: str) -> int | None:
    return _number(row.get(column, ""))


@dataclass(frozen=True)
class Discrepancy:
    table: str
    where: str  # a ministry code, or "TOTAL"
    column: str
    stated: int
    computed: int
    source: str


def _row_checks(name: str, row: dict, total: str, parts: tuple[str, ...]):
    stated = value(row, total)
    pieces = [value(row, part) for part in parts]
    if stated is None or any(piece is None for piece in pieces):
        return None
    computed = sum(pieces)
    if computed != stated:
        return Discrepancy(name, row["ministry_code"], total, stated, computed, row["src"])
    return None


def _column_checks(name: str, columns: tuple[str, ...]):
    stated_row = total_row(name)
    if stated_row is None:
        return []
    found = []
    for column in columns:
        stated = value(stated_row, column)
        computed = sum(value(row, column) or 0 for row in rows(name))
        if stated is not None and stated != computed:
            found.append(Discrepancy(name, "TOTAL", column, stated, computed, stated_row["src"]))
    return found


@lru_cache(maxsize=1)
def checks() -> tuple[Discrepancy, ...]:
    """Every place where the report's figures do not add up, computed from the files."""
    found: list[Discrepancy] = []
    for row in rows("p1_I_regs_cut_by_ministry"):
        for total, parts in (("regs_total", CUT_KINDS), ("docs_total", CUT_DOCS)):
            if problem := _row_checks("p1_I_regs_cut_by_ministry", row, total, parts):
                found.append(problem)
    found += _column_checks(
        "p1_I_regs_cut_by_ministry", ("regs_total", *CUT_KINDS, "docs_total", *CUT_DOCS)
    )
    stated = total_row("p1_I_regs_cut_by_ministry")
    if stated:
        parts = sum(value(stated, part) or 0 for part in CUT_DOCS)
        if parts != value(stated, "docs_total"):
            found.append(
                Discrepancy(
                    "p1_I_regs_cut_by_ministry",
                    "TOTAL",
                    "docs_total",
                    value(stated, "docs_total"),
                    parts,
                    stated["src"],
                )
            )
    for row in rows("p1_II_approved_plans"):
        for total, parts in (("regs_total", PLAN_KINDS), ("docs_total", CUT_DOCS)):
            if problem := _row_checks("p1_II_approved_plans", row, total, parts):
                found.append(problem)
    found += _column_checks("p1_II_approved_plans", ("regs_total", "docs_total"))
    for row in rows("p1_III_inforce_published"):
        for suffix in ("pub", "unpub"):
            parts = tuple(f"{kind}_{suffix}" for kind in PUBLISHED_KINDS)
            if problem := _row_checks("p1_III_inforce_published", row, f"total_{suffix}", parts):
                found.append(problem)
    for row in [*rows("p1_III_subtable_total1029"), total_row("p1_III_subtable_total1029")]:
        for suffix in ("pub", "unpub"):
            parts = tuple(f"{kind}_{suffix}" for kind in PORTAL_PLAN_KINDS)
            if problem := _row_checks("p1_III_subtable_total1029", row, f"total_{suffix}", parts):
                found.append(problem)
    return tuple(found)


def column_sums(name: str, columns) -> dict[str, int]:
    """The sum of each column over the rows as printed (empty cells count as 0)."""
    return {column: sum(value(row, column) or 0 for row in rows(name)) for column in columns}


def missing_ministries(name: str) -> list[str]:
    """Ministries of the report's tables that a (truncated) table has no row for."""
    present = set(by_ministry(name))
    return [code for code in report_ministries() if code not in present]


# ---------------------------------------------------------------------------- for the index


def reported_indicators(ministry_code: str) -> dict[str, tuple[float, float] | None]:
    """(numerator, denominator) of T1, R1 and R4 for 2022 from the report, as the methodology
    says: T1 = published ÷ (published + not published) (Phụ lục 1 III); R1's numerator is the
    regulations cut (Phụ lục 1 I) over the same denominator; R4 = 1 if the ministry has a plan
    approved in Phụ lục 1 II. None where the report has no row for the ministry."""
    published = by_ministry("p1_III_inforce_published").get(ministry_code)
    cut = by_ministry("p1_I_regs_cut_by_ministry").get(ministry_code)
    approved = {row["ministry_code"] for row in rows("p1_II_approved_plans")}
    result: dict[str, tuple[float, float] | None] = {"T1": None, "R1": None, "R4": None}
    stock = None
    if published is not None:
        stock = (value(published, "total_pub") or 0) + (value(published, "total_unpub") or 0)
        result["T1"] = (value(published, "total_pub") or 0, stock)
    if cut is not None and stock:
        result["R1"] = (value(cut, "regs_total") or 0, stock)
    if ministry_code in report_ministries():
        result["R4"] = (1 if ministry_code in approved else 0, 1)
    return result
