"""Searching in Chromium: accent-less text, a facet, the next page; both languages; axe."""

from __future__ import annotations

import re

from tests.browser.test_catalogue_journeys import assert_accessible

LABELS = {
    "vi": {"search": "Tìm kiếm", "results": "kết quả", "next": "Trang sau"},
    "en": {"search": "Search", "results": "result", "next": "Next page"},
}


def test_search_filter_and_page(page, live_server):
    labels = LABELS[page.language]
    page.goto(live_server + "/")
    box = page.locator("#site-search")
    box.fill("dang ky")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=dang\+ky"))
    summary = page.locator(".results-summary").inner_text()
    assert labels["results"] in summary
    total = int(re.sub(r"\D", "", summary.split(" ")[0]))
    assert total > 20
    assert page.locator(".result mark").count() > 0  # highlighted "Đăng ký"
    assert_accessible(page)

    page.locator("#facet-kind + ul a").first.click()
    page.wait_for_url(re.compile(r"kind="))
    filtered = int(re.sub(r"\D", "", page.locator(".results-summary").inner_text().split(" ")[0]))
    assert 0 < filtered < total
    assert page.locator(".facet-chosen").count() == 1

    if page.locator(f"a[aria-label='{labels['next']}']").count():
        page.locator(f"a[aria-label='{labels['next']}']").first.click()
        page.wait_for_url(re.compile(r"page=2"))
        assert "kind=" in page.url and "q=dang+ky" in page.url
    assert_accessible(page)


def test_a_misspelling_gets_suggestions(page, live_server):
    page.goto(live_server + "/search?q=giay+phepp")
    link = page.locator(".results a[href*='search?q=']").first
    assert link.count() == 1
    link.click()
    page.wait_for_load_state()
    assert page.locator(".result").count() > 0
    assert_accessible(page)
