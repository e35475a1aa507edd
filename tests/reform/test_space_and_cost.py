"""Compliance cost and the institutional space, on small worlds worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.core.settings import HOURLY_LABOUR_COST, set_setting
from portal.extensions import db
from portal.reform.cost import annual_cost, hourly_rate
from portal.reform.space import institutional_space
from portal.regulations import queries
from portal.regulations.models import Regulation
from portal.regulations.services import local_today, record_event, upsert_document
from tests.conftest import regulation_row


def test_standard_cost_model():
    # (16 h × 43,750 + 3,000,000) × 0.2 × 300
    assert annual_cost(16, 3_000_000, 0.2, 300, rate=43_750) == pytest.approx(222_000_000)
    assert annual_cost(None, 500_000, 12, 10, rate=43_750) == pytest.approx(60_000_000)
    assert annual_cost(8, None, 1, 100, rate=50_000) == pytest.approx(40_000_000)
    assert annual_cost(8, 0, None, 100) is None
    assert annual_cost(8, 0, 1, None) is None


def test_the_hourly_labour_cost_is_a_setting_with_a_default():
    assert hourly_rate() == 43_750
    set_setting(HOURLY_LABOUR_COST, "50000")
    db.session.commit()
    assert hourly_rate() == 50_000


def test_cost_totals_cover_only_regulations_with_inputs(make_regulations):
    make_regulations(
        regulation_row("A", subjects="300"),  # 222,000,000
        regulation_row("B", time_hours="", cost_vnd="500000", frequency="12", subjects="10"),
        regulation_row("C", time_hours="", cost_vnd="", frequency="", subjects=""),
        regulation_row("D", published="0"),
        regulation_row("E", status="abolished"),
    )
    total, covered = queries.cost_total()
    assert covered == 2
    assert total == pytest.approx(222_000_000 + 60_000_000)


@pytest.fixture
def world(make_regulations):
    """Three regulations with a known history.

    R1: in force from 2019 (doc A), simplified on 2021-06-01 (cost 3,000,000 → 1,000,000).
    R2: in force from 2020 (doc B), abolished on 2022-01-01.
    R3: in force from 2021 (doc A and doc C), field "Y tế".
    """
    a, _ = upsert_document("01/2019/NĐ-CP", effective_date=date(2019, 3, 1))
    b, _ = upsert_document("02/2020/NĐ-CP", effective_date=date(2020, 5, 1))
    c, _ = upsert_document("03/2021/TT-BYT", effective_date=date(2021, 2, 1))
    cut, _ = upsert_document("04/2021/NĐ-CP", effective_date=date(2021, 6, 1))
    db.session.commit()
    make_regulations(
        regulation_row(
            "R1",
            legal_basis="01/2019/NĐ-CP",
            field="Du lịch",
            subjects="100",
            time_hours="0",
            cost_vnd="3000000",
            frequency="1",
        ),
        regulation_row(
            "R2",
            legal_basis="02/2020/NĐ-CP",
            field="Du lịch",
            subjects="10",
            time_hours="0",
            cost_vnd="1000000",
            frequency="1",
        ),
        regulation_row(
            "R3",
            legal_basis="03/2021/TT-BYT; 01/2019/NĐ-CP",
            field="Y tế",
            subjects="1",
            time_hours="0",
            cost_vnd="5000000",
            frequency="2",
        ),
    )
    r1, r2 = (
        db.session.scalar(select(Regulation).where(Regulation.code == code))
        for code in ("R1", "R2")
    )
    record_event(r1, "simplified", date(2021, 6, 1), document=cut, changes={"cost_vnd": 1_000_000})
    record_event(r2, "abolished", date(2022, 1, 1), document=cut)
    db.session.commit()


def test_institutional_space_follows_each_regulations_history(world):
    rows = {row.year: row for row in institutional_space()}
    assert min(rows) == 2019 and max(rows) == local_today().year
    y2019, y2020, y2021, y2022 = rows[2019], rows[2020], rows[2021], rows[2022]
    assert (y2019.regulations, y2019.documents, y2019.fields, y2019.cost_vnd) == (
        1,
        1,
        1,
        300_000_000,
    )
    assert (y2020.regulations, y2020.documents, y2020.fields, y2020.cost_vnd) == (
        2,
        2,
        1,
        310_000_000,
    )
    # 2021: R1 simplified to 1,000,000 × 100; R2 10,000,000; R3 5,000,000 × 2 = 10,000,000
    assert (y2021.regulations, y2021.documents, y2021.fields, y2021.cost_vnd) == (
        3,
        3,
        2,
        120_000_000,
    )
    assert (y2022.regulations, y2022.documents, y2022.fields, y2022.cost_vnd) == (
        2,
        2,
        2,
        110_000_000,
    )
    assert y2021.change("regulations") == 1
    assert y2022.change("regulations") == -1
    assert y2022.change("cost_vnd") == -10_000_000
    assert y2019.change("regulations") is None


def test_unpublished_regulations_are_not_counted_but_are_reported(world, make_regulations):
    make_regulations(regulation_row("HIDDEN", published="0", legal_basis="01/2019/NĐ-CP"))
    current = institutional_space()[0]
    assert current.regulations == 2
    assert queries.unpublished_count() == 1


def test_institutional_space_changes_when_the_data_changes(world):
    before = institutional_space()[0].cost_vnd
    set_setting(HOURLY_LABOUR_COST, "100000")
    r3 = db.session.scalar(select(Regulation).where(Regulation.code == "R3"))
    record_event(r3, "amended", local_today(), changes={"time_hours": 10.0})
    db.session.commit()
    # R3 now costs (10 h × 100,000 + 5,000,000) × 2 × 1 = 12,000,000 instead of 10,000,000.
    assert institutional_space()[0].cost_vnd == before + 2_000_000


def test_home_page_shows_each_year_with_its_change(client, world):
    html = client.get("/").get_data(as_text=True)
    assert "2019" in html and "2021" in html
    assert '<span class="change down">−1</span>' in html
