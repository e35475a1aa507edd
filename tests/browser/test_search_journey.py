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

    # Thủ tục hành chính: 82 of the sample's matches for "dang ky", several pages of results.
    page.locator("#facet-kind + ul a[href*='kind=procedure']").click()
    page.wait_for_url(re.compile(r"kind=procedure"))
    filtered = int(re.sub(r"\D", "", page.locator(".results-summary").inner_text().split(" ")[0]))
    assert 0 < filtered < total
    assert page.locator(".facet-chosen").count() == 1
    first_page = page.locator(".result").count()
    assert 0 < first_page < filtered  # so there is a next page, and the step below always runs

    next_link = page.locator(f"a[aria-label='{labels['next']}']").first
    next_link.click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "kind=procedure" in page.url and "q=dang+ky" in page.url
    assert page.locator(".result").count() > 0
    assert page.locator("ol.result-list").get_attribute("start") == str(first_page + 1)
    assert_accessible(page)


def test_a_misspelling_shows_the_corrected_results_and_the_exact_search(page, live_server):
    page.goto(live_server + "/search?q=giay+phepp+lu+hanhh")
    notice = page.locator(".spelling-correction")
    assert "giay phep lu hanh" in notice.inner_text()
    assert page.locator(".result").count() > 0
    assert_accessible(page)
    # "Search exactly for …": the text as typed finds nothing and offers the correction.
    notice.locator("a").click()
    page.wait_for_url(re.compile(r"correct=0"))
    assert page.locator(".result").count() == 0
    suggestion = page.locator(".results a[href*='search?q=']").first
    assert suggestion.inner_text() == "giay phep lu hanh"
    suggestion.click()
    page.wait_for_load_state()
    assert page.locator(".result").count() > 0
    assert_accessible(page)
