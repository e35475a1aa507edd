"""Keep the index in step with the database: drain the change outbox, one writer at a time.

`drain()` reads outbox rows in id order, loads the current rows from the database, writes them
to the index (or deletes the ones that are gone) and only then deletes the outbox rows it has
applied. A crash anywhere in between loses nothing: the rows are still there and applying them
again is idempotent. An OS-level lock file makes sure that only one process writes at a time,
so several gunicorn workers never meet Whoosh's LockError.

How draining is triggered depends on SEARCH_SYNC:
    inline  right after each commit, in the committing thread (tests)
    thread  by a background thread per process, woken after each commit (development)
    worker  by `flask search worker`, a separate process (production)
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.core.changes import ChangeOutbox, changes_committed, record_changes
from portal.extensions import db, read_only_transactions
from portal.search.backend import SearchBackend, make_eid, split_eid
from portal.search.documents import all_entries, load_entries

logger = logging.getLogger(__name__)
BATCH = 2000


@contextmanager
def writer_lock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """An exclusive lock on a file, held by this process (released if it dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def drain(
    backend: SearchBackend, lock_path: Path, *, blocking: bool = True, batch: int = BATCH
) -> int:
    """Apply every pending change to the index; returns how many outbox rows were applied."""
    applied = 0
    with writer_lock(lock_path, blocking=blocking) as acquired:
        if not acquired:
            return 0
        if backend.needs_rebuild():
            # An index of an older format was emptied when opened: rebuild it from the
            # database (this also applies every change recorded before the rebuild began).
            logger.warning("Search index (%s) is of an older format: rebuilding", backend.name)
            count = _rebuild(backend)
            logger.info("Search index rebuilt: %s entries", count)
        with Session(db.engine) as session:
            while True:
                rows = session.execute(
                    select(ChangeOutbox.id, ChangeOutbox.entity, ChangeOutbox.entity_id)
                    .order_by(ChangeOutbox.id)
                    .limit(batch)
                ).all()
                session.rollback()  # short transactions: no lock held while indexing
                if not rows:
                    break
                eids = list(
                    dict.fromkeys(make_eid(entity, entity_id) for _id, entity, entity_id in rows)
                )
                entries, missing = load_entries(session, eids)
                session.rollback()
                backend.index(entries)
                backend.delete(missing)
                session.execute(
                    delete(ChangeOutbox).where(ChangeOutbox.id.in_([row.id for row in rows]))
                )
                session.commit()
                applied += len(rows)
    if applied:
        logger.info("Search index: applied %s change(s)", applied)
    return applied


def pending(session: Session) -> int:
    return session.scalar(select(func.count(ChangeOutbox.id))) or 0


def reindex(backend: SearchBackend, lock_path: Path, progress=None) -> int:
    """Rebuild the index from the database; returns the number of entries."""
    with writer_lock(lock_path):
        return _rebuild(backend, progress)


def _rebuild(backend: SearchBackend, progress=None) -> int:
    """The rebuild itself; the caller holds the writer lock."""
    with Session(db.engine) as session:
        with read_only_transactions():
            newest = session.scalar(select(func.max(ChangeOutbox.id))) or 0
            total = session.scalar(select(func.count()).select_from(_entity_union())) or 0
            count = backend.rebuild(
                all_entries(session), (lambda done: progress(done, total)) if progress else None
            )
            session.rollback()
        # Changes recorded before the rebuild started are in it; later ones stay pending.
        session.execute(delete(ChangeOutbox).where(ChangeOutbox.id <= newest))
        session.commit()
    return count


def _entity_union():
    from portal.consultation.models import Consultation
    from portal.regulations.models import LegalDocument, Regulation

    return (
        select(Regulation.id)
        .union_all(select(LegalDocument.id), select(Consultation.id))
        .subquery()
    )


@dataclass
class Differences:
    """What `flask search verify` found between the database and the index."""

    missing: set[int] = field(default_factory=set)  # in the database, not in the index
    extra: set[int] = field(default_factory=set)  # in the index, not in the database
    stale: set[int] = field(default_factory=set)  # indexed content differs from the database's
    pending: int = 0  # changes waiting in the outbox
    rebuild_needed: bool = False  # the index was emptied because its format changed

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.stale or self.pending or self.rebuild_needed)


def verify(backend: SearchBackend) -> Differences:
    """Compare every entry the database would index now with what the index holds: which
    entries exist, and whether each one's content fingerprint is the current one."""
    found = Differences(rebuild_needed=backend.needs_rebuild())
    stored = backend.fingerprints()
    expected: set[int] = set()
    with read_only_transactions(), Session(db.engine) as session:
        found.pending = pending(session)
        for entry in all_entries(session):
            expected.add(entry.eid)
            if entry.eid not in stored:
                found.missing.add(entry.eid)
            elif stored[entry.eid] != backend.fingerprint(entry):
                found.stale.add(entry.eid)
    found.extra = set(stored) - expected
    return found


def queue_differences(differences: Differences) -> int:
    """Put the differing entries in the outbox (the next drain re-applies them)."""
    eids = differences.missing | differences.extra | differences.stale
    with Session(db.engine) as session:
        record_changes(session, (split_eid(eid) for eid in sorted(eids)))
        session.commit()
    return len(eids)


class BackgroundSync:
    """One daemon thread per process that drains the outbox whenever it is woken."""

    def __init__(self, app, backend: SearchBackend, lock_path: Path):
        self.app = app
        self.backend = backend
        self.lock_path = lock_path
        self.wake = threading.Event()
        self.idle = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = None

    def notify(self) -> None:
        if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._loop, name="search-sync", daemon=True)
            self.thread.start()
        self.idle.clear()
        self.wake.set()

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the queue the thread was woken for has been applied."""
        if self.thread is not None and self.thread.is_alive():
            self.idle.wait(timeout)

    def _loop(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            with self.app.app_context():
                try:
                    drain(self.backend, self.lock_path)
                except Exception:
                    logger.exception("Search index sync failed; `flask search sync` repairs it")
                    time.sleep(1)
            if not self.wake.is_set():
                self.idle.set()


def connect(app, backend: SearchBackend, lock_path: Path, mode: str) -> None:
    """Drain after commits as SEARCH_SYNC says (inline, thread or worker)."""

    def _mine() -> bool:
        # The signal is process-wide; several apps may exist (tests, scripts).
        return has_app_context() and current_app._get_current_object() is app

    if mode == "inline":

        def _inline(_sender, **_extra):
            if _mine():
                drain(backend, lock_path)

        changes_committed.connect(_inline, weak=False)
        app.extensions["search_sync"] = _inline
    elif mode == "thread":
        background = BackgroundSync(app, backend, lock_path)

        def _wake(_sender, **_extra):
            if _mine():
                background.notify()

        changes_committed.connect(_wake, weak=False)
        app.extensions["search_sync"] = background
        atexit.register(background.wait)
