"""Spelling corrections for a search that found nothing, drawn from the index vocabulary.

A syllable of the query that the index has never seen gets candidate spellings, cheapest first:

1. the syllable read as Telex typed with the input method switched off (`ddawng` → `đăng`,
   `kys` → `ký`, `hooj` → `hộ`), a common way Vietnamese text arrives without its marks;
2. index syllables one edit away (a letter dropped, doubled, swapped with its neighbour or
   mistyped), the more frequent ones first, and two index syllables run together (`giayphep`);
3. if there are none, syllables two edits away (for syllables of four letters or more).

The caller tries whole corrected queries, cheapest combination first, keeps those that find
something the visitor may see and prefers among them the one whose syllables the index holds
next to each other most often (`cohesion`): in `van phong cong chng`, `chung` (văn phòng công
chứng) rather than the more frequent `cong`. Syllables with digits are never corrected.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from portal.search.analysis import SYLLABLE_RE, canonical_syllable, fold_syllable, has_marks
from portal.search.query import ParsedQuery, Phrase, Term

PER_SYLLABLE = 4  # candidate spellings kept per misspelt syllable
MAX_MISSPELT = 6  # more unknown syllables than this: not a typo (another language, noise)
MAX_COMBINATIONS = 64  # corrected queries ranked (the caller checks only the first few)

_TONE_KEYS = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VOWEL_KEYS = (
    ("uow", "ươ"),
    ("aa", "â"),
    ("aw", "ă"),
    ("ee", "ê"),
    ("oo", "ô"),
    ("ow", "ơ"),
    ("uw", "ư"),
    ("w", "ư"),
)
_VOWELS = set("aăâeêioôơuưy")
# The shape of a Vietnamese syllable (without its tone): initial, one to three vowels, final.
_SHAPE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"(?!.*([aăâeêioôơuưy])\1)[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)
_MODIFIED = set("ăâêôơư")


@dataclass(frozen=True)
class Vocabulary:
    """The index's syllables: folded forms with their document counts and exact spellings."""

    counts: dict[str, int]
    spellings: dict[str, tuple[str, ...]]
    alphabet: str
    # Candidates per typed syllable (paging through corrected results asks again).
    cache: dict = field(default_factory=dict, compare=False, repr=False)


def telex(syllable: str) -> str | None:
    """The Vietnamese syllable a Telex key sequence stands for, or None if it is not one."""
    word = syllable.lower()
    if not word.isascii() or not word.isalpha():
        return None
    tone = ""
    if len(word) > 1 and word[-1] in _TONE_KEYS:
        tone, word = _TONE_KEYS[word[-1]], word[:-1]
    if word.startswith("dd"):
        word = "đ" + word[2:]
    for keys, letter in _VOWEL_KEYS:
        word = word.replace(keys, letter)
    if word == syllable.lower() or not _SHAPE.match(word):
        return None
    if tone:
        word = _place_tone(word, tone)
    return canonical_syllable(unicodedata.normalize("NFC", word))


def _place_tone(word: str, tone: str) -> str:
    """Put the tone on the vowel that carries it in the new-style spelling."""
    start = 2 if word[:2] in ("qu", "gi") and len(word) > 2 and word[2] in _VOWELS else 0
    positions = [i for i in range(start, len(word)) if word[i] in _VOWELS]
    if not positions:
        return word
    # The vowel nucleus: the first run of vowels.
    nucleus = [positions[0]]
    for position in positions[1:]:
        if position != nucleus[-1] + 1:
            break
        nucleus.append(position)
    modified = [i for i in nucleus if word[i] in _MODIFIED]
    if modified:
        target = modified[-1]  # ươ: on the ơ
    elif len(nucleus) == 1:
        target = nucleus[0]
    elif len(nucleus) == 2:
        closed = nucleus[-1] < len(word) - 1
        target = nucleus[1] if closed else nucleus[0]
    else:
        target = nucleus[1]
    return word[: target + 1] + tone + word[target + 1 :]


def _edits(word: str, alphabet: str) -> set[str]:
    """Strings one edit away: a letter deleted, two neighbours swapped, one replaced or added."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in alphabet}
    inserts = {a + c + b for a, b in splits for c in alphabet}
    return (deletes | swaps | replaces | inserts) - {word}


def candidates(term: Term, vocabulary: Vocabulary) -> list[tuple[int, str, str]]:
    """(cost, folded, exact) spellings for a syllable the index does not hold, best first."""
    if term not in vocabulary.cache:
        if len(vocabulary.cache) > 10_000:
            vocabulary.cache.clear()
        vocabulary.cache[term] = _candidates(term, vocabulary)
    return vocabulary.cache[term]


def _candidates(term: Term, vocabulary: Vocabulary) -> list[tuple[int, str, str]]:
    counts = vocabulary.counts
    found: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    decoded = telex(term.exact)
    if decoded and fold_syllable(decoded) in counts:
        folded_form = fold_syllable(decoded)
        exact = decoded if decoded in vocabulary.spellings.get(folded_form, ()) else folded_form
        found.append((0, folded_form, exact))
        seen.add(folded_form)
    near = _edits(term.folded, vocabulary.alphabet)
    known = sorted((w for w in near if w in counts and w not in seen), key=lambda w: -counts[w])
    cost = 1
    if not known and not found and len(term.folded) >= 4:
        cost = 2
        far = {w for word in near for w in _edits(word, vocabulary.alphabet) if w in counts}
        known = sorted(far - seen - {term.folded}, key=lambda w: (-counts[w], w))
    for word in known[: PER_SYLLABLE - len(found)]:
        found.append((cost, word, _spelling(term, word, vocabulary)))
    if cost == 1 or not found:
        split = _split(term.folded, counts)
        if split:
            found.append((1, split, split))
    return found


def _split(word: str, counts: dict[str, int]) -> str | None:
    """Two index syllables typed without the space between them, the most frequent pair."""
    pairs = [
        (min(counts[word[:i]], counts[word[i:]]), f"{word[:i]} {word[i:]}")
        for i in range(1, len(word))
        if word[:i] in counts and word[i:] in counts
    ]
    return max(pairs)[1] if pairs else None


def _spelling(term: Term, folded_form: str, vocabulary: Vocabulary) -> str:
    """How to show a correction: typed with marks → the index spelling closest to what was
    typed; typed without → without marks, as the visitor writes."""
    spellings = vocabulary.spellings.get(folded_form, ())
    if not term.marked or not spellings:
        return folded_form
    return max(spellings, key=lambda s: (difflib.SequenceMatcher(None, term.exact, s).ratio(), s))


def corrections(parsed: ParsedQuery, vocabulary: Vocabulary) -> Iterator[str]:
    """Corrected versions of the query text, cheapest first (none if nothing is misspelt).

    Only plain syllables and the syllables of quoted phrases are corrected; citations, codes
    and abbreviations are left as they were typed, and so is the rest of the text."""
    eligible = {term.folded for term in _plain_terms(parsed)}
    text = parsed.text
    unknown: list[tuple[int, int, Term]] = []
    for match in SYLLABLE_RE.finditer(text):
        syllable = match.group(0)
        exact = canonical_syllable(syllable.lower())
        folded_form = fold_syllable(exact)
        if folded_form not in eligible or folded_form in vocabulary.counts:
            continue
        if any(ch.isdigit() for ch in syllable) or len(folded_form) < 2:
            continue
        unknown.append((match.start(), match.end(), Term(exact, folded_form)))
    if not unknown or len({term.folded for _s, _e, term in unknown}) > MAX_MISSPELT:
        return
    cache: dict[str, list[tuple[int, str, str]]] = {}
    slots: list[tuple[int, int, list[tuple[int, str, str]]]] = []
    for start, end, term in unknown:
        if term.folded not in cache:
            cache[term.folded] = candidates(term, vocabulary)
        if cache[term.folded]:
            slots.append((start, end, cache[term.folded]))
    if not slots:
        return
    combinations = itertools.islice(
        itertools.product(*(range(len(options)) for _s, _e, options in slots)), 4096
    )

    def cost(choice: tuple[int, ...]) -> tuple[int, int]:
        picked = [slots[i][2][k] for i, k in enumerate(choice)]
        return sum(option[0] for option in picked), sum(choice)

    ranked = sorted(combinations, key=cost)[:MAX_COMBINATIONS]
    for choice in ranked:
        pieces, last = [], 0
        for (start, end, options), k in zip(slots, choice, strict=True):
            pieces.append(text[last:start])
            pieces.append(options[k][2])
            last = end
        pieces.append(text[last:])
        yield "".join(pieces)


def cohesion(text: str, adjacent: Callable[[list[str]], int]) -> int:
    """How many runs of two and three neighbouring syllables of `text` the index holds
    (`adjacent` tells how many entries hold a run)."""
    words = [fold_syllable(canonical_syllable(w.lower())) for w in SYLLABLE_RE.findall(text)]
    runs = [words[i : i + size] for size in (2, 3) for i in range(len(words) - size + 1)]
    return sum(1 for run in runs if adjacent(run))


def _plain_terms(parsed: ParsedQuery) -> list[Term]:
    out: list[Term] = []
    for clause in parsed.clauses:
        if isinstance(clause, Term):
            out.append(clause)
        elif isinstance(clause, Phrase):
            out.extend(clause.terms)
    return out


def build_vocabulary(frequencies: dict[str, int], exact_words: list[str]) -> Vocabulary:
    """The vocabulary from the index's folded syllables (with their document counts) and its
    exact spellings."""
    counts = {word: n for word, n in frequencies.items() if not _DIGITS.search(word)}
    spellings: dict[str, list[str]] = {}
    for word in exact_words:
        if has_marks(word):
            spellings.setdefault(fold_syllable(word), []).append(word)
    alphabet = "".join(sorted({ch for word in counts for ch in word if ch.isalpha()}))
    return Vocabulary(counts, {k: tuple(v) for k, v in spellings.items()}, alphabet)


_DIGITS = re.compile(r"\d")
