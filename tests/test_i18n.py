"""Language choice, formatting and the completeness of the Vietnamese catalog."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from portal import i18n

ROOT = Path(__file__).resolve().parent.parent


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_vietnamese_is_the_default(client):
    response = client.get("/")
    assert html_lang(response) == "vi"
    assert "Tra cứu" in response.get_data(as_text=True)


def test_browser_language_is_used_when_nothing_was_chosen(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert html_lang(response) == "en"
    assert "Lookup" in response.get_data(as_text=True)
    assert html_lang(client.get("/", headers={"Accept-Language": "fr, de"})) == "vi"
    assert html_lang(client.get("/", headers={"Accept-Language": "*;q=0"})) == "vi"


def test_language_switch_is_remembered_and_keeps_the_page(client):
    response = client.get("/language/en?next=/regulations?kind=procedure%26page=1")
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/regulations?kind=procedure&page=1"
    cookie = response.headers["Set-Cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/regulations", headers={"Accept-Language": "vi"})
    assert html_lang(page) == "en"
    client.get("/language/vi?next=/")
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "vi"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "/\\evil.com",
        "///evil.com",
        "https:evil.com",
        "\x01//evil.com",
        "javascript:alert(1)",
        "http://evil.com",
        "",
        "/\t/evil.com",
    ],
)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("code", ["xx", "..", "EN", "vi-VN"])
def test_unknown_languages_are_ignored(client, code):
    response = client.get(f"/language/{code}?next=/")
    assert "lang=" not in response.headers.get("Set-Cookie", "")
    assert html_lang(client.get("/")) == "vi"


def test_the_language_switch_links_back_to_the_current_page(client):
    html = client.get("/regulations?kind=procedure").get_data(as_text=True)
    assert 'href="/language/en?next=/regulations?kind%3Dprocedure"' in html


def test_numbers_money_and_dates_follow_the_locale(app):
    with app.test_request_context("/"):
        with force_locale("vi"):
            assert i18n.format_number(1758) == "1.758"
            assert i18n.format_percent(0.6719) == "67,19 %"
            assert i18n.format_day(date(2026, 11, 22)) == "22/11/2026"
            assert i18n.format_billions(401_597_486_000_000) == "401.597,49 tỷ đồng"
            assert i18n.format_vnd(1_500_000) == "1.500.000 đồng"
            # 23:30 UTC is already the next day in Vietnam.
            assert (
                i18n.format_moment(datetime(2026, 11, 21, 23, 30, tzinfo=UTC)) == "22/11/2026 06:30"
            )
        with force_locale("en"):
            assert i18n.format_number(1758) == "1,758"
            assert i18n.format_percent(0.6719) == "67.19%"
            assert i18n.format_day(date(2026, 11, 22)) == "22 Nov 2026"
            assert i18n.format_vnd(1_500_000) == "1,500,000 VND"


def _catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_the_vietnamese_catalog_is_complete_and_has_no_fuzzy_entries():
    catalog = _catalog("vi")
    untranslated = [
        m.id for m in catalog if m.id and not (all(m.string) if m.pluralizable else m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def _key(message) -> tuple:
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


def test_every_message_in_the_code_is_in_the_catalogs(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "lazy_ngettext:1,2",
            "-k",
            "_lp:1c,2",
            "-k",
            "lazy_pgettext:1c,2",
            "-k",
            "pgettext:1c,2",
            # Marked for later translation (API documentation, lazy labels).
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = {_key(m) for m in read_po(handle) if m.id}
    for lang in ("vi", "en"):
        known = {_key(m) for m in _catalog(lang) if m.id}
        missing = sorted(extracted - known)
        assert missing == [], f"{lang}: run `make translations-update` and translate {missing[:5]}"
