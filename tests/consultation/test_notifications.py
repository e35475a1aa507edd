"""E-mail to followers: a consultation opens (the day it opens), changes, gets a document,
closes, has every comment answered; a ministry's plan moves a step. Each once, in the reader's
language, with the link to stop following."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from portal.consultation import notifications, services
from portal.consultation.models import Comment
from portal.errors import RuleViolation
from portal.extensions import db
from portal.regulations.services import local_today
from tests.conftest import link_in, mails
from tests.consultation.conftest import close


def follow(user, kind, target_id):
    services.set_following(user, kind, target_id, True)


def scheduled(world, days_ahead=3, length=35):
    today = local_today()
    return services.open_consultation(
        world["staff"],
        plan=world["plan"],
        title="Lấy ý kiến phương án cắt giảm",
        summary="Góp ý về phương án.",
        opens_on=today + timedelta(days=days_ahead),
        closes_on=today + timedelta(days=days_ahead + length - 1),
    )


def notify(app) -> str:
    """`flask consultations notify`, as cron runs it."""
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["consultations", "notify"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


# ---------------------------------------------------------------------------- opening


def test_a_scheduled_consultation_is_announced_the_day_it_opens_not_before(app, world):
    follow(world["association"], "ministry", world["ministry"].id)
    follow(world["citizen"], "ministry", world["ministry"].id)
    follow(world["citizen"], "field", world["draft"].field_id)  # two reasons, one mail
    consultation = scheduled(world)
    follow(world["business"], "consultation", consultation.id)  # followed before it opens
    assert mails("consultation_opened") == []  # scheduled, not open: nothing yet
    assert "0 opening" in notify(app)
    assert mails("consultation_opened") == []
    with freeze_time(consultation.opens_at - timedelta(seconds=1)):
        notify(app)
    assert mails("consultation_opened") == []
    with freeze_time(consultation.opens_at + timedelta(hours=7)):
        output = notify(app)
        assert "3 opening" in output
        assert sorted(m.to_address for m in mails("consultation_opened")) == sorted(
            [world["association"].email, world["citizen"].email, world["business"].email]
        )
        notify(app)  # cron runs again: nobody is told twice
        notify(app)
    assert len(mails("consultation_opened")) == 3
    message = mails("consultation_opened")[0]
    assert message.subject == "Lấy ý kiến mới: Lấy ý kiến phương án cắt giảm"
    assert message.body.startswith("Kính gửi ")
    assert message.status == "logged"  # delivered by the command


def test_a_consultation_opening_today_is_announced_at_once_and_only_once(app, world):
    follow(world["association"], "ministry", world["ministry"].id)
    today = local_today()
    consultation = services.open_consultation(
        world["staff"],
        plan=world["plan"],
        title="",
        summary="Góp ý.",
        opens_on=today,
        closes_on=today + timedelta(days=35),
    )
    assert len(mails("consultation_opened")) == 1
    assert consultation.opening_notified_at is not None
    notify(app)
    assert len(mails("consultation_opened")) == 1


def test_two_runs_at_once_announce_once(app, world):
    """Two servers' cron jobs: the second finds the marker claimed."""
    follow(world["association"], "ministry", world["ministry"].id)
    consultation = scheduled(world)
    with freeze_time(consultation.opens_at + timedelta(hours=1)):
        stale = db.session.get(type(consultation), consultation.id)
        notifications.send_due()
        db.session.commit()
        # The other run had read the consultation before the marker was set.
        from sqlalchemy.orm.attributes import set_committed_value

        set_committed_value(stale, "opening_notified_at", None)
        assert notifications.consultation_opened(stale) == 0
        db.session.commit()
    assert len(mails("consultation_opened")) == 1


def test_only_confirmed_active_followers_are_mailed(app, world, create_user):
    unverified = create_user(email_verified_at=None)
    gone = create_user()
    for person in (unverified, gone, world["association"]):
        follow(person, "ministry", world["ministry"].id)
    gone.active = False
    db.session.commit()
    consultation = scheduled(world)
    with freeze_time(consultation.opens_at + timedelta(hours=1)):
        notify(app)
    assert [m.to_address for m in mails("consultation_opened")] == [world["association"].email]


# ---------------------------------------------------------------------------- the reader


def test_each_mail_is_in_its_readers_language_with_the_link_to_stop_following(
    app, client, world, login
):
    english = world["association"]
    english.locale = "en"
    db.session.commit()
    follow(english, "ministry", world["ministry"].id)
    follow(world["citizen"], "ministry", world["ministry"].id)
    consultation = scheduled(world)
    with freeze_time(consultation.opens_at + timedelta(hours=1)):
        notify(app)
    by_address = {m.to_address: m for m in mails("consultation_opened")}
    en, vi = by_address[english.email], by_address[world["citizen"].email]
    assert en.subject == "New consultation: Lấy ý kiến phương án cắt giảm"
    assert "You receive this because you follow" in en.body
    assert "Bạn nhận được thư này vì bạn theo dõi" in vi.body
    assert "Để ngừng nhận những thư này" in vi.body and "To stop these e-mails" in en.body
    settings = [
        link for link in re.findall(r"https?://[^/\s]+(/\S+)", vi.body) if "account" in link
    ]
    assert settings == ["/account#following"]
    login(world["citizen"])
    page = client.get("/account").get_data(as_text=True)
    assert 'id="following"' in page and "Bộ Công Thương" in page
    client.post(
        "/follow",
        data={"target_type": "ministry", "target_id": world["ministry"].id, "follow": "0"},
    )
    later = scheduled(world, days_ahead=5)
    with freeze_time(later.opens_at + timedelta(hours=1)):
        notify(app)
    assert [m.to_address for m in mails("consultation_opened")][2:] == [english.email]


def _stop_link(message) -> str:
    links = re.findall(r"https?://[^/\s]+(/follow/stop/\S+)", message.body)
    assert len(links) == 1, message.body
    return links[0]


def test_the_stop_link_in_a_follow_mail_works_without_signing_in(app, client, world):
    """The link stops what that mail was about (here the ministry and the consultation),
    nothing else; opening it changes nothing (mail scanners open links), the button does."""
    citizen = world["citizen"]
    follow(citizen, "ministry", world["ministry"].id)
    follow(citizen, "ministry", world["other_staff"].ministry.id)
    consultation = scheduled(world)
    follow(citizen, "consultation", consultation.id)
    with freeze_time(consultation.opens_at + timedelta(hours=1)):
        notify(app)
    (message,) = mails("consultation_opened")
    link = _stop_link(message)

    # The link is signed when the mail is made (here at the frozen time) and read later.
    with freeze_time(consultation.opens_at + timedelta(hours=2)):
        page = client.get(link, headers={"Accept-Language": "vi"})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Ngừng nhận những thư này" in html
        assert world["ministry"].name in html and world["other_staff"].ministry.name not in html
        assert len(services_follows(citizen)) == 3  # opening the link stopped nothing

        done = client.post(link, headers={"Accept-Language": "en"})
        assert done.status_code == 200 and "no longer follows" in done.get_data(as_text=True)
        assert services_follows(citizen) == {("ministry", world["other_staff"].ministry.id)}
        again = client.post(link, headers={"Accept-Language": "en"})
        assert again.status_code == 200  # a second click is harmless

    later = scheduled(world, days_ahead=5)
    with freeze_time(later.opens_at + timedelta(hours=1)):
        notify(app)
    assert [m.to_address for m in mails("consultation_opened")] == [citizen.email]


def test_a_broken_or_outdated_stop_link_explains_itself(app, client, world):
    citizen = world["citizen"]
    follow(citizen, "ministry", world["ministry"].id)
    consultation = scheduled(world)
    with freeze_time(consultation.opens_at + timedelta(hours=1)):
        notify(app)
    link = _stop_link(mails("consultation_opened")[0])
    with freeze_time(consultation.opens_at + timedelta(hours=2)):
        tampered = client.get(link[:-3] + "xyz", headers={"Accept-Language": "vi"})
        assert tampered.status_code == 400
        assert "Đường dẫn không dùng được" in tampered.get_data(as_text=True)
        assert client.get(link).status_code == 200
        citizen.email = "dia-chi-moi@example.vn"  # the mail went to another address
        db.session.commit()
        assert client.post(link).status_code == 400
    assert services_follows(citizen) == {("ministry", world["ministry"].id)}
    citizen.email = mails("consultation_opened")[0].to_address
    db.session.commit()
    with freeze_time(consultation.opens_at + timedelta(days=400)):
        expired = client.get(link, headers={"Accept-Language": "en"})
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)


def services_follows(user) -> set:
    from portal.consultation.queries import follows_of

    db.session.expire_all()
    return follows_of(user)


# ---------------------------------------------------------------------------- changes


def test_followers_hear_what_changed_and_due_dates_follow_the_closing_day(app, world):
    consultation = world["consultation"]
    follow(world["citizen"], "consultation", consultation.id)
    english = world["association"]
    english.locale = "en"
    db.session.commit()
    follow(english, "consultation", consultation.id)
    posted = services.post_comment(world["business"], consultation, "Góp ý.", "c" * 10)
    old_closing = consultation.closes_on
    new_closing = old_closing + timedelta(days=10)
    changes = services.update_consultation(
        world["staff"],
        consultation,
        title=consultation.title,
        summary="Xin ý kiến về dự thảo, bổ sung phụ lục.",
        opens_on=consultation.opens_on,
        closes_on=new_closing,
    )
    assert set(changes) == {"summary", "closes_on"}
    assert consultation.length_days == 40
    db.session.expire_all()
    assert db.session.get(Comment, posted.id).due_at == consultation.closes_at + timedelta(days=15)
    sent = {m.to_address: m for m in mails("consultation_changed")}
    assert set(sent) == {world["citizen"].email, english.email}
    vi = sent[world["citizen"].email]
    assert vi.subject.startswith("Đợt lấy ý kiến đã thay đổi: ")
    assert f"đến hết ngày {new_closing:%d/%m/%Y}" in vi.body
    assert f"trước đây: {old_closing:%d/%m/%Y}" in vi.body
    assert "bổ sung phụ lục" in vi.body
    assert "Comments are now accepted until the end of" in sent[english.email].body
    # Saving the same values again changes nothing and mails nobody.
    services.update_consultation(
        world["staff"],
        consultation,
        title=consultation.title,
        summary=consultation.summary,
        opens_on=consultation.opens_on,
        closes_on=new_closing,
    )
    assert len(mails("consultation_changed")) == 2


def test_an_open_consultation_can_be_extended_but_not_shortened_or_moved(world):
    consultation = world["consultation"]
    values = {"title": "", "summary": "Tóm tắt.", "opens_on": consultation.opens_on}
    with pytest.raises(RuleViolation, match="không thể rút ngắn") as error:
        services.update_consultation(
            world["staff"],
            consultation,
            **values,
            closes_on=consultation.closes_on - timedelta(days=1),
        )
    assert error.value.field == "closes_on"
    with pytest.raises(RuleViolation, match="không thể thay đổi ngày bắt đầu"):
        services.update_consultation(
            world["staff"],
            consultation,
            **{**values, "opens_on": consultation.opens_on + timedelta(days=1)},
            closes_on=consultation.closes_on + timedelta(days=5),
        )
    with pytest.raises(services.NotAllowed):
        services.update_consultation(
            world["other_staff"], consultation, **values, closes_on=consultation.closes_on
        )
    close(consultation)
    with pytest.raises(RuleViolation, match="chỉ được xem"):
        services.update_consultation(
            world["staff"], consultation, **values, closes_on=local_today() + timedelta(days=40)
        )


def test_an_upcoming_consultation_moved_to_today_is_announced_as_opening(world):
    follow(world["association"], "ministry", world["ministry"].id)
    consultation = scheduled(world, days_ahead=5)
    follow(world["citizen"], "consultation", consultation.id)
    today = local_today()
    with pytest.raises(RuleViolation, match="ít nhất 30 ngày"):
        services.update_consultation(
            world["staff"],
            consultation,
            title=consultation.title,
            summary=consultation.summary,
            opens_on=today,
            closes_on=today + timedelta(days=10),
        )
    services.update_consultation(
        world["staff"],
        consultation,
        title=consultation.title,
        summary=consultation.summary,
        opens_on=today,
        closes_on=consultation.closes_on,
    )
    assert consultation.state() == "open"
    assert sorted(m.to_address for m in mails("consultation_opened")) == sorted(
        [world["association"].email, world["citizen"].email]
    )
    assert mails("consultation_changed") == []  # the opening mail is the news


def test_a_new_document_is_announced_to_the_followers(world):
    consultation = world["consultation"]
    follow(world["citizen"], "consultation", consultation.id)
    services.add_attachment(world["staff"], consultation, "phụ lục.pdf", b"%PDF-1.4 phu luc")
    [message] = mails("consultation_attachment")
    assert message.to_address == world["citizen"].email
    assert "phụ lục.pdf" in message.body
    assert f"/consultations/{consultation.id}/attachments/" in message.body


# ---------------------------------------------------------------------------- closing


def test_closing_is_announced_once_with_the_answers_due(app, world):
    consultation = world["consultation"]
    follow(world["citizen"], "consultation", consultation.id)
    services.post_comment(world["business"], consultation, "Một.", "a" * 10)
    services.post_comment(world["association"], consultation, "Hai.", "b" * 10)
    notify(app)
    assert mails("consultation_closed") == []  # still open
    close(consultation)
    assert "1 closing" in notify(app)
    notify(app)
    [message] = mails("consultation_closed")
    assert message.to_address == world["citizen"].email
    assert message.subject.startswith("Đợt lấy ý kiến đã kết thúc: ")
    assert "nhận được 2 ý kiến" in message.body
    due = consultation.closes_at + timedelta(days=15)
    from flask_babel import force_locale

    from portal.i18n import format_day

    with force_locale("vi"):
        assert f"trước ngày {format_day(due)}" in message.body
    assert mails("consultation_report") == []


def test_the_last_answer_after_closing_brings_one_all_answered_mail(app, world):
    consultation = world["consultation"]
    follow(world["citizen"], "consultation", consultation.id)
    follow(world["business"], "consultation", consultation.id)  # follows and commented
    first = services.post_comment(world["business"], consultation, "Một.", "a" * 10)
    second = services.post_comment(world["association"], consultation, "Hai.", "b" * 10)
    services.post_comment(world["citizen"], consultation, "Trả lời.", "r" * 10, parent=first)
    close(consultation)
    notify(app)
    services.answer_comment(world["staff"], first, "accepted", "Tiếp thu.")
    assert mails("consultation_report") == []  # one still unanswered
    answered = [m.to_address for m in mails("comment_answered")]
    assert sorted(answered) == sorted([world["business"].email, world["citizen"].email])
    services.answer_comment(world["staff"], second, "explained", "Giải trình.")
    # The followers (the first comment's author among them) get one mail saying so, instead of
    # another answer mail; the second comment's author hears of their own answer.
    reports = mails("consultation_report")
    assert sorted(m.to_address for m in reports) == sorted(
        [world["business"].email, world["citizen"].email]
    )
    report = reports[0]
    assert f"/consultations/{consultation.id}/summary" in report.body
    assert "tổng cộng 2" in report.body
    own = mails("comment_answered")[-1]
    assert own.to_address == world["association"].email
    assert own.subject == f"Ý kiến {second.receipt} của bạn đã được trả lời"
    assert len(mails("comment_answered")) == 3
    notify(app)
    assert len(mails("consultation_report")) == 2  # cron sends no second round


def test_a_consultation_answered_before_it_closes_sends_one_closing_mail(app, world):
    consultation = world["consultation"]
    follow(world["citizen"], "consultation", consultation.id)
    posted = services.post_comment(world["business"], consultation, "Một.", "a" * 10)
    services.answer_comment(world["staff"], posted, "accepted", "Tiếp thu.")
    close(consultation)
    notify(app)
    notify(app)
    [message] = mails("consultation_closed")
    assert "đã trả lời tất cả" in message.body and "/summary" in message.body
    assert mails("consultation_report") == []


def test_the_command_answers_the_report_if_the_answer_came_before_it_ran(app, world):
    """Closed, the closing announced, then the last answer arrives; cron finds nothing more."""
    consultation = world["consultation"]
    follow(world["citizen"], "consultation", consultation.id)
    posted = services.post_comment(world["business"], consultation, "Một.", "a" * 10)
    close(consultation)
    notify(app)
    services.answer_comment(world["staff"], posted, "accepted", "Tiếp thu.")
    notify(app)
    assert len(mails("consultation_report")) == 1


# ---------------------------------------------------------------------------- plans


def test_a_ministrys_followers_hear_of_each_step_of_its_plans(world):
    plan = world["plan"]
    plan.created_at -= timedelta(days=30)
    db.session.commit()
    follow(world["association"], "ministry", world["ministry"].id)
    follow(world["citizen"], "ministry", world["other_staff"].ministry_id)  # another ministry
    today = local_today()
    services.advance_plan(world["staff"], plan, "submitted", on=today - timedelta(days=3))
    [submitted] = mails("plan_submitted")
    assert submitted.to_address == world["association"].email
    assert submitted.subject == "Phương án đã trình Thủ tướng Chính phủ: Phương án cắt giảm năm nay"
    assert f"ngày {today - timedelta(days=3):%d/%m/%Y}" in submitted.body
    assert link_in(submitted).startswith(f"/plans/{plan.id}")
    assert "Bạn nhận được thư này vì bạn theo dõi Bộ Công Thương." in submitted.body
    services.advance_plan(world["staff"], plan, "approved", on=today, decision_number="9/QĐ-TTg")
    [approved] = mails("plan_approved")
    assert "9/QĐ-TTg" in approved.body
    for item in plan.items:
        services.complete_plan_item(world["staff"], item, today, "15/2026/NĐ-CP")
    services.advance_plan(world["staff"], plan, "implemented", on=today)
    assert len(mails("plan_implemented")) == 1
    assert all(m.to_address == world["association"].email for m in mails() if "plan_" in m.kind)


def test_a_refused_step_mails_nobody(world):
    follow(world["association"], "ministry", world["ministry"].id)
    with pytest.raises(RuleViolation):
        services.advance_plan(world["staff"], world["plan"], "approved", decision_number="x")
    db.session.rollback()
    assert [m for m in mails() if m.kind.startswith("plan_")] == []


# ---------------------------------------------------------------------------- the workspace


def test_staff_change_a_consultation_from_the_workspace(client, world, login):
    consultation = world["consultation"]
    follow(world["citizen"], "consultation", consultation.id)
    base = f"/workspace/bct/consultations/{consultation.id}"
    guest = client.get(f"{base}/edit")
    assert "/account/sign-in" in guest.headers["Location"]
    for outsider in (world["other_staff"], world["citizen"]):
        login(outsider)
        assert client.get(f"{base}/edit").status_code == 403
        assert client.post(f"{base}/edit", data={"summary": "x"}).status_code == 403
        client.post("/account/sign-out")
    login(world["staff"])
    page = client.get(base).get_data(as_text=True)
    assert f"{base}/edit" in page
    form = client.get(f"{base}/edit").get_data(as_text=True)
    assert "Xin ý kiến về dự thảo." in form and "readonly" in form
    closes = (consultation.closes_on + timedelta(days=7)).isoformat()
    data = {
        "title": "Tên mới của đợt lấy ý kiến",
        "summary": "Tóm tắt mới.",
        "opens_on": consultation.opens_on.isoformat(),
        "closes_on": closes,
    }
    shorter = {**data, "closes_on": (consultation.closes_on - timedelta(days=2)).isoformat()}
    refused = client.post(f"{base}/edit", data=shorter)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "không thể rút ngắn" in text and "Tên mới của đợt lấy ý kiến" in text
    assert "Tóm tắt mới." in text  # nothing typed is lost
    response = client.post(f"{base}/edit", data=data)
    assert response.status_code in (302, 303)
    public = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Tên mới của đợt lấy ý kiến" in public and "Tóm tắt mới." in public
    assert len(mails("consultation_changed")) == 1


def test_the_edit_form_survives_bad_values(client, world, login):
    from tests.test_bad_inputs import BAD_VALUES

    login(world["staff"])
    consultation = world["consultation"]
    path = f"/workspace/bct/consultations/{consultation.id}/edit"
    for value in [*BAD_VALUES, '<script>alert(1)</script>" onmouseover="x', "9999-12-31"]:
        response = client.post(
            path, data={"title": value, "summary": value, "opens_on": value, "closes_on": value}
        )
        assert response.status_code in (200, 302, 303, 400), value[:40]
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    title = "Tên\u200b có ký tự \u202eẩn " + "x" * 600
    response = client.post(
        path,
        data={
            "title": title,
            "summary": "Tóm tắt.",
            "opens_on": consultation.opens_on.isoformat(),
            "closes_on": consultation.closes_on.isoformat(),
        },
    )
    assert response.status_code == 400  # longer than 500 characters: kept in the form
    db.session.expire_all()
    assert db.session.get(type(consultation), consultation.id).title != title


def test_a_closed_consultation_cannot_be_changed_from_the_workspace(client, world, login):
    consultation = world["consultation"]
    close(consultation)
    login(world["staff"])
    path = f"/workspace/bct/consultations/{consultation.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "chỉ được xem" in page and 'name="summary"' not in page
    response = client.post(
        path,
        data={
            "title": "",
            "summary": "Sửa sau khi đóng.",
            "opens_on": consultation.opens_on.isoformat(),
            "closes_on": (local_today() + timedelta(days=40)).isoformat(),
        },
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(type(consultation), consultation.id).summary == "Xin ý kiến về dự thảo."


def test_sample_consultations_in_the_past_are_not_announced(app, reference):
    from portal.accounts.sample import load_sample_accounts
    from portal.consultation.sample import load_sample_consultations
    from portal.regulations.sample import load_sample

    load_sample()
    load_sample_accounts()
    load_sample_consultations()
    from portal.consultation.models import Consultation, Follow

    people = db.session.scalars(select(Comment.author_id).distinct()).all()
    for consultation in db.session.scalars(select(Consultation)):
        for person in people:
            db.session.add(
                Follow(user_id=person, target_type="consultation", target_id=consultation.id)
            )
    db.session.commit()
    notify(app)
    past = [m for m in mails() if m.kind in ("consultation_opened", "consultation_closed")]
    assert past == []
