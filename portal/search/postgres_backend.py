"""The PostgreSQL backend: full-text search in the production database.

One row per entry in `search_entry` (created by a PostgreSQL-only migration) with a GIN index
on each field. The tsvectors are built from our own analyzer's tokens, with positions so that
`phraseto_tsquery` respects syllable order, and a gap between title and body so that a phrase
never runs from one into the other. User text only ever reaches PostgreSQL as a bound parameter
of `plainto_tsquery` / `phraseto_tsquery` (never `to_tsquery`). Several web servers share it;
there is no index file and no writer lock to contend for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from sqlalchemy import bindparam, text

from portal.extensions import db
from portal.search.backend import IndexEntry, SearchBackend
from portal.search.cache import SizedLRU

RUN_GAP = 10
MAX_POSITION = 16383
CACHE_BUDGET = 400_000  # entry ids kept in cached posting sets
_FIELDS = {"f", "t", "e"}


def _positional(runs: list[list[str]], words: Iterable[str] = ()) -> str:
    """The runs with adjacent positions (phrases), then the entry's other words (its code and
    legal basis) two positions apart, so that they match as words but never as a phrase."""
    parts: list[str] = []
    position = 1
    in_runs: set[str] = set()
    for run in runs:
        for token in run:
            parts.append(f"'{token}':{min(position, MAX_POSITION)}")
            position += 1
        in_runs.update(run)
        position += RUN_GAP
    for token in sorted(set(words) - in_runs):
        parts.append(f"'{token}':{min(position, MAX_POSITION)}")
        position += 2
    return " ".join(parts)


def _bag(tokens: Iterable[str]) -> str:
    return " ".join(f"'{token}'" for token in sorted(set(tokens)))


class PostgresBackend(SearchBackend):
    name = "postgres"
    # 2: code and legal-basis words in `f`, and a content fingerprint per row (`fp`). Rows
    # written before (fp NULL) or in another format (fp differs) still answer searches as they
    # did; `flask search verify` reports them and `flask search reindex` rewrites them.
    format_version = "2"

    def __init__(self, cache_budget: int = CACHE_BUDGET):
        self._lock = threading.Lock()
        self._cache = SizedLRU(cache_budget)
        self._generation = None

    # ------------------------------------------------------------------ reading

    def _set(self, sql: str, **params) -> frozenset[int]:
        def compute() -> frozenset[int]:
            with db.engine.connect() as connection:
                return frozenset(connection.execute(text(sql), params).scalars())

        return self._cache.get_or_compute((sql, tuple(sorted(params.items()))), compute)

    def term(self, field_name: str, token: str) -> frozenset[int]:
        if field_name == "c":
            return self._set(
                "SELECT eid FROM search_entry WHERE c @> ARRAY[:token]::text[]", token=token
            )
        if field_name not in _FIELDS:
            raise ValueError(field_name)
        return self._set(
            f"SELECT eid FROM search_entry WHERE {field_name} @@ "  # noqa: S608 (field allow-listed)
            "plainto_tsquery('simple', :token)",
            token=token,
        )

    def phrase(self, tokens: list[str]) -> frozenset[int]:
        return self._set(
            "SELECT eid FROM search_entry WHERE f @@ phraseto_tsquery('simple', :words)",
            words=" ".join(tokens),
        )

    def size(self) -> int:
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM search_entry")).scalar_one()

    def eids(self) -> set[int]:
        with db.engine.connect() as connection:
            return set(connection.execute(text("SELECT eid FROM search_entry")).scalars())

    def fingerprints(self) -> dict[int, int | None]:
        with db.engine.connect() as connection:
            return dict(connection.execute(text("SELECT eid, fp FROM search_entry")).all())

    def vocabulary(self, field_name: str = "f") -> list[str]:
        return list(self.frequencies(field_name))

    def frequencies(self, field_name: str = "f") -> dict[str, int]:
        if field_name not in _FIELDS:
            raise ValueError(field_name)
        with db.engine.connect() as connection:
            return dict(
                connection.execute(
                    text(
                        f"SELECT word, ndoc FROM ts_stat('SELECT {field_name} FROM search_entry')"  # noqa: S608
                    )
                ).all()
            )

    def generation(self) -> object:
        with db.engine.connect() as connection:
            current = connection.execute(
                text("SELECT last_value, is_called FROM search_entry_generation")
            ).one()
        with self._lock:
            if current != self._generation:
                self._generation = current
                self._cache.clear()
        return ("postgres", tuple(current))

    # ------------------------------------------------------------------ writing

    def _bump(self, connection) -> None:
        connection.execute(text("SELECT nextval('search_entry_generation')"))
        with self._lock:
            self._cache.clear()

    def index(self, entries: Iterable[IndexEntry]) -> None:
        rows = [
            {
                "eid": entry.eid,
                "f": _positional(entry.runs, entry.f),
                "t": _bag(entry.t),
                "e": _bag(entry.e),
                "c": sorted(set(entry.c)),
                "fp": self.fingerprint(entry),
            }
            for entry in entries
        ]
        if not rows:
            return
        statement = text(
            "INSERT INTO search_entry (eid, f, t, e, c, fp, indexed_at) "
            "VALUES (:eid, CAST(:f AS tsvector), CAST(:t AS tsvector), CAST(:e AS tsvector), "
            ":c, :fp, now()) "
            "ON CONFLICT (eid) DO UPDATE SET f = EXCLUDED.f, t = EXCLUDED.t, e = EXCLUDED.e, "
            "c = EXCLUDED.c, fp = EXCLUDED.fp, indexed_at = EXCLUDED.indexed_at"
        )
        with db.engine.begin() as connection:
            for start in range(0, len(rows), 500):
                connection.execute(statement, rows[start : start + 500])
            self._bump(connection)

    def delete(self, eids: Iterable[int]) -> None:
        eids = list(eids)
        if not eids:
            return
        statement = text("DELETE FROM search_entry WHERE eid IN :eids").bindparams(
            bindparam("eids", expanding=True)
        )
        with db.engine.begin() as connection:
            connection.execute(statement, {"eids": eids})
            self._bump(connection)

    def clear(self) -> None:
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM search_entry"))
            self._bump(connection)
