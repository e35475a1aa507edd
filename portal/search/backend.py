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

import hashlib
import json
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


def fingerprint(entry: IndexEntry, version: str) -> int:
    """A 63-bit digest of what an entry indexes and of the storage format `version`: stored
    with the entry, it lets `flask search verify` find entries whose content is out of date."""
    payload = json.dumps(
        [
            version,
            sorted(set(entry.f)),
            sorted(set(entry.t)),
            sorted(set(entry.e)),
            sorted(set(entry.c)),
            entry.runs,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    digest = hashlib.blake2b(payload.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


class SearchBackend(ABC):
    """Posting sets in, posting sets out; ranking and visibility live elsewhere."""

    name = "abstract"
    # Bumped whenever the backend stores entries differently: every stored fingerprint then
    # differs, so `flask search verify` reports entries written in the old format.
    format_version = "1"

    def fingerprint(self, entry: IndexEntry) -> int:
        return fingerprint(entry, f"{self.name}:{self.format_version}")

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
    def fingerprints(self) -> dict[int, int | None]:
        """{eid: stored fingerprint} for every entry (None if stored without one)."""

    def needs_rebuild(self) -> bool:
        """True if the index was emptied because its format changed (a full rebuild is due)."""
        return False

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
    def frequencies(self, field_name: str = "f") -> dict[str, int]:
        """{token: number of entries holding it} for a field (for spelling corrections)."""

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
