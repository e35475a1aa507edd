"""The consultation's rules, tested on the services directly."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.consultation import queries, services
from portal.consultation.models import Comment, CommentRevision
from portal.consultation.services import NotAllowed
from portal.core.models import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.regulations.models import Regulation
from portal.regulations.services import local_today
from tests.conftest import mails
from tests.consultation.conftest import close

ICT = ZoneInfo("Asia/Ho_Chi_Minh")


def key() -> str:
    return secrets.token_urlsafe(12)


def comment(world, who="business", text="Ý kiến góp ý về dự thảo.", **kwargs):
    return services.post_comment(world[who], world["consultation"], text, key(), **kwargs)


# ---------------------------------------------------------------------------- windows


def test_a_consultation_lasts_at_least_the_minimum(world):
    today = local_today()
    with pytest.raises(RuleViolation, match="ít nhất 30 ngày") as error:
        services.open_consultation(
            world["staff"],
            draft=world["draft"],
            title="x",
            summary="y",
            opens_on=today,
            closes_on=today + timedelta(days=28),
        )
    assert error.value.field == "closes_on"
    with pytest.raises(RuleViolation):
        services.open_consultation(
            world["staff"],
            draft=world["draft"],
            title="x",
            summary="y",
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=40),
        )
    with pytest.raises(NotAllowed):
        services.open_consultation(
            world["other_staff"],
            draft=world["draft"],
            title="x",
            summary="y",
            opens_on=today,
            closes_on=today + timedelta(days=40),
        )


def test_the_window_runs_from_midnight_to_midnight_in_vietnam(world):
    consultation = world["consultation"]
    closing_day = consultation.closes_on
    last_second = datetime.combine(closing_day, datetime.max.time(), ICT).replace(microsecond=0)
    next_midnight = last_second + timedelta(seconds=1)
    assert consultation.state(last_second) == "open"
    assert consultation.state(next_midnight) == "closed"
    services.post_comment(
        world["citizen"], consultation, "Gửi lúc 23:59:59.", key(), now=last_second
    )
    with pytest.raises(RuleViolation, match="không mở"):
        services.post_comment(
            world["citizen"], consultation, "Gửi lúc 00:00:00.", key(), now=next_midnight
        )
    opening = datetime.combine(consultation.opens_on, datetime.min.time(), ICT)
    assert consultation.state(opening - timedelta(seconds=1)) == "upcoming"
    assert consultation.opens_at.astimezone(ICT).hour == 0


def test_opening_a_plan_puts_it_in_consultation_and_tells_the_ministrys_followers(world):
    services.set_following(world["association"], "ministry", world["ministry"].id, True)
    today = local_today()
    services.open_consultation(
        world["staff"],
        plan=world["plan"],
        title="",
        summary="Góp ý.",
        opens_on=today,
        closes_on=today + timedelta(days=35),
    )
    assert world["plan"].status == "consultation"
    [message] = mails("consultation_opened")
    assert message.to_address == world["association"].email
    assert "Phương án cắt giảm năm nay" in message.body


# ---------------------------------------------------------------------------- comments


def test_a_comment_gets_a_receipt_and_an_answer_due_date(world):
    posted = comment(world)
    assert posted.receipt == f"GY-{local_today().year}-{posted.id:06d}"
    assert posted.author_category == "business"
    assert posted.due_at == world["consultation"].closes_at + timedelta(days=15)


def test_a_double_submitted_form_creates_one_comment(world):
    form_key = key()
    first = services.post_comment(world["citizen"], world["consultation"], "Một lần.", form_key)
    second = services.post_comment(world["citizen"], world["consultation"], "Một lần.", form_key)
    assert first.id == second.id
    assert db.session.scalar(select(func.count(Comment.id))) == 1


def test_length_is_counted_after_nfc_normalisation(world):
    decomposed = unicodedata.normalize("NFD", "ế" * 5000)
    assert len(decomposed) > 5000
    posted = comment(world, text=decomposed)
    assert len(posted.body) == 5000
    with pytest.raises(RuleViolation, match="5.000"):
        comment(world, text="ế" * 5001)
    with pytest.raises(RuleViolation):
        comment(world, text="\u200b \u202e ")


def test_unverified_members_cannot_comment(world):
    world["citizen"].email_verified_at = None
    db.session.commit()
    with pytest.raises(RuleViolation, match="xác nhận địa chỉ e-mail"):
        comment(world, who="citizen")


def test_comments_on_a_draft_regulation_or_a_plan_item_only(world):
    on_regulation = comment(world, regulation_id=world["draft_regulation"].id)
    assert on_regulation.regulation_id == world["draft_regulation"].id
    other = db.session.scalar(select(Regulation).where(Regulation.code == "BYT-1"))
    with pytest.raises(RuleViolation):
        comment(world, regulation_id=other.id)
    with pytest.raises(RuleViolation):
        comment(world, plan_item_id=world["plan"].items[0].id)  # not this consultation's plan


def test_replies_thread_under_the_first_comment_and_have_no_due_date(world):
    first = comment(world)
    reply = comment(world, who="citizen", text="Đồng ý.", parent=first)
    deeper = comment(world, who="association", text="Bổ sung.", parent=reply)
    assert reply.parent_id == first.id and deeper.parent_id == first.id
    assert reply.due_at is None
    [thread] = queries.threads(world["consultation"])
    assert [r.id for r in thread.replies] == [reply.id, deeper.id]


def test_the_author_may_edit_for_15_minutes_and_the_history_is_kept(world):
    posted = comment(world, text="Bản đầu.")
    services.edit_comment(world["business"], posted, "Bản đã sửa.")
    assert posted.body == "Bản đã sửa."
    assert db.session.scalar(select(CommentRevision.body)) == "Bản đầu."
    later = utcnow() + timedelta(minutes=16)
    with pytest.raises(RuleViolation, match="15 phút"):
        services.edit_comment(world["business"], posted, "Sửa muộn.", now=later)
    with pytest.raises(NotAllowed):
        services.edit_comment(world["citizen"], posted, "Không phải của tôi.")


# ---------------------------------------------------------------------------- moderation


def test_three_reports_hide_a_comment_until_a_moderator_decides(world, create_user):
    posted = comment(world, text="Quảng cáo bán hàng.")
    with pytest.raises(RuleViolation):
        services.report_comment(world["business"], posted, "Tự báo cáo.")
    assert services.report_comment(world["citizen"], posted, "Quảng cáo.")
    assert not services.report_comment(world["citizen"], posted, "Lần nữa.")  # once a person
    services.report_comment(world["association"], posted, "Spam.")
    assert posted.status == "visible" and posted.report_count == 2
    services.report_comment(world["other_staff"], posted, "Không liên quan.")
    assert posted.status == "hidden"
    with pytest.raises(NotAllowed):
        services.moderate_comment(world["staff"], posted, "approve", "")
    services.moderate_comment(world["admin"], posted, "approve", "Không vi phạm.")
    assert posted.status == "visible" and posted.approved
    services.report_comment(create_user(), posted, "Lại báo cáo.")
    assert posted.status == "visible"  # approved: reports no longer hide it
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("moderation.%"))
    ).all()
    assert actions.count("moderation.reported") == 4
    assert "moderation.hidden" in actions and "moderation.approved" in actions


def test_an_approved_comment_edited_is_moderated_again(world, create_user):
    """The approval was of the old text: after an edit its reports count again."""
    posted = comment(world, text="Bình thường.")
    reporters = [world["citizen"], world["association"], world["other_staff"]]
    for reporter in reporters:
        services.report_comment(reporter, posted, "Quảng cáo.")
    services.moderate_comment(world["admin"], posted, "approve", "Không vi phạm.")
    assert posted.status == "visible" and posted.approved
    services.edit_comment(world["business"], posted, "Nội dung khác hẳn, có quảng cáo.")
    assert not posted.approved
    assert posted.status == "hidden"  # three reports, no approval of this text
    assert posted in db.session.scalars(queries.moderation_queue()).all()
    hidden = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "moderation.hidden")
    ).all()
    assert any("edited after approval" in detail for detail in hidden)


def test_an_approved_comment_with_few_reports_is_hidden_by_the_next_ones(world, create_user):
    posted = comment(world, text="Bình thường.")
    services.report_comment(world["citizen"], posted, "Sai chủ đề.")
    services.moderate_comment(world["admin"], posted, "approve", "Không vi phạm.")
    services.report_comment(world["association"], posted, "Sai.")
    assert posted.status == "visible"  # approved: the report does not hide it
    services.edit_comment(world["business"], posted, "Đã sửa nội dung.")
    assert posted.status == "visible" and not posted.approved
    services.report_comment(create_user(), posted, "Vẫn sai.")
    assert posted.status == "hidden"


def test_removal_needs_a_reason_leaves_a_placeholder_and_keeps_replies(world):
    posted = comment(world)
    reply = comment(world, who="citizen", text="Trả lời.", parent=posted)
    world["staff"].is_moderator = True
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.moderate_comment(world["staff"], posted, "remove", "")
    services.moderate_comment(world["staff"], posted, "remove", "Lời lẽ xúc phạm.")
    assert posted.status == "removed" and posted.moderation_reason == "Lời lẽ xúc phạm."
    assert db.session.get(Comment, reply.id) is not None
    assert queries.category_statistics(world["consultation"])["business"] == 0


# ---------------------------------------------------------------------------- answers


def test_only_the_owning_ministry_answers_once_and_not_accepted_needs_a_reason(world):
    posted = comment(world)
    with pytest.raises(NotAllowed):
        services.answer_comment(world["other_staff"], posted, "accepted", "Tiếp thu.")
    with pytest.raises(RuleViolation, match="không tiếp thu"):
        services.answer_comment(world["staff"], posted, "not_accepted", "  ")
    answer = services.answer_comment(
        world["staff"], posted, "not_accepted", "Không tiếp thu vì trái Luật Thương mại."
    )
    assert answer.ministry_id == world["ministry"].id
    with pytest.raises(RuleViolation, match="đã có câu trả lời"):
        services.answer_comment(world["admin"], posted, "accepted", "Lần hai.")
    [message] = mails("comment_answered")
    assert message.to_address == world["business"].email
    assert posted.receipt in message.subject
    reply = comment(world, who="citizen", text="Trả lời.", parent=posted)
    with pytest.raises(NotAllowed):
        services.answer_comment(world["staff"], reply, "accepted", "Trả lời một câu trả lời.")


def test_only_the_author_rates_the_answer_once(world):
    posted = comment(world)
    with pytest.raises(RuleViolation):
        services.rate_answer(world["business"], posted, 4)  # nothing to rate yet
    services.answer_comment(world["staff"], posted, "accepted", "Tiếp thu.")
    with pytest.raises(NotAllowed):
        services.rate_answer(world["citizen"], posted, 5)
    with pytest.raises(RuleViolation):
        services.rate_answer(world["business"], posted, 6)
    services.rate_answer(world["business"], posted, 4, "Rõ ràng.")
    with pytest.raises(RuleViolation):
        services.rate_answer(world["business"], posted, 5)
    stats = queries.answer_stats(world["ministry"].id)
    assert stats.mean_rating == 4 and stats.ratings == 1


def test_the_queue_is_sorted_by_due_date_and_flags_overdue_items(world):
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "BCT-2"))
    feedback = services.post_feedback(world["citizen"], regulation, "Thủ tục rườm rà.", key())
    assert feedback.receipt.startswith("PA-") and feedback.ministry_id == world["ministry"].id
    assert feedback.due_at - feedback.created_at == timedelta(days=15)
    posted = comment(world)
    rows, count = queries.answer_queue(world["ministry"].id)
    assert [c.id for c in db.session.scalars(rows)] == [feedback.id, posted.id]
    feedback.due_at = utcnow() - timedelta(days=1)
    db.session.commit()
    overdue, _count = queries.answer_queue(world["ministry"].id, "overdue")
    assert [c.id for c in db.session.scalars(overdue)] == [feedback.id]
    stats = queries.answer_stats(world["ministry"].id)
    assert (stats.received, stats.answered, stats.overdue) == (2, 0, 1)
    services.answer_comment(world["staff"], feedback, "explained", "Đã giải trình.")
    stats = queries.answer_stats(world["ministry"].id)
    assert stats.answered == 1 and stats.answer_rate == 0.5 and stats.median_days is not None


def test_feedback_only_on_published_regulations_in_force(world):
    with pytest.raises(RuleViolation):
        services.post_feedback(world["citizen"], world["draft_regulation"], "Góp ý.", key())


# ---------------------------------------------------------------------------- plans


def test_plan_lifecycle_and_implementation_change_the_regulations(world):
    plan = world["plan"]
    staff = world["staff"]
    savings = {item.regulation.code: saving for item, _b, _a, saving in queries.plan_savings(plan)}
    # BCT-2: (10 h × 43 750 + 500 000) × 2 × 1000 before, (2 h × 43 750) × 2 × 1000 after.
    assert savings["BCT-2"] == pytest.approx((10 * 43750 + 500000 - 2 * 43750) * 2 * 1000)
    with pytest.raises(RuleViolation):
        services.advance_plan(staff, plan, "approved", decision_number="1977/QĐ-TTg")
    services.advance_plan(staff, plan, "submitted")
    with pytest.raises(RuleViolation, match="QĐ-TTg"):
        services.advance_plan(staff, plan, "approved", decision_number="1977/QĐ-BCT")
    services.advance_plan(staff, plan, "approved", decision_number="1977/qd-ttg")
    assert plan.decision_number == "1977/QĐ-TTg" and plan.decision_date == local_today()
    with pytest.raises(RuleViolation):
        services.advance_plan(staff, plan, "implemented")
    first, second = plan.items
    services.complete_plan_item(staff, first, local_today(), "15/2026/NĐ-CP")
    services.complete_plan_item(staff, second, local_today(), "15/2026/NĐ-CP")
    abolished = first.regulation
    simplified = second.regulation
    assert abolished.status == "abolished" and abolished.events[-1].kind == "abolished"
    assert abolished.events[-1].document.number == "15/2026/NĐ-CP"
    assert (simplified.time_hours, simplified.cost_vnd) == (2, 0)
    assert simplified.events[-1].kind == "simplified" and simplified.events[-1].source == "plan"
    # The saving is still known once the regulation carries its new cost.
    after = {item.regulation.code: saving for item, _b, _a, saving in queries.plan_savings(plan)}
    assert after["BCT-2"] == pytest.approx(savings["BCT-2"])
    services.advance_plan(staff, plan, "implemented")
    assert plan.status == "implemented"


def test_plan_items_are_regulations_in_force_of_the_ministry(world):
    plan = world["plan"]
    with pytest.raises(RuleViolation):
        services.add_plan_item(world["staff"], plan, "BYT-1", "abolish", "", {}, None)
    with pytest.raises(RuleViolation):
        services.add_plan_item(world["staff"], plan, "BCT-1", "abolish", "", {}, None)  # twice
    with pytest.raises(RuleViolation):
        services.add_plan_item(world["staff"], plan, "BCT-D1", "simplify", "", {}, None)
    other = services.create_plan(
        world["staff"], world["ministry"], "Phương án khác", "", local_today().year
    )
    with pytest.raises(RuleViolation, match="số lần mỗi năm"):
        services.add_plan_item(
            world["staff"],
            other,
            "BCT-2",
            "amend",
            "",
            {"time_hours": "1", "frequency": "xyz", "subjects": "3"},
            None,
        )


def test_ministries_without_a_plan_submitted_by_30_september_are_late(world):
    from datetime import date

    year = local_today().year
    late = {m.code for m in queries.late_ministries(year)}
    assert "bct" in late
    world["plan"].submitted_on = date(year, 9, 30)
    db.session.commit()
    assert "bct" not in {m.code for m in queries.late_ministries(year)}
    world["plan"].submitted_on = date(year, 10, 1)
    db.session.commit()
    assert "bct" in {m.code for m in queries.late_ministries(year)}


def test_closing_makes_comments_read_only(world):
    posted = comment(world)
    close(world["consultation"])
    with pytest.raises(RuleViolation):
        comment(world, who="citizen")
    with pytest.raises(RuleViolation):
        services.edit_comment(world["business"], posted, "Sửa sau khi đóng.")


def test_the_answer_and_edit_predicates_are_the_permissions_modules(world):
    from portal.accounts import permissions
    from portal.accounts.models import Guest

    assert services.can_answer is permissions.can_answer  # old imports keep working
    assert services.can_edit is permissions.can_edit_comment
    posted = comment(world)
    reply = comment(world, who="citizen", text="Trả lời.", parent=posted)
    guest = Guest()
    assert permissions.can_answer(world["staff"], posted)
    assert permissions.can_answer(world["admin"], posted)
    assert not permissions.can_answer(world["other_staff"], posted)  # another ministry
    assert not permissions.can_answer(world["business"], posted)
    assert not permissions.can_answer(guest, posted) and not permissions.can_answer(guest, None)
    assert not permissions.can_answer(world["staff"], reply)  # replies are not answered
    assert permissions.can_edit_comment(world["business"], posted)
    assert not permissions.can_edit_comment(world["citizen"], posted)
    assert not permissions.can_edit_comment(guest, posted)
    later = posted.created_at + timedelta(minutes=15, seconds=1)
    assert not permissions.can_edit_comment(world["business"], posted, later)


# ---------------------------------------------------------------------------- plan dates


def _plan_on(world, day: str, title="Phương án bổ sung"):
    """A plan with one item, created at 10:00 on `day` in Vietnam."""
    from freezegun import freeze_time

    with freeze_time(f"{day} 03:00:00"):  # 10:00 in Vietnam
        plan = services.create_plan(world["staff"], world["ministry"], title, "", int(day[:4]))
        services.add_plan_item(world["staff"], plan, "BCT-1", "abolish", "Bãi bỏ.", {}, None)
    return plan


def test_a_late_plan_cannot_be_back_dated_before_the_deadline(world):
    """The review's case: on 1 December a plan created in November is 'submitted on 2 January'
    so that the ministry leaves the late list."""
    from datetime import date

    from freezegun import freeze_time

    plan = _plan_on(world, "2026-11-20")
    with freeze_time("2026-12-01 03:00:00"):
        for back_dated in (date(2026, 1, 2), date(2026, 9, 30), date(2026, 11, 19)):
            with pytest.raises(RuleViolation, match="20/11/2026") as error:
                services.advance_plan(world["staff"], plan, "submitted", on=back_dated)
            assert error.value.field == "on"
        db.session.rollback()
        assert plan.status == "drafting" and plan.submitted_on is None
        assert "bct" in {m.code for m in queries.late_ministries(2026)}
        with pytest.raises(RuleViolation, match="tương lai"):
            services.advance_plan(world["staff"], plan, "submitted", on=date(2026, 12, 2))
        services.advance_plan(world["staff"], plan, "submitted", on=date(2026, 11, 20))
    assert plan.submitted_on == date(2026, 11, 20)
    assert "bct" in {m.code for m in queries.late_ministries(2026)}  # still late, truthfully


def test_the_creation_day_is_the_vietnam_day(world):
    """Created at 23:30 UTC on 19 November is 06:30 on 20 November in Vietnam."""
    from datetime import date

    from freezegun import freeze_time

    with freeze_time("2026-11-19 23:30:00"):
        plan = services.create_plan(world["staff"], world["ministry"], "Muộn", "", 2026)
        services.add_plan_item(world["staff"], plan, "BCT-1", "abolish", "", {}, None)
    with freeze_time("2026-12-01 03:00:00"):
        with pytest.raises(RuleViolation, match="20/11/2026"):
            services.advance_plan(world["staff"], plan, "submitted", on=date(2026, 11, 19))
        services.advance_plan(world["staff"], plan, "submitted", on=date(2026, 11, 20))


def test_a_plan_is_not_submitted_while_its_consultation_is_open_or_to_come(world):
    plan = world["plan"]
    plan.created_at -= timedelta(days=60)
    db.session.commit()
    today = local_today()
    consultation = services.open_consultation(
        world["staff"],
        plan=plan,
        title="",
        summary="Góp ý phương án.",
        opens_on=today + timedelta(days=2),
        closes_on=today + timedelta(days=40),
    )
    with pytest.raises(RuleViolation, match="dự kiến") as error:
        services.advance_plan(world["staff"], plan, "submitted")
    assert error.value.field == "status"
    consultation.opens_at -= timedelta(days=5)  # now open
    db.session.commit()
    with pytest.raises(RuleViolation, match="đang lấy ý kiến đến hết ngày"):
        services.advance_plan(world["staff"], plan, "submitted")
    db.session.rollback()
    close(consultation, days_ago=3)
    closing_day = consultation.closes_on
    for day in (closing_day - timedelta(days=1), closing_day):
        with pytest.raises(RuleViolation, match="không thể được trình trước") as error:
            services.advance_plan(world["staff"], plan, "submitted", on=day)
        assert error.value.field == "on"
    db.session.rollback()
    services.advance_plan(world["staff"], plan, "submitted", on=closing_day + timedelta(days=1))
    assert plan.status == "submitted"


def test_approval_and_implementation_follow_the_steps_before_them(world):
    from datetime import date

    from freezegun import freeze_time

    plan = _plan_on(world, "2026-03-02")
    with freeze_time("2026-06-01 03:00:00"):
        services.advance_plan(world["staff"], plan, "submitted", on=date(2026, 4, 10))
        with pytest.raises(RuleViolation, match="10/04/2026"):
            services.advance_plan(
                world["staff"], plan, "approved", on=date(2026, 4, 9), decision_number="5/QĐ-TTg"
            )
        services.advance_plan(
            world["staff"], plan, "approved", on=date(2026, 4, 10), decision_number="5/QĐ-TTg"
        )
        [item] = plan.items
        services.complete_plan_item(world["staff"], item, date(2026, 5, 20), "15/2026/NĐ-CP")
        assert services.earliest_step_date(plan, "implemented") == date(2026, 5, 20)
        for day in (date(2026, 4, 9), date(2026, 5, 19)):
            with pytest.raises(RuleViolation) as error:
                services.advance_plan(world["staff"], plan, "implemented", on=day)
            assert error.value.field == "on"
        db.session.rollback()
        services.advance_plan(world["staff"], plan, "implemented", on=date(2026, 5, 20))
    assert (plan.status, plan.implemented_on) == ("implemented", date(2026, 5, 20))


def test_a_plan_moved_twice_at_once_changes_once(world):
    plan = world["plan"]
    # Another worker moved it after this one read it.
    db.session.execute(
        db.update(type(plan)).where(type(plan).id == plan.id).values(status="submitted")
    )
    db.session.commit()
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(plan, "status", "drafting")  # what this worker read before
    with pytest.raises(RuleViolation, match="thay đổi"):
        services.advance_plan(world["staff"], plan, "submitted")
