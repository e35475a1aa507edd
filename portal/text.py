"""Text at the edge: NFC normalisation, invisible-character removal and Vietnamese folding."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Zero-width, BOM, word joiner and the bidirectional overrides/isolates (U+202E in a business
# name can reverse what a reader sees).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SPACE_LIKE = "\u00a0\u2007\u202f\u3000"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_TABLE = {ord(c): None for c in _INVISIBLE} | {ord(c): " " for c in _SPACE_LIKE}
_MULTISPACE_RE = re.compile(r"[ \t]+")

# đ/Đ (and the Icelandic eth that Word sometimes substitutes) have no Unicode decomposition.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def clean_text(value: object, *, multiline: bool = False, max_length: int | None = None) -> str:
    """Normalise user input: NFC, no control or invisible characters, trimmed.

    Single-line values collapse every run of whitespace to one space; multi-line values keep
    their line breaks (normalised to \\n) but lose trailing spaces on each line.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_INVISIBLE_TABLE)
    if multiline:
        text = _CONTROL_RE.sub("", text)
        lines = [_MULTISPACE_RE.sub(" ", line).strip() for line in text.split("\n")]
        text = "\n".join(lines).strip("\n")
        text = re.sub(r"\n{3,}", "\n\n", text)
    else:
        text = _CONTROL_RE.sub("", text.replace("\n", " ").replace("\t", " "))
        text = _MULTISPACE_RE.sub(" ", text).strip()
    if max_length is not None:
        text = text[:max_length]
    return text


@lru_cache(maxsize=65536)
def parse_id(value: object, max_digits: int = 12) -> int | None:
    """A record id or a year typed in a URL or a form: ASCII digits only (`str.isdigit` also
    accepts "²" and "٣", which int() refuses), short enough for the database's integers."""
    text = str(value or "").strip()
    if not text or len(text) > max_digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def fold(value: str) -> str:
    """Lower-case and strip Vietnamese tone and vowel marks, including đ → d."""
    decomposed = unicodedata.normalize("NFD", value.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def fold_key(value: str) -> str:
    """A comparison key: cleaned, folded, whitespace-collapsed (for names typed in many ways)."""
    return _MULTISPACE_RE.sub(" ", fold(clean_text(value))).strip()


# ---------------------------------------------------------------------------- comments

_LINK_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _link_attributes(attrs, new=False):
    """Links in comments open safely: no referrer power, marked as user content."""
    href_key = (None, "href")
    href = attrs.get(href_key, "")
    if not href.lower().startswith(("http://", "https://", "mailto:")):
        return None  # drop the link, keep its text
    attrs[(None, "rel")] = "nofollow ugc noopener noreferrer"
    return attrs


@lru_cache(maxsize=1)
def _cleaner():
    from functools import partial

    import bleach
    from bleach.linkifier import LinkifyFilter

    return bleach.Cleaner(
        tags={"a", "br", "p"},
        attributes={"a": ["href", "rel"]},
        protocols=_LINK_PROTOCOLS,
        strip=True,
        filters=[partial(LinkifyFilter, callbacks=[_link_attributes], parse_email=False)],
    )


def comment_html(text: str):
    """A comment's plain text as safe HTML: every character escaped, paragraphs and line breaks
    kept, web addresses made into links (http, https only). The one sanitiser of user text;
    the result is marked safe for templates."""
    import html

    from markupsafe import Markup

    cleaned = clean_text(text, multiline=True)
    paragraphs = [part for part in cleaned.split("\n\n") if part.strip()]
    escaped = "".join(
        "<p>" + "<br>".join(html.escape(line, quote=True) for line in part.split("\n")) + "</p>"
        for part in paragraphs
    )
    return Markup(_cleaner().clean(escaped))  # noqa: S704 (escaped, then sanitised by bleach)
