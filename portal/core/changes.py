"""A transactional outbox of changed entities, for whatever keeps derived data in step.

Models that others derive data from (the search index today) say which entities a change to them
affects (`tracked_keys`). Every flush records those keys in `change_outbox` in the same
transaction as the change itself: a committed change always has its outbox row, a rolled-back
one never does. A model whose text is copied into *other* entities' derived data (a legal
document's title into the regulations based on it) names the attributes that matter
(`dependents_follow`) and a query for those entities (`dependent_keys`); when one of those
attributes changes, the flush queues the dependents with one INSERT … SELECT, without loading
them. Bulk statements that bypass the ORM call `record_changes` themselves. After a
commit that recorded changes, the `changes_committed` signal fires; consumers drain the outbox
(portal.search.sync) and delete the rows they have applied.

A commit that recorded changes also adds one to the `catalogue` row of `change_counter`, as the
last write of its transaction. Caches of data derived from the catalogue (the search snapshot,
the public document counts, the institutional space) put that number in their version: it
changes in commit order, where a newest-update time or a highest id does not (under PostgreSQL's
read committed a transaction that started earlier can commit later, with smaller values).
Writers wait for each other only on that row and only while committing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from blinker import Namespace
from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    cast,
    event,
    insert,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.models import UTCDateTime, utcnow
from portal.extensions import db

changes_committed = Namespace().signal("changes-committed")
_PENDING = "portal_changes_pending"


class ChangeOutbox(db.Model):
    """One changed entity waiting to be applied to derived data."""

    __tablename__ = "change_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16), nullable=False)
    entity_id: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class ChangeCounter(db.Model):
    """How many committed transactions have changed entities that others derive data from."""

    __tablename__ = "change_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


CATALOGUE = "catalogue"


def committed_changes():
    """The catalogue's change count, as a scalar subquery for cache versions."""
    return select(ChangeCounter.value).where(ChangeCounter.name == CATALOGUE).scalar_subquery()


_UPSERT = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def _count_change(session: Session) -> None:
    upsert = _UPSERT[session.get_bind().dialect.name]
    statement = upsert(ChangeCounter).values(name=CATALOGUE, value=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[ChangeCounter.name], set_={"value": ChangeCounter.value + 1}
        )
    )


def _rows(keys: Iterable[tuple[str, int]]) -> list[dict]:
    now = utcnow()
    return [
        {"entity": entity, "entity_id": entity_id, "created_at": now}
        for entity, entity_id in dict.fromkeys(keys)
        if entity_id is not None
    ]


def record_changes(session: Session, keys: Iterable[tuple[str, int]]) -> None:
    """Write outbox rows for (entity, id) pairs in the session's current transaction."""
    rows = _rows(keys)
    if rows:
        session.execute(insert(ChangeOutbox), rows)
        session.info[_PENDING] = True


@event.listens_for(Session, "after_flush")
def _record_flushed_changes(session: Session, _context) -> None:
    keys: list[tuple[str, int]] = []
    for obj in [*session.new, *session.deleted]:
        if hasattr(obj, "tracked_keys"):
            keys.extend(obj.tracked_keys())
    for obj in session.dirty:
        if hasattr(obj, "tracked_keys") and session.is_modified(obj, include_collections=False):
            keys.extend(obj.tracked_keys())
    if keys:
        # Inside a flush the ORM unit of work is busy: write through the connection.
        rows = _rows(keys)
        if rows:
            session.connection().execute(insert(ChangeOutbox), rows)
            session.info[_PENDING] = True
    _record_dependents(session)


def _record_dependents(session: Session) -> None:
    """Queue the entities that copy a changed attribute of another (see the module docstring)."""
    changed: dict[type, set[int]] = {}
    for obj in session.dirty:
        follow = getattr(type(obj), "dependents_follow", ())
        if not follow or getattr(obj, "id", None) is None:
            continue
        attrs = inspect(obj).attrs
        if any(attrs[name].history.has_changes() for name in follow):
            changed.setdefault(type(obj), set()).add(obj.id)
    now = utcnow()
    for model, ids in changed.items():
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            entity, dependent_ids = model.dependent_keys(id_list[start : start + 500])
            found = dependent_ids.distinct().subquery()
            statement = insert(ChangeOutbox).from_select(
                ["entity", "entity_id", "created_at"],
                select(
                    cast(literal(entity), String(16)),
                    found.c[0],
                    literal(now, UTCDateTime()),
                ),
            )
            if session.connection().execute(statement).rowcount:
                session.info[_PENDING] = True


@event.listens_for(Session, "before_commit")
def _count_committed_changes(session: Session) -> None:
    """The counter goes up as the transaction's last write, so that no writer holds its row
    while it waits for another lock."""
    session.flush()
    if session.info.get(_PENDING):
        _count_change(session)


@event.listens_for(Session, "after_commit")
def _announce_commit(session: Session) -> None:
    if session.info.pop(_PENDING, False):
        changes_committed.send(session)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
