"""Cursor pagination: the whole catalogue of 20,000 regulations, every row exactly once."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import delete, select

from portal.core.changes import ChangeOutbox, changes_committed
from portal.extensions import db
from portal.regulations.importer import import_regulations
from portal.regulations.models import Regulation
from portal.regulations.synthetic import generate_csv
from tests.api.conftest import get_json, walk
from tests.conftest import regulation_row


@pytest.fixture
def big_catalogue(app, reference):
    """20,000 generated regulations (the search index is not needed and not fed)."""
    sync = app.extensions["search_sync"]
    changes_committed.disconnect(sync)
    try:
        import_regulations(generate_csv(20_000), "generated.csv")
        db.session.execute(delete(ChangeOutbox))  # nothing for the index to catch up on
        db.session.commit()
    finally:
        changes_committed.connect(sync, weak=False)
    return set(db.session.scalars(select(Regulation.code).where(Regulation.published.is_(True))))


@pytest.mark.slow
def test_walking_20000_regulations_by_cursor_returns_each_exactly_once(client, big_catalogue):
    published = big_catalogue
    assert len(published) > 15_000
    seen: Counter = Counter()
    url, pages, totals = "/api/v1/regulations?limit=500", 0, set()
    inserted = False
    while url:
        data = get_json(client, url)
        totals.add(data["total"])
        seen.update(item["code"] for item in data["items"])
        pages += 1
        if pages == 10 and not inserted:
            # Rows added behind and ahead of the walk while it runs do not disturb it.
            from tests.conftest import csv_bytes

            import_regulations(
                csv_bytes([regulation_row("AAA-NEW-1"), regulation_row("ZZZ-NEW-1")]), "new.csv"
            )
            inserted = True
        url = data["next"]
    assert max(seen.values()) == 1
    assert published <= set(seen)
    assert "ZZZ-NEW-1" in seen and "AAA-NEW-1" not in seen
    assert min(totals) == len(published)
    # The same walk in title order and in another page size also covers every row once.
    by_title, _totals = walk(client, "/api/v1/regulations?sort=title&limit=499&kind=procedure")
    codes = [item["code"] for item in by_title]
    assert len(codes) == len(set(codes))
    expected = db.session.scalars(
        select(Regulation.code).where(
            Regulation.published.is_(True), Regulation.kind == "procedure"
        )
    ).all()
    assert set(codes) == set(expected)


def test_search_results_page_by_cursor_in_score_order(client, make_regulations):
    rows = [
        regulation_row(
            f"BCT-GP-{n:03}",
            ministry="bct",
            title="Cấp giấy phép kinh doanh xăng dầu" + (" giấy phép" * (n % 4)),
        )
        for n in range(60)
    ]
    make_regulations(*rows)
    items, totals = walk(client, "/api/v1/regulations?q=giay%20phep&limit=7")
    assert totals == {60}
    codes = [item["code"] for item in items]
    assert len(codes) == len(set(codes)) == 60
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    by_code, _ = walk(client, "/api/v1/regulations?q=giay%20phep&sort=code&limit=9")
    assert [item["code"] for item in by_code] == sorted(codes)


def test_a_cursor_cannot_be_forged_or_reused_for_another_order(client, make_regulations):
    make_regulations(*[regulation_row(f"BYT-P-{n}", ministry="byt") for n in range(5)])
    first = get_json(client, "/api/v1/regulations?limit=2")
    cursor = first["next_cursor"]
    data = get_json(client, f"/api/v1/regulations?limit=2&sort=title&cursor={cursor}", status=400)
    assert data["code"] == "invalid_cursor"
    forged = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    assert get_json(client, f"/api/v1/regulations?cursor={forged}", status=400)["code"] == (
        "invalid_cursor"
    )
    for junk in ("x", "%00", "W10", "." * 3000, "eyJ4IjoxfQ.abc"):
        data = get_json(client, f"/api/v1/regulations?cursor={junk}", status=400)
        assert data["code"] in ("invalid_cursor", "invalid_parameter")
