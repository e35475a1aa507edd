"""Clauses → matching entries with scores, the same for every backend.

Matching is the intersection of the clauses' posting sets (accent-insensitive: folded
syllables). Scoring adds, for each entry, the inverse document frequency of every term it
matches, with bonuses for a match in the title, for the exact diacritics the user typed, for
adjacent query syllables found next to each other (Vietnamese words are several syllables), and
large ones for a cited legal document: the document itself first, then the regulations laid
down in it.
"""

from __future__ import annotations

import math

from portal.search.backend import SearchBackend
from portal.search.query import Alternatives, Citation, Clause, ParsedQuery, Phrase, Term

TITLE_BONUS = 2.0
EXACT_BONUS = 3.0
ADJACENT_BONUS = 1.5
PHRASE_WEIGHT = 2.0
ALTERNATIVES_WEIGHT = 4.0
CITATION_WEIGHT = 40.0
OWN_CITATION_WEIGHT = 80.0


def clause_set(backend: SearchBackend, clause: Clause) -> frozenset[int]:
    """Entries that satisfy one clause."""
    if isinstance(clause, Term):
        return backend.term("f", clause.folded)
    if isinstance(clause, Phrase):
        return backend.phrase(clause.folded)
    if isinstance(clause, Citation):
        return backend.term("c", clause.key)
    found: set[int] = set()
    for option in clause.options:
        found |= clause_set(backend, option)
    return frozenset(found)


def run(backend: SearchBackend, parsed: ParsedQuery) -> dict[int, float]:
    """{eid: score} for every entry that matches all clauses."""
    if parsed.empty:
        return {}
    sets = [(clause, clause_set(backend, clause)) for clause in parsed.clauses]
    if any(not found for _clause, found in sets):
        return {}
    matched = set(min((found for _c, found in sets), key=len))
    for _clause, found in sorted(sets, key=lambda pair: len(pair[1])):
        matched &= found
        if not matched:
            return {}
    total = max(backend.size(), 1)
    scores = dict.fromkeys(matched, 0.0)

    def add(found, weight: float) -> None:
        for eid in matched.intersection(found):
            scores[eid] += weight

    def idf(found) -> float:
        return math.log(1 + total / (1 + len(found)))

    previous: Term | None = None
    for clause, found in sets:
        if isinstance(clause, Term):
            weight = idf(found)
            add(matched, weight)
            add(backend.term("t", clause.folded), TITLE_BONUS * weight)
            if clause.marked:
                add(backend.term("e", clause.exact), EXACT_BONUS * weight)
            if previous is not None:
                pair = backend.phrase([previous.folded, clause.folded])
                add(pair, ADJACENT_BONUS * (weight + idf(backend.term("f", previous.folded))))
            previous = clause
            continue
        previous = None
        if isinstance(clause, Phrase):
            weight = sum(idf(backend.term("f", term.folded)) for term in clause.terms)
            add(matched, PHRASE_WEIGHT * weight)
            for term in clause.terms:
                if term.marked:
                    add(backend.term("e", term.exact), EXACT_BONUS * idf(found) / 2)
        elif isinstance(clause, Citation):
            add(matched, CITATION_WEIGHT)
            add(backend.term("c", "own:" + clause.key), OWN_CITATION_WEIGHT)
        elif isinstance(clause, Alternatives):
            add(matched, ALTERNATIVES_WEIGHT * idf(found))
            for option in clause.options:
                if isinstance(option, Citation):
                    add(backend.term("c", option.key), CITATION_WEIGHT)
    return scores
