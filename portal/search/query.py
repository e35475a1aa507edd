"""What the user typed → clauses the engine can run. Never raises, whatever the input.

A query is a conjunction of clauses. A clause is a syllable, a quoted phrase, a legal citation
(`15/2018/NĐ-CP`, `NĐ 15/2018`, `nghị định 15/2018`) or an abbreviation with its expansions
(`TTHC` ⇄ `thủ tục hành chính`, both ways, from portal/data/reference/abbreviations.csv).
There is no query syntax: field names, wildcards and operators are just characters, so nothing
the user types can make the parser fail or ask the index for something expensive.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from portal.regulations.citations import canonical_number, number_key
from portal.search.analysis import SYLLABLE_RE, canonical_syllable, fold_syllable, has_marks
from portal.text import clean_text, fold

MAX_CHARS = 200
MAX_TERMS = 16
ABBREVIATIONS_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "reference" / "abbreviations.csv"
)

# The issuer part must hold a letter, so that `15/2018` is not read as number 15 of "2018".
_FULL_NUMBER = r"\d{1,5}(?:/\d{4})?/(?=[0-9A-Za-zĐđ-]*[A-Za-zĐđ])[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*"
_STANDARD = r"(?:QCVN|TCVN)\s?[0-9][0-9.\-]*(?::\d{4})?(?:/[0-9A-Za-zĐđ\-]+)?"
_TYPE_WORDS = {
    "luật": "law",
    "luat": "law",
    "bộ luật": "law",
    "bo luat": "law",
    "pháp lệnh": "ordinance",
    "phap lenh": "ordinance",
    "nghị định": "decree",
    "nghi dinh": "decree",
    "nđ": "decree",
    "nd": "decree",
    "quyết định": "pm_decision",
    "quyet dinh": "pm_decision",
    "qđ": "pm_decision",
    "qd": "pm_decision",
    "thông tư liên tịch": "joint_circular",
    "thong tu lien tich": "joint_circular",
    "ttlt": "joint_circular",
    "thông tư": "circular",
    "thong tu": "circular",
    "tt": "circular",
}
_TYPE_PATTERN = "|".join(sorted((re.escape(w) for w in _TYPE_WORDS), key=len, reverse=True))
_FULL_CITATION_RE = re.compile(
    rf"(?:(?<!\w)(?:{_TYPE_PATTERN})\s+(?:s[ốo]\s+)?)?(?<![\w/])(?P<number>{_STANDARD}|{_FULL_NUMBER})",
    re.IGNORECASE,
)
_SHORT_CITATION_RE = re.compile(
    rf"(?<!\w)(?P<type>{_TYPE_PATTERN})\s*(?:s[ốo]\s*)?(?P<num>\d{{1,5}})\s*/\s*(?P<year>\d{{4}})(?![/\d])",
    re.IGNORECASE,
)
# A regulation code such as BYT-TTHC-009 or 1.001612: letters/digits joined by - or ., with a digit.
_CODE_RE = re.compile(r"(?<![\w/.-])(?=[\w.-]*\d)([A-Za-z0-9]+(?:[-.][A-Za-z0-9]+){1,5})(?![\w/])")
_QUOTES_RE = re.compile(r"[\"“”„«»](.+?)[\"“”„«»]")
_OPERATORS = {"AND", "OR", "NOT", "&&", "||"}


@dataclass(frozen=True)
class Term:
    exact: str
    folded: str

    @property
    def marked(self) -> bool:
        return has_marks(self.exact)


@dataclass(frozen=True)
class Phrase:
    terms: tuple[Term, ...]

    @property
    def folded(self) -> list[str]:
        return [term.folded for term in self.terms]


@dataclass(frozen=True)
class Citation:
    key: str  # number key (`15/2018/ND-CP`) or partial key (`decree:15/2018`)
    label: str


@dataclass(frozen=True)
class Alternatives:
    """An abbreviation and its expansions, or a code and its syllables: any one matches."""

    options: tuple[Term | Phrase | Citation, ...]
    label: str


Clause = Term | Phrase | Citation | Alternatives


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause] = field(default_factory=list)
    notices: list[object] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.clauses

    @property
    def terms(self) -> list[Term]:
        """Every syllable of the query (for highlighting and suggestions)."""
        out: list[Term] = []
        for clause in self.clauses:
            if isinstance(clause, Term):
                out.append(clause)
            elif isinstance(clause, Phrase):
                out.extend(clause.terms)
            elif isinstance(clause, Alternatives):
                for option in clause.options:
                    if isinstance(option, Phrase):
                        out.extend(option.terms)
                    elif isinstance(option, Term):
                        out.append(option)
        return out

    @property
    def key(self) -> tuple:
        return tuple(self.clauses)


def _term(syllable: str) -> Term:
    exact = canonical_syllable(syllable.lower())
    return Term(exact, fold_syllable(exact))


def _terms(text: str) -> list[Term]:
    return [_term(s) for s in SYLLABLE_RE.findall(text)]


@cache
def abbreviation_table() -> tuple[
    dict[str, tuple[str, tuple[str, ...]]], dict[tuple[str, ...], str]
]:
    """(folded abbreviation → (abbreviation, expansions), folded expansion → folded abbr.)."""
    forward: dict[str, tuple[str, list[str]]] = {}
    backward: dict[tuple[str, ...], str] = {}
    with ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            abbreviation = clean_text(row["abbreviation"])
            expansion = clean_text(row["expansion"])
            key = fold(abbreviation).lower()
            forward.setdefault(key, (abbreviation, []))[1].append(expansion)
            backward[tuple(t.folded for t in _terms(expansion))] = key
    return {k: (a, tuple(e)) for k, (a, e) in forward.items()}, backward


def _alternatives(abbreviation: str, expansions: tuple[str, ...]) -> Alternatives:
    options: list[Term | Phrase] = [_term(abbreviation)]
    for expansion in expansions:
        terms = _terms(expansion)
        options.append(Phrase(tuple(terms)) if len(terms) > 1 else terms[0])
    return Alternatives(tuple(options), abbreviation)


def _words_to_clauses(terms: list[Term]) -> list[Clause]:
    """Group syllables into abbreviations (either way round) and plain terms."""
    forward, backward = abbreviation_table()
    longest = max((len(k) for k in backward), default=1)
    clauses: list[Clause] = []
    index = 0
    while index < len(terms):
        matched = False
        for size in range(min(longest, len(terms) - index), 1, -1):
            window = tuple(t.folded for t in terms[index : index + size])
            if window in backward:
                clauses.append(_alternatives(*forward[backward[window]]))
                index += size
                matched = True
                break
        if matched:
            continue
        term = terms[index]
        if term.folded in forward:
            clauses.append(_alternatives(*forward[term.folded]))
        else:
            clauses.append(term)
        index += 1
    return clauses


def _citations(text: str) -> tuple[list[Citation], str]:
    found: list[Citation] = []
    for match in _FULL_CITATION_RE.finditer(text):
        number = canonical_number(match.group("number"))
        found.append(Citation(number_key(number), number))
    text = _FULL_CITATION_RE.sub(" ", text)
    for match in _SHORT_CITATION_RE.finditer(text):
        doc_type = _TYPE_WORDS[match.group("type").lower()]
        label = f"{match.group('num')}/{match.group('year')}"
        found.append(Citation(f"{doc_type}:{int(match.group('num'))}/{match.group('year')}", label))
    text = _SHORT_CITATION_RE.sub(" ", text)
    return found, text


def parse(raw: str | None) -> ParsedQuery:
    """Parse a search box value; long input is cut with a notice, nothing ever raises."""
    text = clean_text(raw or "")
    notices: list[object] = []
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0] or text[:MAX_CHARS]
        notices.append(
            _l("Your search was shortened to its first %(limit)s characters.", limit=MAX_CHARS)
        )
    citations, rest = _citations(text)
    clauses: list[Clause] = list(dict.fromkeys(citations))

    for match in _CODE_RE.finditer(rest):
        terms = _terms(match.group(1))
        options: list[Term | Phrase | Citation] = [
            Citation("code:" + match.group(1).lower(), match.group(1))
        ]
        options.append(Phrase(tuple(terms)) if len(terms) > 1 else terms[0])
        clauses.append(Alternatives(tuple(options), match.group(1)))
    rest = _CODE_RE.sub(" ", rest)

    phrases: list[Phrase] = []
    for match in _QUOTES_RE.finditer(rest):
        terms = _terms(match.group(1))
        if len(terms) > 1:
            phrases.append(Phrase(tuple(terms)))
        elif terms:
            clauses.append(terms[0])
    rest = _QUOTES_RE.sub(" ", rest)

    words = [w for w in rest.split() if w not in _OPERATORS]
    if len(words) != len(rest.split()):
        notices.append(_l("AND, OR and NOT are not operators here: every word is searched."))
    clauses.extend(phrases)
    clauses.extend(_words_to_clauses(_terms(" ".join(words))))

    clauses = list(dict.fromkeys(clauses))
    counted, kept = 0, []
    for clause in clauses:
        size = len(clause.terms) if isinstance(clause, Phrase) else 1
        if counted + size > MAX_TERMS:
            notices.append(
                _l("Only the first %(limit)s words of your search were used.", limit=MAX_TERMS)
            )
            break
        counted += size
        kept.append(clause)
    return ParsedQuery(text=text, clauses=kept, notices=notices)
