"""Accounts in Chromium, in both languages: register → confirm → sign in → sign out; the error
summary; staff edit a regulation and find the change in its history. axe on every page."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from portal.extensions import db
from portal.mail.models import MailMessage
from tests.browser.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.browser.test_catalogue_journeys import assert_accessible

TEXT = {
    "vi": {
        "register": "Đăng ký",
        "create": "Tạo tài khoản",
        "sign_in": "Đăng nhập",
        "sign_out": "Đăng xuất",
        "problem": "Có lỗi",
        "error": "Lỗi:",
        "confirmed": "đã xác nhận",
        "business": "Doanh nghiệp",
        "save": "Lưu",
        "edit": "Sửa",
    },
    "en": {
        "register": "Register",
        "create": "Create the account",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "problem": "There is a problem",
        "error": "Error:",
        "confirmed": "confirmed",
        "business": "Business",
        "save": "Save",
        "edit": "Edit",
    },
}
PASSWORD = "Một mật khẩu dài cho doanh nghiệp"


def outbox_link(app, email: str) -> str:
    with app.app_context():
        message = db.session.scalar(
            select(MailMessage)
            .where(MailMessage.to_address == email)
            .order_by(MailMessage.id.desc())
        )
        db.session.remove()
    return re.search(r"https?://\S+", message.body).group(0)


def test_register_confirm_sign_in_and_out(page, live_server, live_app):
    text = TEXT[page.language]
    email = f"dn-{uuid.uuid4().hex[:8]}@thucpham.vn"
    page.goto(live_server + "/")
    page.locator(".account-links").get_by_role("link", name=text["register"]).click()
    page.wait_for_url("**/account/register")
    assert_accessible(page)
    page.get_by_label(text["business"], exact=True).check()
    page.locator("#display_name").fill("Trương Thị Ngọc")
    page.locator("#organisation").fill("Công ty TNHH Thực phẩm An Khang")
    page.locator("#tax_code").fill("0109876543")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.locator("#consent").check()
    page.get_by_role("button", name=text["create"]).click()
    page.wait_for_url("**/account")
    assert_accessible(page)

    page.goto(outbox_link(live_app, email))
    assert page.locator(".badge-ok", has_text=text["confirmed"]).is_visible()
    page.locator(".account-links").get_by_role("button", name=text["sign_out"]).click()
    page.wait_for_url(live_server + "/")
    assert page.locator(".account-links").get_by_role("link", name=text["sign_in"]).is_visible()

    page.goto(live_server + "/account/sign-in")
    page.locator("#email").fill(email.upper())
    page.locator("#password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=text["sign_in"]).click()
    page.wait_for_load_state()
    assert page.locator(".account-links").get_by_text("Trương Thị Ngọc").is_visible()
    assert_accessible(page)


def test_the_error_summary_takes_focus_and_links_to_each_field(page, live_server):
    text = TEXT[page.language]
    page.goto(live_server + "/account/register")
    page.get_by_role("button", name=text["create"]).click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading", name=text["problem"]).is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith(text["error"])
    links = summary.locator("a")
    assert links.count() >= 3
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")[1:]
        assert page.locator(f"[id='{target}']").count() == 1
    links.first.click()
    assert page.evaluate("document.activeElement.id") in ("display_name", "email", "password")
    assert_accessible(page)


def test_staff_edit_a_regulation_and_find_it_in_the_history(page, live_server):
    text = TEXT[page.language]
    page.goto(live_server + "/account/sign-in")
    page.locator("#email").fill(STAFF_EMAIL)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("main").get_by_role("button", name=text["sign_in"]).click()
    page.wait_for_load_state()
    page.goto(live_server + "/workspace/byt?show=all")
    assert_accessible(page)
    row = page.locator("table tbody tr").first
    code = row.locator("td").first.inner_text().strip()
    row.get_by_role("link", name=re.compile(text["edit"])).click()
    page.wait_for_url(f"**/regulations/{code}/edit")
    assert_accessible(page)
    note = f"Rút ngắn thời gian giải quyết ({page.language})"
    page.locator("#time_hours").fill("6" if page.language == "vi" else "7")
    page.locator("#frequency").fill("1")
    page.locator("#subjects").fill("1200")
    page.locator("#note").fill(note)
    page.get_by_role("button", name=text["save"], exact=True).click()
    page.wait_for_url(f"**/regulations/{code}")
    history = page.locator(".timeline")
    assert history.get_by_text(note).is_visible()
    assert history.get_by_text("Ngô Thị Thu").first.is_visible()
    assert_accessible(page)
