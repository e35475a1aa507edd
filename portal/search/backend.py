"""The interface every search backend implements: sets of entry ids for index terms.

Entries are identified by integers (`eid`): the entity's id shifted left by two bits, with the
entity type in the low bits, so sets of plain ints can be intersected in C.

Fields (all tokens come from portal.search.analysis):
    f  folded syllables of the whole text (title, content, legal basis, code)
    t  folded syllables of the title
    e  exact syllables of the whole text (diacritics kept)
    c  citation keys (`15/2018/ND-CP`, `decree:15/2018`, `own:15/2018/ND-CP`, `code:byt-tthc-001`)
Phrases are asked for as folded syllable lists and must respect their order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field

ENTITY_TYPES = {"regulation": 0, "document": 1, "consultation": 2}
ENTITY_NAMES = {value: key for key, value in ENTITY_TYPES.items()}
FIELDS = ("f", "t", "e", "c")


def make_eid(entity: str, entity_id: int) -> int:
    return (entity_id << 2) | ENTITY_TYPES[entity]


def split_eid(eid: int) -> tuple[str, int]:
    return ENTITY_NAMES[eid & 3], eid >> 2


@dataclass
class IndexEntry:
    """What the index holds for one regulation or legal document."""

    eid: int
    f: list[str] = field(default_factory=list)
    t: list[str] = field(default_factory=list)
    e: list[str] = field(default_factory=list)
    c: list[str] = field(default_factory=list)
    # Title and body as folded syllable runs (phrases must not cross from one to the other).
    runs: list[list[str]] = field(default_factory=list)


class SearchBackend(ABC):
    """Posting sets in, posting sets out; ranking and visibility live elsewhere."""

    name = "abstract"

    @abstractmethod
    def index(self, entries: Iterable[IndexEntry]) -> None:
        """Add or replace entries (by eid)."""

    @abstractmethod
    def delete(self, eids: Iterable[int]) -> None:
        """Remove entries; unknown eids are ignored."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every entry."""

    @abstractmethod
    def eids(self) -> set[int]:
        """Every eid in the index (for `flask search verify`)."""

    @abstractmethod
    def size(self) -> int:
        """Number of entries."""

    @abstractmethod
    def term(self, field_name: str, token: str) -> frozenset[int]:
        """Entries whose field holds the token."""

    @abstractmethod
    def phrase(self, tokens: list[str]) -> frozenset[int]:
        """Entries whose folded text holds these syllables in this order."""

    @abstractmethod
    def vocabulary(self, field_name: str = "f") -> list[str]:
        """Every token of a field (for spelling suggestions)."""

    @abstractmethod
    def generation(self) -> object:
        """Changes whenever the index changes (a cache key)."""

    def rebuild(self, entries: Iterable[IndexEntry], progress=None, chunk: int = 1000) -> int:
        """Replace the whole index with these entries; returns how many were indexed."""
        self.clear()
        count, batch = 0, []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= chunk:
                self.index(batch)
                count += len(batch)
                batch = []
                if progress:
                    progress(count)
        if batch:
            self.index(batch)
            count += len(batch)
            if progress:
                progress(count)
        return count

    def close(self) -> None:  # noqa: B027 (optional hook: most backends hold nothing)
        """Release files or connections."""
