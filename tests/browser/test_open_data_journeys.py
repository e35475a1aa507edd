"""Open data in Chromium, in both languages, with axe: the files page and a download, the API
reference, and a staff member making, using and revoking an API token."""

from __future__ import annotations

import re

from tests.browser.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.browser.test_catalogue_journeys import assert_accessible
from tests.browser.test_consultation_journeys import TEXT as CONSULTATION_TEXT
from tests.browser.test_consultation_journeys import sign_in

TEXT = {
    "vi": {
        "footer": "Dữ liệu mở và API",
        "title": "Dữ liệu mở",
        "reference": "Tài liệu API",
        "operation": "Danh sách quy định",
        "account": "Ngô Thị Thu",
        "tokens": "Mã truy cập API để ghi dữ liệu qua API",
        "name": "Tên mã truy cập",
        "make": "Tạo mã",
        "new": "Mã truy cập mới của bạn",
        "revoke": "Thu hồi",
        "revoked": "đã thu hồi",
        "unauthorized": "thu hồi",
    },
    "en": {
        "footer": "Open data and API",
        "title": "Open data",
        "reference": "API reference",
        "operation": "List regulations",
        "account": "Ngô Thị Thu",
        "tokens": "API tokens for writing through the API",
        "name": "Name of the token",
        "make": "Make the token",
        "new": "Your new token",
        "revoke": "Revoke",
        "revoked": "revoked",
        "unauthorized": "revoked",
    },
}


def test_the_files_page_a_download_and_the_api_reference(page, live_server):
    text = TEXT[page.language]
    page.goto(live_server + "/")
    page.locator("footer").get_by_role("link", name=text["footer"]).click()
    page.wait_for_url("**/data")
    assert page.get_by_role("heading", name=text["title"], exact=True).is_visible()
    assert page.locator("code.hash").count() == 8
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="regulations.csv").click()
    download = info.value
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith("\ufeffcode,kind,title".encode())
    assert "Bộ Y tế".encode() in content or b"byt" in content
    page.get_by_role("link", name=text["reference"]).first.click()
    page.wait_for_url("**/api/docs")
    assert page.get_by_role("heading", name=text["reference"], level=1).is_visible()
    assert page.get_by_role("heading", name=re.compile(text["operation"])).first.is_visible()
    assert_accessible(page)


def test_staff_make_use_and_revoke_an_api_token(page, live_server):
    text = TEXT[page.language]
    sign_in(page, live_server, STAFF_EMAIL, STAFF_PASSWORD, CONSULTATION_TEXT[page.language])
    page.locator(".account-links").get_by_role("link", name=text["account"]).click()
    page.get_by_role("link", name=text["tokens"]).click()
    page.wait_for_url("**/account/api-tokens")
    assert_accessible(page)
    page.get_by_label(text["name"]).fill(f"Hệ thống CSDL TTHC ({page.language})")
    page.get_by_role("button", name=text["make"]).click()
    assert page.get_by_role("heading", name=text["new"]).is_visible()
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("qdkd_")
    assert_accessible(page)

    row = {
        "code": f"BYT-API-{page.language.upper()}",
        "kind": "procedure",
        "title": "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "ministry": "byt",
        "field": "An toàn thực phẩm",
        "status": "in_force",
        "published": True,
        "legal_basis": "15/2018/NĐ-CP Điều 11",
        "content": "Cơ sở nộp hồ sơ đến cơ quan có thẩm quyền.",
    }
    headers = {"Authorization": f"Bearer {secret}"}
    answer = page.request.post(
        live_server + "/api/v1/regulations?dry_run=1", data={"regulations": [row]}, headers=headers
    )
    assert answer.status == 200, answer.text()
    assert answer.json()["created"] == 1 and answer.json()["dry_run"] is True

    page.reload()  # the token is not shown again, and no second one is made
    assert page.locator("#new-token").count() == 0
    assert page.locator("tbody tr", has_text=f"({page.language})").count() == 1
    token_row = page.locator("tbody tr", has_text=f"({page.language})")
    token_row.get_by_role("button", name=re.compile(text["revoke"])).click()
    page.wait_for_load_state()
    assert (
        page.locator("tbody tr", has_text=f"({page.language})")
        .get_by_text(text["revoked"], exact=True)
        .is_visible()
    )
    refused = page.request.post(
        live_server + "/api/v1/regulations?dry_run=1",
        data={"regulations": [row]},
        headers={**headers, "Accept-Language": page.language},
    )
    assert refused.status == 401
    assert text["unauthorized"] in refused.json()["message"]
