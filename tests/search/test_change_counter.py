"""The count of committed catalogue changes: the part of the caches' versions that follows
commit order (portal.core.changes)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.changes import committed_changes
from portal.extensions import db
from portal.regulations.models import Regulation
from portal.regulations.queries import catalogue_change_marks
from tests.conftest import regulation_row


def counter() -> int:
    value = db.session.scalar(select(committed_changes()))
    db.session.commit()
    return value or 0


def test_each_commit_that_changes_the_catalogue_counts_once(make_regulations):
    make_regulations(regulation_row("A-1"), regulation_row("A-2"))  # one import, one commit
    start = counter()
    assert start >= 1
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "A-1"))
    regulation.title = "Tên mới của thủ tục"
    regulation.published = False
    db.session.flush()
    db.session.flush()  # two flushes, one transaction
    db.session.commit()
    assert counter() == start + 1
    regulation.title = "Không lưu"
    db.session.flush()
    db.session.rollback()
    assert counter() == start + 1  # rolled back: not counted
    db.session.scalar(select(Regulation).where(Regulation.code == "A-2"))
    db.session.commit()
    assert counter() == start + 1  # nothing changed: not counted


def test_a_change_that_commits_late_still_changes_the_version(app, make_regulations):
    """PostgreSQL only (SQLite runs one writer at a time): transaction A unpublishes a
    regulation and commits after transaction B, which started later and wrote a newer update
    time. The newest times and the counts then stay as they were; the counter moves."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs two concurrent writers")
    make_regulations(
        regulation_row("OLD", published="1"),
        regulation_row("NEW", published="0"),
        regulation_row("NEWEST", published="1"),
    )
    db.session.commit()
    with Session(db.engine) as first, Session(db.engine) as second:
        hidden = first.scalar(select(Regulation).where(Regulation.code == "OLD"))
        hidden.published = False
        first.flush()  # A writes its update time now, and commits later
        other = second.scalar(select(Regulation).where(Regulation.code == "NEW"))
        other.title = "Sửa sau nhưng lưu trước"
        second.commit()
        before = tuple(db.session.execute(select(*catalogue_change_marks())).one())
        db.session.commit()
        first.commit()
    after = tuple(db.session.execute(select(*catalogue_change_marks())).one())
    assert after != before
    assert after[1:] == before[1:]  # only the counter tells the two states apart
