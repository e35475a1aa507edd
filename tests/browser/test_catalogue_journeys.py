"""Key journeys in Chromium, in Vietnamese and English, with axe accessibility checks."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
LABELS = {
    "vi": {
        "lookup": "Tra cứu",
        "space": "Không gian thể chế",
        "apply": "Lọc",
        "basis": "Căn cứ pháp lý",
        "history": "Lịch sử",
        "showing": "Hiển thị",
    },
    "en": {
        "lookup": "Lookup",
        "space": "Institutional space",
        "apply": "Apply filters",
        "basis": "Legal basis",
        "history": "History",
        "showing": "Showing",
    },
}


def assert_accessible(page) -> None:
    results = AXE.run(page)
    serious = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_home_page_shows_the_institutional_space(page, live_server):
    labels = LABELS[page.language]
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == page.language
    assert page.get_by_role("heading", name=labels["space"]).is_visible()
    rows = page.locator("section[aria-labelledby=space-heading] tbody tr")
    assert rows.count() >= 3
    assert page.get_by_role("note").is_visible()  # the sample-data banner
    assert_accessible(page)


def test_filter_the_list_and_open_a_regulation(page, live_server):
    labels = LABELS[page.language]
    page.goto(live_server + "/")
    page.get_by_role("navigation", name=re.compile("menu|điều hướng", re.I)).get_by_role(
        "link", name=labels["lookup"]
    ).click()
    page.wait_for_url("**/regulations")
    total_before = page.locator(".results-summary").inner_text()
    page.locator("#kind-procedure").check()
    page.select_option("#filter-ministry", "bkhdt")
    page.get_by_role("button", name=labels["apply"]).click()
    page.wait_for_url(re.compile(r"kind=procedure.*ministry=bkhdt|ministry=bkhdt.*kind=procedure"))
    summary = page.locator(".results-summary").inner_text()
    assert summary.startswith(labels["showing"]) and summary != total_before
    assert page.locator("#kind-procedure").is_checked()
    assert_accessible(page)

    page.locator(".result-title a").first.click()
    page.wait_for_url(re.compile(r"/regulations/BKHDT-TTHC-\d+"))
    assert page.get_by_role("heading", name=labels["basis"]).is_visible()
    assert page.get_by_role("heading", name=labels["history"]).is_visible()
    assert page.locator(".breadcrumbs li").count() >= 3
    assert_accessible(page)


def test_language_switch_keeps_the_page(page, live_server):
    page.goto(live_server + "/regulations?kind=condition&status=in_force")
    other = "en" if page.language == "vi" else "vi"
    page.locator(f".language-switch a[hreflang={other}]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == other
    assert "kind=condition" in page.url and "status=in_force" in page.url
    page.goto(live_server + "/ministries/bgtvt")
    assert page.locator("html").get_attribute("lang") == other  # the choice is remembered
    assert_accessible(page)


def test_document_page_is_accessible(page, live_server):
    page.goto(live_server + "/documents")
    page.locator("table a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text()
    assert_accessible(page)
