"""The embedded backend: a Whoosh index in the instance folder.

Every field is a bag of tokens stored as *existence* postings (no frequencies, no positions):
the engine only asks which entries hold a token, which is the cheapest thing Whoosh can
answer. Phrases are answered from shingles (runs of two and three syllables) in field `s`.

One process writes at a time (portal.search.sync holds an OS lock around every writer); readers
keep one searcher per process and refresh it when the index generation changes. Segments are
written with `compound=False` so that reader processes share the index pages through the OS page
cache instead of each copying them into private memory.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path

from whoosh import columns, fields, formats, index
from whoosh.matching.wrappers import FilterMatcher

from portal.search.analysis import phrase_shingles, shingles
from portal.search.backend import IndexEntry, SearchBackend
from portal.search.cache import SizedLRU

INDEX_NAME = "catalogue"
# 3: a content fingerprint per entry (`fp`). An index of another version is emptied when
# opened and marked for a rebuild, which the next drain (`flask search sync`, the worker or the
# development thread) performs; `flask search verify` reports it until then.
SCHEMA_VERSION = "3"
REBUILD_MARKER = "rebuild-needed"
WRITER_TIMEOUT = 30.0
REFRESH_EVERY = 0.25  # seconds between checks that the searcher is still current
# Posting sets kept per process, counted in entry ids (about 50 bytes each).
CACHE_BUDGET = 400_000


class TokenBag(fields.KEYWORD):
    """Whitespace-separated tokens with existence postings only."""

    def __init__(self):
        super().__init__(lowercase=False, commas=False, scorable=False)
        self.format = formats.Existence()


def make_schema() -> fields.Schema:
    return fields.Schema(
        # `key` (text) identifies a document for updates and deletes; `eid` (a column) maps
        # document numbers back to entries without reading stored fields.
        key=fields.ID(unique=True),
        eid=fields.NUMERIC(numtype=int, bits=64, sortable=True),
        f=TokenBag(),
        t=TokenBag(),
        e=TokenBag(),
        c=TokenBag(),
        s=TokenBag(),
        # What the entry's content hashed to when it was written (for `flask search verify`).
        fp=fields.COLUMN(columns.NumericColumn("q", default=-1)),
    )


class WhooshBackend(SearchBackend):
    name = "whoosh"
    format_version = SCHEMA_VERSION

    def __init__(self, path: str | Path, cache_budget: int = CACHE_BUDGET):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._retired = None
        self._checked = 0.0
        self._eids: list[int] = []
        self._cache = SizedLRU(cache_budget)
        self._generation = 0

    # ------------------------------------------------------------------ opening

    def _index(self):
        if self._ix is None:
            self.path.mkdir(parents=True, exist_ok=True)
            version_file = self.path / "schema-version"
            stale = version_file.exists() and version_file.read_text() != SCHEMA_VERSION
            if stale or not index.exists_in(str(self.path), indexname=INDEX_NAME):
                for child in self.path.iterdir():
                    if child.is_dir():
                        shutil.rmtree(child)
                    elif child.name != "write.lock":
                        child.unlink()
                index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
                version_file.write_text(SCHEMA_VERSION)
                if stale:
                    (self.path / REBUILD_MARKER).write_text(SCHEMA_VERSION)
            self._ix = index.open_dir(str(self.path), indexname=INDEX_NAME)
        return self._ix

    def _current(self):
        """The process's searcher, refreshed when another process has committed."""
        with self._lock:
            now = time.monotonic()
            if self._searcher is None:
                self._searcher = self._index().searcher()
                self._remap()
                self._checked = now
            elif now - self._checked > REFRESH_EVERY:
                self._checked = now
                if not self._searcher.up_to_date():
                    # A fresh searcher, not refresh(): refresh() reuses the readers of
                    # segments it thinks unchanged and misses their new deletions.
                    # The replaced searcher may still be read by another thread's request:
                    # it is closed at the next replacement, not now.
                    if self._retired is not None:
                        self._retired.close()
                    self._retired = self._searcher
                    self._searcher = self._index().searcher()
                    self._remap()
            return self._searcher

    def _close_searchers(self) -> None:
        for searcher in (self._searcher, self._retired):
            if searcher is not None:
                searcher.close()
        self._searcher = self._retired = None

    def _reading(self):
        """(searcher, docnum → eid map, generation) of one moment, taken together so that a
        refresh by another thread cannot pair one searcher with another's map."""
        with self._lock:
            return self._current(), self._eids, self._generation

    def _remap(self) -> None:
        """docnum → eid for the current searcher (None for deleted documents)."""
        top = self._searcher.reader()
        eids: list[int | None] = [None] * top.doc_count_all()
        for reader, offset in top.leaf_readers():
            if not reader.doc_count_all() or not reader.has_column("eid"):
                continue
            column = reader.column_reader("eid")
            for docnum in reader.all_doc_ids():  # live documents only
                eids[offset + docnum] = column[docnum]
        self._eids = eids
        self._cache.clear()
        self._generation += 1

    # ------------------------------------------------------------------ reading

    def _postings(self, field_name: str, token: str) -> frozenset[int]:
        """The entries holding one token, read a posting block at a time.

        Whoosh's generic path (`docs_for_query`) yields one document number per Python call
        through three layers; a common syllable has tens of thousands of postings, so a query
        nobody has asked before spent most of its time there. A block's ids are decoded at once;
        this reads them block by block and maps each segment's numbers to entry
        ids in one comprehension. Matchers without blocks fall back to the generic path (a test
        checks that both give the same sets)."""
        searcher, eids, generation = self._reading()

        def compute() -> frozenset[int]:
            found: set[int] = set()
            for reader, offset in searcher.reader().leaf_readers():
                if (field_name, token) not in reader:
                    continue
                matcher = reader.postings(field_name, token)
                if isinstance(matcher, FilterMatcher):
                    # A segment with deletions filters them out; the map already sends deleted
                    # document numbers to None, so its unfiltered postings give the same set.
                    matcher = matcher.child
                if not hasattr(matcher, "_read_data"):
                    found.update(eids[offset + docnum] for docnum in matcher.all_ids())
                    continue
                while matcher.is_active():
                    if matcher._data is None:
                        matcher._read_data()
                    # Ids are stored as gaps (the codec's delta_decode, in C here).
                    stored = matcher._data[0]
                    docnums = stored if matcher._byteids else accumulate(stored)
                    found.update([eids[offset + docnum] for docnum in docnums])
                    matcher._next_block()
            found.discard(None)  # postings still list replaced and deleted documents
            return frozenset(found)

        key = (generation, "postings", field_name, token)
        return self._cache.get_or_compute(key, compute)

    def term(self, field_name: str, token: str) -> frozenset[int]:
        return self._postings(field_name, token)

    def phrase(self, tokens: list[str]) -> frozenset[int]:
        needed = phrase_shingles(tokens)
        if len(needed) == 1:
            return self._postings("s" if "_" in needed[0] else "f", needed[0])
        sets = sorted((self._postings("s", shingle) for shingle in needed), key=len)
        return frozenset(sets[0].intersection(*sets[1:]))

    def size(self) -> int:
        return self._current().doc_count()

    def eids(self) -> set[int]:
        self._current()
        return {eid for eid in self._eids if eid is not None}

    def fingerprints(self) -> dict[int, int | None]:
        with self._lock:
            top = self._current().reader()
            found: dict[int, int | None] = {}
            for reader, _offset in top.leaf_readers():
                if not reader.doc_count_all() or not reader.has_column("eid"):
                    continue
                eids = reader.column_reader("eid")
                fps = reader.column_reader("fp") if reader.has_column("fp") else None
                for docnum in reader.all_doc_ids():
                    value = fps[docnum] if fps is not None else -1
                    found[eids[docnum]] = None if value < 0 else value
            return found

    def needs_rebuild(self) -> bool:
        self._index()
        return (self.path / REBUILD_MARKER).exists()

    def vocabulary(self, field_name: str = "f") -> list[str]:
        reader = self._current().reader()
        return [
            term.decode("utf-8") if isinstance(term, bytes) else term
            for term in reader.lexicon(field_name)
        ]

    def frequencies(self, field_name: str = "f") -> dict[str, int]:
        # From the term dictionary: no posting lists are read. Counts may include replaced
        # documents until their segments merge, which is close enough to rank corrections.
        reader = self._current().reader()
        return {
            (term.decode("utf-8") if isinstance(term, bytes) else term): info.doc_frequency()
            for term, info in reader.iter_field(field_name)
        }

    def generation(self) -> object:
        self._current()
        return ("whoosh", id(self), self._generation)

    # ------------------------------------------------------------------ writing

    def _fields(self, entry: IndexEntry) -> dict:
        runs_shingles: list[str] = []
        for run in entry.runs:
            runs_shingles.extend(shingles(run))
        return {
            "key": str(entry.eid),
            "eid": entry.eid,
            "f": " ".join(set(entry.f)),
            "t": " ".join(set(entry.t)),
            "e": " ".join(set(entry.e)),
            "c": " ".join(set(entry.c)),
            "s": " ".join(set(runs_shingles)),
            "fp": self.fingerprint(entry),
        }

    def index(self, entries: Iterable[IndexEntry]) -> None:
        writer = self._index().writer(timeout=WRITER_TIMEOUT, limitmb=256, compound=False)
        try:
            for entry in entries:
                writer.update_document(**self._fields(entry))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._checked = 0.0

    def rebuild(self, entries: Iterable[IndexEntry], progress=None, chunk: int = 1000) -> int:
        """One writer for everything, in two processes: each builds a segment."""
        self.clear()
        # Until the build has committed, a crash leaves an index that still needs it.
        (self.path / REBUILD_MARKER).write_text(SCHEMA_VERSION)
        procs = 2 if (os.cpu_count() or 1) > 1 else 1
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = self._index().writer(
            timeout=WRITER_TIMEOUT, limitmb=512, compound=False, **options
        )
        count = 0
        try:
            for entry in entries:
                writer.add_document(**self._fields(entry))
                count += 1
                if progress and count % chunk == 0:
                    progress(count)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        (self.path / REBUILD_MARKER).unlink(missing_ok=True)
        if progress:
            progress(count)
        self._checked = 0.0
        return count

    def delete(self, eids: Iterable[int]) -> None:
        eids = list(eids)
        if not eids:
            return
        writer = self._index().writer(timeout=WRITER_TIMEOUT, compound=False)
        try:
            for eid in eids:
                writer.delete_by_term("key", str(eid))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._checked = 0.0

    def clear(self) -> None:
        with self._lock:
            self._close_searchers()
            self._ix = None
            if self.path.exists():
                for child in self.path.iterdir():
                    if child.is_dir():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
            self._index()
            self._checked = 0.0

    def close(self) -> None:
        with self._lock:
            self._close_searchers()
            self._ix = None
