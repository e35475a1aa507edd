"""The reform-effort pages in Chromium, in both languages, with axe."""

from __future__ import annotations

import re

from tests.browser.test_catalogue_journeys import assert_accessible

TEXT = {
    "vi": {
        "menu": "Nỗ lực cải cách",
        "title": "Đánh giá nỗ lực cải cách quy định kinh doanh",
        "indicator": "T1 — Tỷ lệ công khai",
        "records": "xem dữ liệu",
    },
    "en": {
        "menu": "Reform effort",
        "title": "Assessment of business-regulation reform effort",
        "indicator": "T1 — Publication rate",
        "records": "see the records",
    },
}


def test_ranking_ministry_and_evidence(page, live_server):
    text = TEXT[page.language]
    page.goto(live_server + "/")
    page.get_by_role("navigation", name=re.compile("menu|Trình đơn|điều hướng", re.I)).get_by_role(
        "link", name=text["menu"]
    ).click()
    page.wait_for_url("**/reform")
    assert page.get_by_role("heading", name=text["title"]).is_visible()
    rows = page.locator(".ranking-table tbody tr")
    assert rows.count() >= 19
    assert page.locator(".ranking-table .band").first.inner_text().strip() != ""
    page.wait_for_function("document.querySelector('canvas[data-chart]').width > 0")
    assert_accessible(page)
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(r"/reform/[a-z]+\?period=\d{4}"))
    assert page.get_by_text(text["indicator"]).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(text["records"])).first.click()
    page.wait_for_url(re.compile(r"/evidence/T1"))
    assert_accessible(page)
    page.goto(live_server + "/reform/figures")
    assert_accessible(page)
    page.goto(live_server + "/reform/methodology")
    assert_accessible(page)
