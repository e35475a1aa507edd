"""The reform-effort index on small worlds whose every indicator is known by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from portal.consultation import services
from portal.consultation.models import (
    Answer,
    Comment,
    Consultation,
    DraftDocument,
    Rating,
)
from portal.consultation.services import window_for
from portal.extensions import db
from portal.reform import index, methodology
from portal.reform.models import ReformScore
from portal.regulations.models import Regulation, RegulationEvent
from tests.conftest import regulation_row

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
RATE = 43750


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ICT)


def cost(hours, fees, frequency, subjects):
    return (hours * RATE + fees) * frequency * subjects


@pytest.fixture
def world(make_regulations, create_user):
    """Bộ Công Thương in 2025, with every indicator known (see the asserts)."""
    row = lambda code, **v: regulation_row(code, ministry="bct", field="Thương mại", **v)  # noqa: E731
    make_regulations(
        row("A1", time_hours="10", cost_vnd="0", frequency="1", subjects="100"),
        row("A2", time_hours="20", cost_vnd="100000", frequency="1", subjects="50"),
        row("A3", time_hours="100", cost_vnd="1000000", frequency="1", subjects="1000"),
        row("A4", published="0", time_hours="", cost_vnd="", frequency="", subjects=""),
        row("A5", time_hours="", cost_vnd="", frequency="", subjects=""),
    )
    # The catalogue was there since mid-2024, except A5 (new in 2025).
    db.session.execute(update(RegulationEvent).values(event_date=date(2024, 6, 1)))
    a5 = db.session.scalar(select(Regulation).where(Regulation.code == "A5"))
    db.session.execute(
        update(RegulationEvent)
        .where(RegulationEvent.regulation_id == a5.id)
        .values(event_date=date(2025, 3, 1))
    )
    db.session.commit()
    staff = create_user("staff", ministry="bct")
    member = create_user()
    ministry = staff.ministry

    plan = services.create_plan(staff, ministry, "Phương án 2025", "", 2025)
    # A plan of last cycle: created then (its steps cannot be dated before it was created).
    plan.created_at = datetime(2025, 1, 5, 2, 0, tzinfo=ZoneInfo("UTC"))
    services.add_plan_item(staff, plan, "A1", "abolish", "", {}, date(2025, 6, 30))
    services.add_plan_item(
        staff,
        plan,
        "A2",
        "simplify",
        "",
        {"time_hours": "5", "cost_vnd": "0", "frequency": "1", "subjects": "50"},
        date(2025, 6, 30),
    )
    services.add_plan_item(
        staff,
        plan,
        "A3",
        "amend",
        "",
        {"time_hours": "100", "cost_vnd": "1000000", "frequency": "1", "subjects": "1000"},
        date(2025, 12, 31),
    )
    services.advance_plan(staff, plan, "submitted", on=date(2025, 1, 20))
    services.advance_plan(staff, plan, "approved", on=date(2025, 2, 1), decision_number="12/QĐ-TTg")
    items = {item.regulation.code: item for item in plan.items}
    services.complete_plan_item(staff, items["A1"], date(2025, 5, 1), "10/2025/NĐ-CP")
    services.complete_plan_item(staff, items["A2"], date(2025, 6, 1), "10/2025/NĐ-CP")
    plan.created_at = at(date(2025, 1, 10))

    # T2: a draft consulted for 30 days, and the plan consulted for only 20.
    draft = DraftDocument(
        ministry_id=ministry.id,
        title="Dự thảo 2025",
        doc_type="decree",
        created_at=at(date(2025, 3, 1)),
        updated_at=at(date(2025, 3, 1)),
    )
    db.session.add(draft)
    db.session.flush()
    for subject, opens, days in ((draft, date(2025, 3, 5), 30), (plan, date(2025, 1, 11), 20)):
        opens_at, closes_at = window_for(opens, opens + timedelta(days=days - 1))
        db.session.add(
            Consultation(
                ministry_id=ministry.id,
                draft_id=subject.id if subject is draft else None,
                plan_id=subject.id if subject is plan else None,
                title="Lấy ý kiến",
                opens_at=opens_at,
                closes_at=closes_at,
                length_days=days,
            )
        )
    db.session.flush()
    consultation = db.session.scalar(select(Consultation).where(Consultation.draft_id == draft.id))

    def comment(due: date, answered: date | None, number: int):
        item = Comment(
            kind="comment",
            consultation_id=consultation.id,
            ministry_id=ministry.id,
            author_id=member.id,
            author_category="individual",
            body=f"Ý kiến {number}",
            idempotency_key=f"key-{number:08d}",
            receipt=f"GY-2025-{number:06d}",
            due_at=at(due, 23),
        )
        db.session.add(item)
        db.session.flush()
        if answered:
            db.session.add(
                Answer(
                    comment_id=item.id,
                    ministry_id=ministry.id,
                    author_id=staff.id,
                    outcome="accepted",
                    body="Tiếp thu.",
                    created_at=at(answered),
                )
            )
        return item

    on_time = comment(date(2025, 5, 10), date(2025, 5, 1), 1)
    late = comment(date(2025, 5, 10), date(2025, 6, 1), 2)
    comment(date(2025, 8, 1), None, 3)  # due in 2025, never answered
    comment(date(2026, 1, 20), None, 4)  # due in 2026: not the 2025 indicators' business
    db.session.flush()
    for item, score in ((on_time, 5), (late, 2)):
        db.session.add(
            Rating(
                comment_id=item.id,
                ministry_id=ministry.id,
                rater_id=member.id,
                score=score,
                created_at=at(date(2025, 7, 1)),
            )
        )
    db.session.commit()
    return ministry


def by_code(scores, code):
    return next(s for s in scores if s.ministry.code == code)


def test_every_indicator_of_a_known_world(world):
    score = by_code(index.compute(2025), "bct")
    values = {code: indicator.value for code, indicator in score.indicators.items()}
    pairs = {code: (i.numerator, i.denominator) for code, i in score.indicators.items()}
    # In force at the end of 2025: A2, A3, A4, A5 (A1 abolished); published: A2, A3, A5.
    assert pairs["T1"] == (3, 4) and values["T1"] == pytest.approx(0.75)
    assert pairs["T2"] == (1, 2) and values["T2"] == pytest.approx(0.5)
    # 2 of the 4 in force at the start (A1–A4) cut or simplified: 50 % ÷ 20 % → capped at 1.
    assert pairs["R1"] == (2, 4) and values["R1"] == 1.0
    start_cost = cost(10, 0, 1, 100) + cost(20, 100000, 1, 50) + cost(100, 1000000, 1, 1000)
    saved = cost(10, 0, 1, 100) + (cost(20, 100000, 1, 50) - cost(5, 0, 1, 50))
    assert pairs["R2"] == (pytest.approx(saved), pytest.approx(start_cost))
    assert values["R2"] == pytest.approx(saved / start_cost / 0.20)
    assert pairs["R3"] == (2, 3) and values["R3"] == pytest.approx(2 / 3)
    assert values["R4"] == 1.0
    assert pairs["S1"] == (2, 3) and values["S1"] == pytest.approx(2 / 3)
    assert pairs["S2"] == (1, 2) and values["S2"] == pytest.approx(0.5)
    assert values["S3"] == pytest.approx((3.5 - 1) / 4)
    groups = {
        "transparency": (0.75 + 0.5) / 2,
        "results": (1.0 + saved / start_cost / 0.20 + 2 / 3 + 1.0) / 4,
        "satisfaction": (2 / 3 + 0.5 + 0.625) / 3,
    }
    assert score.groups == pytest.approx(groups)
    expected = 30 * groups["transparency"] + 40 * groups["results"] + 30 * groups["satisfaction"]
    assert score.total == pytest.approx(expected)
    assert not score.flags and score.source == "live"


def test_no_data_is_left_out_and_an_empty_group_scores_zero_and_is_flagged(world):
    scores = index.compute(2025)
    empty = by_code(scores, "byt")
    assert empty.indicators["T1"].value is None and empty.indicators["S3"].value is None
    assert empty.indicators["R4"].value == 0.0  # a plan year without a plan: late
    assert empty.flags == {"transparency", "satisfaction"}
    assert empty.total == 0
    # The first ministry in the ranking is the one with data; the rest tie at 0, by name.
    assert scores[0].ministry.code == "bct"
    from portal.text import fold_key

    tied = [s.ministry.name_vi for s in scores[1:]]
    assert tied == sorted(tied, key=fold_key)


def test_plan_on_time_has_no_data_outside_plan_years_and_before_the_deadline(world):
    assert by_code(index.compute(2019), "byt").indicators["R4"].value is None
    before_deadline = index.compute(2026, today=date(2026, 9, 29))
    assert by_code(before_deadline, "byt").indicators["R4"].value is None
    after_deadline = index.compute(2026, today=date(2026, 10, 1))
    assert by_code(after_deadline, "byt").indicators["R4"].value == 0.0


def test_reported_figures_stand_in_for_2022_without_live_data(world):
    scores = index.compute(2022)
    transport = by_code(scores, "bgtvt")  # no live data: Phụ lục 1 of the report
    assert transport.source == "reported"
    t1, r1, r4 = (transport.indicators[c] for c in ("T1", "R1", "R4"))
    assert (t1.numerator, t1.denominator) == (334, 334 + 2449)
    assert r1.value == pytest.approx(101 / 2783 / 0.20)
    assert r4.value == 1.0  # 1977/QĐ-TTg
    assert transport.indicators["S1"].value is None
    assert transport.total == pytest.approx(30 * 334 / 2783 + 40 * (101 / 2783 / 0.2 + 1) / 2)
    # R4 alone is not live data: a ministry with only R4 still gets the reported figures.
    assert by_code(scores, "bct").source == "reported"


def test_scores_are_stored_by_version_and_follow_the_data(world, client):
    first = index.scores(2025)
    assert len(first) == db.session.scalar(
        select(db.func.count()).select_from(
            select(ReformScore.id).where(ReformScore.period == 2025).subquery()
        )
    )
    assert {s.version for s in first} == {1}
    stamp = first[0].data_version
    again = index.scores(2025)
    assert [s.id for s in again] == [s.id for s in first]  # nothing changed: not recomputed
    # New data: the next read recomputes.
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "A4"))
    regulation.published = True
    db.session.add(
        RegulationEvent(
            regulation_id=regulation.id,
            kind="published",
            event_date=date(2025, 11, 1),
            status="in_force",
            published=True,
        )
    )
    db.session.commit()
    after = index.scores(2025)
    assert after[0].data_version != stamp
    t1 = by_code_stored(after, "bct").indicators["T1"]
    assert (t1["num"], t1["den"]) == (4, 4)


def by_code_stored(scores, code):
    return next(s for s in scores if s.ministry.code == code)


def test_a_methodology_change_makes_a_new_version_and_keeps_the_old_scores(world, create_user):
    from portal.admin.services import change_methodology

    index.scores(2025)
    admin = create_user("admin")
    values = {
        "weight_transparency": "50",
        "weight_results": "25",
        "weight_satisfaction": "25",
        "target_regulations": "20",
        "target_cost": "20",
        "consultation_min_days": "20",
        "deadline_day": "30",
        "deadline_month": "9",
        "plan_first": "2021",
        "plan_last": "2030",
        "band_good": "80",
        "band_fair": "50",
    }
    from portal.errors import RuleViolation

    with pytest.raises(RuleViolation):
        change_methodology(admin, {**values, "weight_results": "30"}, "Tổng khác 100")
    version = change_methodology(admin, values, "Tăng trọng số công khai.")
    assert version.version == 2 and methodology.current().version == 2
    scores = index.scores(2025)
    industry = by_code_stored(scores, "bct")
    assert industry.version == 2
    # With a 20-day window the plan's consultation counts too: T2 = 2/2.
    assert industry.indicators["T2"]["value"] == 1.0
    groups = (industry.transparency, industry.results, industry.satisfaction)
    assert industry.total == pytest.approx(50 * groups[0] + 25 * groups[1] + 25 * groups[2])
    old = db.session.scalars(select(ReformScore).where(ReformScore.version == 1)).all()
    assert old, "the scores of version 1 stay on record"


def test_computing_a_period_is_one_query_per_indicator(world):
    from sqlalchemy import event

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        index.compute(2025)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    # About a dozen aggregate queries, whatever the number of ministries or rows: SQL
    # aggregation, not a loop over them.
    assert len(statements) <= 20
