"""Consultation in Chromium, in both languages, with axe: a member comments, staff answer in
public, the member rates the answer; three reports hide a comment."""

from __future__ import annotations

import re
import uuid

from tests.browser.conftest import (
    CONSULTATION_TITLE,
    MEMBER_PASSWORD,
    MEMBERS,
    STAFF_EMAIL,
    STAFF_PASSWORD,
)
from tests.browser.test_catalogue_journeys import assert_accessible

TEXT = {
    "vi": {
        "sign_in": "Đăng nhập",
        "send": "Gửi ý kiến",
        "answer": "Trả lời chính thức",
        "publish": "Công bố câu trả lời",
        "rate": "Đánh giá câu trả lời",
        "report": "Báo cáo vi phạm",
        "send_report": "Gửi báo cáo",
        "sign_out": "Đăng xuất",
        "partly": "Tiếp thu một phần",
        "receipt": "Mã tiếp nhận",
        "hidden": "đang tạm ẩn",
        "rated": "4/5",
        "consultation": "Tham vấn",
    },
    "en": {
        "sign_in": "Sign in",
        "send": "Send the comment",
        "answer": "Answer officially",
        "publish": "Publish the answer",
        "rate": "Rate the answer",
        "report": "Report",
        "send_report": "Send the report",
        "sign_out": "Sign out",
        "partly": "Partly accepted",
        "receipt": "Receipt no.",
        "hidden": "hidden while",
        "rated": "4 out of 5",
        "consultation": "Consultation",
    },
}


def sign_in(page, base, email, password, text):
    page.goto(base + "/account/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main").get_by_role("button", name=text["sign_in"]).click()
    page.wait_for_load_state()


def sign_out(page, text):
    page.locator(".account-links").get_by_role("button", name=text["sign_out"]).click()
    page.wait_for_load_state()


def open_consultation(page, base, text):
    page.goto(base + "/")
    page.get_by_role("navigation", name=re.compile("menu|Trình đơn|điều hướng", re.I)).get_by_role(
        "link", name=text["consultation"]
    ).click()
    page.wait_for_url("**/consultations")
    assert_accessible(page)
    page.get_by_role("link", name=CONSULTATION_TITLE).click()
    page.wait_for_url(re.compile(r"/consultations/\d+$"))


def test_comment_answer_and_rate(page, live_server):
    text = TEXT[page.language]
    words = f"Đề nghị rút ngắn thời hạn xác nhận quảng cáo xuống 05 ngày ({uuid.uuid4().hex[:6]})."
    sign_in(page, live_server, MEMBERS[1], MEMBER_PASSWORD, text)
    open_consultation(page, live_server, text)
    assert_accessible(page)
    page.locator("#body").fill(words)
    page.get_by_role("button", name=text["send"]).click()
    page.wait_for_load_state()
    comment = page.locator("article.comment", has_text=words)
    assert comment.get_by_text(text["receipt"]).is_visible()
    consultation_url = page.url.split("#")[0]
    sign_out(page, text)

    sign_in(page, live_server, STAFF_EMAIL, STAFF_PASSWORD, text)
    page.goto(consultation_url)
    page.locator("article.comment", has_text=words).get_by_role("link", name=text["answer"]).click()
    page.wait_for_url(re.compile(r"/comments/\d+/answer"))
    assert_accessible(page)
    page.get_by_label(re.compile(text["partly"])).check()
    page.locator("#body").fill("Bộ tiếp thu một phần: thời hạn rút xuống 07 ngày làm việc.")
    page.get_by_role("button", name=text["publish"]).click()
    page.wait_for_load_state()
    assert page.locator(".official-answer", has_text="07 ngày làm việc").last.is_visible()
    sign_out(page, text)

    sign_in(page, live_server, MEMBERS[1], MEMBER_PASSWORD, text)
    page.goto(consultation_url)
    answer = page.locator("li", has=page.locator("article.comment", has_text=words)).locator(
        ".official-answer"
    )
    answer.locator("label", has_text="4").click()
    answer.get_by_role("button", name=text["rate"]).click()
    page.wait_for_load_state()
    assert page.locator(".official-answer", has_text=text["rated"]).first.is_visible()
    assert_accessible(page)
    sign_out(page, text)


def test_three_reports_hide_a_comment(page, live_server):
    text = TEXT[page.language]
    words = f"Bán hàng giá rẻ, liên hệ ngay ({uuid.uuid4().hex[:6]})"
    sign_in(page, live_server, MEMBERS[0], MEMBER_PASSWORD, text)
    open_consultation(page, live_server, text)
    page.locator("#body").fill(words)
    page.get_by_role("button", name=text["send"]).click()
    page.wait_for_load_state()
    consultation_url = page.url.split("#")[0]
    sign_out(page, text)
    for email in MEMBERS[1:]:
        sign_in(page, live_server, email, MEMBER_PASSWORD, text)
        page.goto(consultation_url)
        page.locator("article.comment", has_text=words).get_by_role(
            "link", name=re.compile(text["report"])
        ).click()
        page.wait_for_url(re.compile(r"/comments/\d+/report"))
        assert_accessible(page)
        page.locator("#reason").fill("Quảng cáo, không liên quan.")
        page.get_by_role("button", name=text["send_report"]).click()
        page.wait_for_load_state()
        sign_out(page, text)
    page.goto(consultation_url)
    assert page.get_by_text(words).count() == 0
    assert page.get_by_text(re.compile(text["hidden"])).first.is_visible()
