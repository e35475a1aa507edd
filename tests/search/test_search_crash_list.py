"""The reliability guide's crash list (§3 items 1, 4-12, 14-15) against /search: never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import regulation_row

CRASH_LIST = [
    '"',
    "(",
    "((((",
    ")",
    "AND",
    "OR OR",
    "NOT",
    "a AND",
    "*",
    "*a",
    "?",
    "title:",
    "nope:x",
    "a:b:c",
    "^",
    "a~x",
    "{a TO b]",
    "\\",
    "issued:[x TO y]",
    "issued:2020-13-45",
    "issued:yesterday",
    "q" * 10_000,
    "thuế " * 2_000,
    "a" * 5_000,
    "\x00",
    "\x07",
    "\b",
    "\u200b\u200c\u200d\ufeff\u00a0",
    "Công ty \u202eABC",
    "thue\u0301",
    "Nghi\u0323 đi\u0323nh",
    "NghÞ ®Þnh",
    "<script>alert(1)</script>",
    '" onmouseover=alert(1) x="',
    "JaVaScRiPt&#58;x",
    "👨‍👩‍👧‍👦 🇻🇳",
    "' OR 1=1 --",
    "NEAR(a b",
    "-x",
    "15/2018/NĐ-CP/",
    "NĐ 15/",
    "//",
    "%",
    "giấy phép " * 30,
]


@pytest.fixture
def data(make_regulations):
    make_regulations(
        *[regulation_row(f"Q-{n:02d}", title=f"Cấp giấy phép thuế số {n}") for n in range(30)]
    )


@pytest.mark.parametrize("query", CRASH_LIST)
def test_any_query_is_safe(client, data, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert '" onmouseover=alert(1)' not in body


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3", "99999", "99999999999999999999"])
def test_bad_page_numbers(client, data, page):
    response = client.get("/search", query_string={"q": "giay phep", "page": page})
    assert response.status_code == 404


def test_long_queries_say_they_were_shortened(client, data):
    body = client.get("/search", query_string={"q": "thuế " * 2_000}).get_data(as_text=True)
    assert "200" in body and ("rút gọn" in body or "shortened" in body)
    body = client.get("/search", query_string={"q": " ".join(f"t{n}" for n in range(30))}).get_data(
        as_text=True
    )
    assert "16" in body
