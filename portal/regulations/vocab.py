"""Controlled vocabularies: regulation kinds, statuses, legal-document types and relations.

Each value has a stable English code (stored in the database and used in files and URLs), the
Vietnamese abbreviation used by the seed documents, and a translatable label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from portal.text import fold_key


@dataclass(frozen=True)
class Term:
    code: str
    abbreviation: str
    label: object
    plural: object = None
    aliases: tuple[str, ...] = ()


KINDS = (
    Term(
        "procedure",
        "TTHC",
        _l("Administrative procedure"),
        _l("Administrative procedures"),
        ("thủ tục hành chính", "thu tuc", "tthc"),
    ),
    Term(
        "condition",
        "YCĐK",
        _l("Business requirement or condition"),
        _l("Business requirements and conditions"),
        ("yêu cầu, điều kiện", "yêu cầu điều kiện", "điều kiện kinh doanh", "đkkd", "ycdk"),
    ),
    Term(
        "report",
        "CĐBC",
        _l("Reporting regime"),
        _l("Reporting regimes"),
        ("chế độ báo cáo", "báo cáo", "cdbc"),
    ),
    Term(
        "inspection",
        "KTCN",
        _l("Specialised inspection"),
        _l("Specialised inspections"),
        ("kiểm tra chuyên ngành", "ktcn"),
    ),
    Term(
        "standard",
        "TCQC",
        _l("Technical standard or regulation"),
        _l("Technical standards and regulations"),
        ("tiêu chuẩn, quy chuẩn", "tiêu chuẩn quy chuẩn", "quy chuẩn kỹ thuật", "tcqc"),
    ),
    Term(
        "prohibition", "CẤM", _l("Prohibition"), _l("Prohibitions"), ("quy định cấm", "cấm", "cam")
    ),
)

STATUSES = (
    Term(
        "in_force",
        "",
        _lp("regulation status", "In force"),
        None,
        ("hiệu lực", "còn hiệu lực", "có hiệu lực", "đang có hiệu lực", "hieu luc"),
    ),
    Term(
        "draft",
        "",
        _lp("regulation status", "Draft"),
        None,
        ("dự thảo", "du thao", "dự kiến ban hành"),
    ),
    Term(
        "abolished",
        "",
        _lp("regulation status", "Abolished"),
        None,
        ("bãi bỏ", "đã bãi bỏ", "hết hiệu lực", "bai bo", "repealed"),
    ),
)

# Ordered as the seed documents' tables order them (glossary §5).
DOCUMENT_TYPES = (
    Term("law", "Luật", _l("Law"), _l("Laws")),
    Term("ordinance", "Pháp lệnh", _l("Ordinance"), _l("Ordinances")),
    Term("decree", "Nghị định", _l("Decree"), _l("Decrees")),
    Term(
        "pm_decision",
        "Quyết định của Thủ tướng Chính phủ",
        _l("Decision of the Prime Minister"),
        _l("Decisions of the Prime Minister"),
    ),
    Term("circular", "Thông tư", _l("Circular"), _l("Circulars")),
    Term("joint_circular", "Thông tư liên tịch", _l("Joint circular"), _l("Joint circulars")),
    Term("other", "Khác", _l("Other document"), _l("Other documents")),
)

# "source <kind> target"; the inverse label is shown on the target's page.
RELATION_KINDS = (
    Term("amends", "sửa đổi, bổ sung", _l("Amends"), _l("Amended by")),
    Term("replaces", "thay thế", _l("Replaces"), _l("Replaced by")),
    Term("guides", "hướng dẫn", _l("Guides"), _l("Guided by")),
    Term("abolishes", "bãi bỏ", _l("Abolishes"), _l("Abolished by")),
)

EVENT_KINDS = (
    Term("created", "", _l("Created")),
    Term("amended", "", _l("Amended")),
    Term("simplified", "", _l("Simplified")),
    Term("abolished", "", _l("Abolished")),
    Term("updated", "", _l("Data updated")),
    Term("published", "", _l("Published on the portal")),
    Term("unpublished", "", _l("Withdrawn from publication")),
)

KIND_CODES = tuple(t.code for t in KINDS)
STATUS_CODES = tuple(t.code for t in STATUSES)
DOCUMENT_TYPE_CODES = tuple(t.code for t in DOCUMENT_TYPES)
RELATION_CODES = tuple(t.code for t in RELATION_KINDS)
EVENT_CODES = tuple(t.code for t in EVENT_KINDS)

_BY_CODE = {
    "kind": {t.code: t for t in KINDS},
    "status": {t.code: t for t in STATUSES},
    "doctype": {t.code: t for t in DOCUMENT_TYPES},
    "relation": {t.code: t for t in RELATION_KINDS},
    "event": {t.code: t for t in EVENT_KINDS},
}


def term(group: str, code: str) -> Term | None:
    """Look up a term by its stored code."""
    return _BY_CODE[group].get(code)


def _lookup(terms: tuple[Term, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for t in terms:
        for name in (t.code, t.abbreviation, *t.aliases):
            if name:
                table[fold_key(name)] = t.code
    return table


_KIND_LOOKUP = _lookup(KINDS)
_STATUS_LOOKUP = _lookup(STATUSES)


def parse_kind(value: str) -> str | None:
    """`TTHC`, `tthc`, `procedure`, `YCĐK`, `ycdk`, `CẤM`, `cam` … → the kind code."""
    return _KIND_LOOKUP.get(fold_key(value))


def parse_status(value: str) -> str | None:
    """`in_force`, `hiệu lực`, `dự thảo`, `bãi bỏ` … → the status code."""
    return _STATUS_LOOKUP.get(fold_key(value).replace("-", "_").replace(" ", "_")) or (
        _STATUS_LOOKUP.get(fold_key(value))
    )


_TRUE = {"1", "yes", "y", "true", "co", "x"}
_FALSE = {"0", "no", "n", "false", "khong"}


def parse_flag(value: str) -> bool | None:
    """`1/0`, `yes/no`, `có/không`, `true/false` → bool; anything else → None."""
    key = fold_key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


# Document numbers: "168/2017/NĐ-CP", "09/2017/QH14", "1977/QĐ-TTg", "28/2005/PL-UBTVQH11",
# "05/VBHN-BTC", "QCVN 06:2022/BXD".
_SUFFIX_TYPES = (
    (re.compile(r"^(PL-)?UBTVQH\d*$"), "ordinance"),
    (re.compile(r"^QH\d*$"), "law"),
    (re.compile(r"^NĐ-CP$"), "decree"),
    (re.compile(r"^QĐ-TTG$"), "pm_decision"),
    (re.compile(r"^TTLT(-|$)"), "joint_circular"),
    (re.compile(r"^TT(-|$)"), "circular"),
)


def infer_document_type(number: str) -> str:
    """Infer a legal document's type from its number's last segment."""
    suffix = number.rsplit("/", 1)[-1].upper()
    suffix = suffix.replace("ND-CP", "NĐ-CP").replace("QD-TTG", "QĐ-TTG")
    for pattern, doc_type in _SUFFIX_TYPES:
        if pattern.search(suffix):
            return doc_type
    return "other"
