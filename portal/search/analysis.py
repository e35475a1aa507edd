"""Vietnamese text analysis shared by every search backend.

Text is cut into syllables (runs of letters and digits). Each syllable has two forms:

- the *exact* form: NFC, lower case, with the tone mark canonicalised to the new placement
  (hoà → hòa, thuỷ → thủy, khoẻ → khỏe), so both spellings of one word agree;
- the *folded* form: no tone or vowel marks and đ → d (đăng → dang), for accent-less typing.

Matching uses folded forms (accent-insensitive); the exact forms rank a query typed with correct
diacritics first. Adjacent syllables also form *shingles* (two and three syllables), so that
multi-syllable words and quoted phrases are cheap set look-ups that respect syllable order.
"""

from __future__ import annotations

import re
from functools import lru_cache

from portal.text import clean_text, fold

SYLLABLE_RE = re.compile(r"[^\W_]+")
SHINGLE_JOIN = "_"

# Old-style tone placement on the last vowel of a final oa/oe/uy → new style on the first.
_TONE_TO_O = {
    "à": "ò",
    "á": "ó",
    "ả": "ỏ",
    "ã": "õ",
    "ạ": "ọ",
    "è": "ò",
    "é": "ó",
    "ẻ": "ỏ",
    "ẽ": "õ",
    "ẹ": "ọ",
}
_TONE_TO_U = {"ỳ": "ù", "ý": "ú", "ỷ": "ủ", "ỹ": "ũ", "ỵ": "ụ"}
_OLD_OA_OE = re.compile(r"o([àáảãạ])$|o([èéẻẽẹ])$")
_OLD_UY = re.compile(r"(?<!q)u([ỳýỷỹỵ])$")


@lru_cache(maxsize=65536)
def canonical_syllable(syllable: str) -> str:
    """`hoà` → `hòa`, `thuỷ` → `thủy`, `khoẻ` → `khỏe` (but `quý` stays `quý`)."""
    match = _OLD_OA_OE.search(syllable)
    if match:
        toned = match.group(1) or match.group(2)
        vowel = "a" if match.group(1) else "e"
        return syllable[: match.start()] + _TONE_TO_O[toned] + vowel
    match = _OLD_UY.search(syllable)
    if match:
        return syllable[: match.start()] + _TONE_TO_U[match.group(1)] + "y"
    return syllable


def syllables(text: str) -> list[str]:
    """Exact syllables of a text: NFC, lower case, canonical tone placement."""
    cleaned = clean_text(text, multiline=True).lower()
    return [canonical_syllable(s) for s in SYLLABLE_RE.findall(cleaned)]


# After a single consonant, a syllable's only vowel may be written i or y
# (kí/ký, lí/lý, mĩ/mỹ, tỉ/tỷ): the folded form always uses y, so both spellings match.
_FINAL_I = re.compile(r"^([bdhklmnrstv])i$")


@lru_cache(maxsize=65536)
def fold_syllable(token: str) -> str:
    """The accent-insensitive form of one exact syllable: `ký` → `ky`, `kí` → `ky`."""
    return _FINAL_I.sub(r"\1y", fold(token))


def folded(tokens: list[str]) -> list[str]:
    """Folded forms of exact syllables."""
    return [fold_syllable(token) for token in tokens]


def has_marks(token: str) -> bool:
    """True if a syllable carries Vietnamese marks (so its exact form is informative)."""
    return fold(token) != token


def shingles(tokens: list[str], sizes: tuple[int, ...] = (2, 3)) -> list[str]:
    """Runs of adjacent syllables: `kinh doanh xang` → `kinh_doanh`, `doanh_xang`, …"""
    out: list[str] = []
    for size in sizes:
        for start in range(len(tokens) - size + 1):
            out.append(SHINGLE_JOIN.join(tokens[start : start + size]))
    return out


def phrase_shingles(tokens: list[str]) -> list[str]:
    """The shingles a phrase needs: its trigrams (or its one bigram for two syllables).

    Consecutive trigrams overlap by two syllables, so a document that has all of them has the
    syllables in this order, except in rare texts that repeat parts of the phrase elsewhere.
    """
    if len(tokens) < 2:
        return list(tokens)
    if len(tokens) == 2:
        return [SHINGLE_JOIN.join(tokens)]
    return shingles(tokens, sizes=(3,))
