"""Highlighted titles and snippets, built from the database text (never from the index).

Every piece of text is escaped; only the <mark> elements we add are markup.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.search.analysis import SYLLABLE_RE, canonical_syllable, fold_syllable
from portal.text import clean_text


def _marks(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    spans = []
    for match in SYLLABLE_RE.finditer(text):
        if fold_syllable(canonical_syllable(match.group().lower())) in wanted:
            spans.append(match.span())
    return spans


def _render(text: str, spans: list[tuple[int, int]]) -> Markup:
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        out.append(str(escape(text[cursor:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(str(escape(text[cursor:])))
    # Merge marks that only a space separates, so "đăng ký" reads as one highlight.
    return Markup("".join(out).replace("</mark> <mark>", " "))  # noqa: S704 (escaped above)


def highlight(text: str, wanted: set[str]) -> Markup:
    """The whole text with every query syllable marked."""
    text = clean_text(text)
    return _render(text, _marks(text, wanted))


def snippet(text: str, wanted: set[str], words: int = 36) -> Markup:
    """About `words` words of the text around its densest run of query syllables."""
    text = clean_text(text)
    spans = _marks(text, wanted)
    tokens = [match.span() for match in SYLLABLE_RE.finditer(text)]
    if len(tokens) <= words:
        return _render(text, spans)
    best = 0
    if spans:
        starts = [span[0] for span in spans]
        token_starts = [span[0] for span in tokens]
        hit_positions = [token_starts.index(start) for start in starts if start in token_starts]
        best_count = -1
        for position in hit_positions:
            window_start = max(0, position - words // 4)
            count = sum(window_start <= p < window_start + words for p in hit_positions)
            if count > best_count:
                best, best_count = window_start, count
    end_token = min(len(tokens), best + words)
    begin = tokens[best][0]
    finish = tokens[end_token - 1][1]
    piece = text[begin:finish]
    inner = [(s - begin, e - begin) for s, e in spans if begin <= s and e <= finish]
    rendered = _render(piece, inner)
    prefix = "… " if begin > 0 else ""
    suffix = " …" if finish < len(text) else ""
    return escape(prefix) + rendered + escape(suffix)
