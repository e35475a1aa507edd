"""Legal document numbers and article references as people type them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.text import clean_text, fold

# 168/2017/NĐ-CP, 09/2017/QH14, 1977/QĐ-TTg, 28/2005/PL-UBTVQH11, 05/VBHN-BTC, 02/2021/TT-BKHĐT
_NUMBER = r"\d{1,5}(?:/\d{4})?/[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*"
# QCVN 06:2022/BXD, TCVN 5699-1:2010
_STANDARD = r"(?:QCVN|TCVN)\s?[0-9][0-9.\-]*(?::\d{4})?(?:/[0-9A-Za-zĐđ\-]+)?"
_TYPE_WORDS = (
    r"(?:Luật|Bộ luật|Pháp lệnh|Nghị định|Nghị quyết|Quyết định|Thông tư liên tịch|Thông tư|"
    r"Văn bản hợp nhất|NĐ|TT|TTLT|QĐ|NQ)"
)
_ITEM_RE = re.compile(
    rf"^(?:{_TYPE_WORDS}\s+(?:số\s+)?)?(?P<number>{_STANDARD}|{_NUMBER})(?P<rest>.*)$",
    re.IGNORECASE,
)
_SLUG_RE = re.compile(r"[^a-z0-9]+")

# Common ways the issuer suffix is typed without its Vietnamese letters or its lower case.
_SUFFIX_FIXES = {"ND-CP": "NĐ-CP", "QD-TTG": "QĐ-TTg", "QĐ-TTG": "QĐ-TTg", "NQ-CP": "NQ-CP"}


@dataclass(frozen=True)
class BasisItem:
    number: str
    article: str


def canonical_number(number: str) -> str:
    """`168/2017/nđ-cp` → `168/2017/NĐ-CP`; `1977/qd-ttg` → `1977/QĐ-TTg`."""
    number = re.sub(r"\s+", " ", clean_text(number))
    head, sep, suffix = number.rpartition("/")
    if not sep:
        return number.upper()
    suffix = suffix.upper()
    suffix = _SUFFIX_FIXES.get(suffix, suffix)
    if suffix.endswith("-TTG"):
        suffix = suffix[:-4] + "-TTg"
    return f"{head.upper()}/{suffix}"


def number_key(number: str) -> str:
    """The identity of a document number: folded, upper case, without spaces."""
    return re.sub(r"\s+", "", fold(clean_text(number))).upper()


def document_slug(number: str) -> str:
    """URL slug of a document number: `168/2017/NĐ-CP` → `168-2017-nd-cp`."""
    return _SLUG_RE.sub("-", fold(clean_text(number))).strip("-")


def parse_basis_item(text: str) -> BasisItem | None:
    """`Nghị định 168/2017/NĐ-CP Điều 5` → (`168/2017/NĐ-CP`, `Điều 5`); None if no number."""
    text = clean_text(text)
    match = _ITEM_RE.match(text)
    if not match:
        return None
    article = match.group("rest").strip(" ,.-–")
    return BasisItem(canonical_number(match.group("number")), article)


def parse_basis(text: str) -> tuple[list[BasisItem], list[str]]:
    """Split a `;`-separated legal basis; returns the items and the parts that are not numbers."""
    items: list[BasisItem] = []
    bad: list[str] = []
    seen: set[tuple[str, str]] = set()
    for part in re.split(r"[;\n]", text or ""):
        part = clean_text(part)
        if not part:
            continue
        item = parse_basis_item(part)
        if item is None:
            bad.append(part)
            continue
        key = (number_key(item.number), item.article)
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items, bad


def format_basis(items) -> str:
    """The inverse of parse_basis: `168/2017/NĐ-CP Điều 5; 09/2017/QH14`."""
    return "; ".join(f"{number} {article}".strip() for number, article in items)
