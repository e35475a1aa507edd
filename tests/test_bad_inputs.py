"""The reliability guide's bad inputs (§3) against every list and detail route: never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import regulation_row

LIST_ROUTES = [
    "/regulations",
    "/documents",
    "/documents/54-2017-nd-cp",
    "/ministries",
    "/fields",
    "/",
    "/regulations/export.csv",
]
BAD_VALUES = [
    "0",
    "-1",
    "abc",
    "1e3",
    "99999",
    "99999999999999999999",
    "9" * 5000,  # int() refuses strings of over 4,300 digits
    "²",  # str.isdigit() accepts it, int() does not
    "٢٠٢٢",  # Arabic-Indic digits
    "%00",
    "\x00",
    "\x07",
    "thue\u0301",
    "Nghi\u0323 đi\u0323nh",
    "\u200b\u202e",
    "\ufeff1",
    "<script>alert(1)</script>",
    '" onmouseover=alert(1) x="',
    "' OR 1=1 --",
    "../..%2f",
    "a" * 10_000,
    "👨‍👩‍👧‍👦🇻🇳",
    "title;drop",
    "__class__",
    "password_hash",
    "*",
    "31/02/2024",
]
PARAMS = [
    "page",
    "per_page",
    "kind",
    "ministry",
    "field",
    "status",
    "document",
    "sort",
    "published",
    "type",
]


@pytest.fixture
def data(make_regulations):
    # More than a page, so that pagination and filter links are built from the arguments.
    make_regulations(
        regulation_row("BYT-TTHC-001", ministry="byt", legal_basis="54/2017/NĐ-CP"),
        *[
            regulation_row(f"BYT-TTHC-{n:03d}", ministry="byt", legal_basis="54/2017/NĐ-CP")
            for n in range(2, 26)
        ],
    )


@pytest.mark.parametrize("route", LIST_ROUTES)
@pytest.mark.parametrize("param", PARAMS)
def test_list_routes_survive_bad_parameters(client, data, route, param):
    for value in BAD_VALUES:
        path, _, preset = route.partition("?")
        query = dict(pair.split("=") for pair in preset.split("&")) if preset else {}
        query[param] = value
        response = client.get(path, query_string=query)
        body = response.get_data(as_text=True)  # also runs a streamed download to its end
        assert response.status_code in (200, 404), (route, param, value, response.status_code)
        if response.status_code == 200 and route != "/regulations/export.csv":
            assert "<script>alert(1)</script>" not in body
            assert '" onmouseover=alert(1)' not in body


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_invalid_utf8_and_lone_surrogates_in_the_query_string(client, data, route):
    for raw in ("%ED%A0%80", "%FF%FE", "%C0%AF", "%E2%80"):
        for param in ("kind", "ministry", "document", "page", "sort"):
            joiner = "&" if "?" in route else "?"
            response = client.get(f"{route}{joiner}{param}={raw}")
            response.get_data()
            assert response.status_code in (200, 404), (route, param, raw)


@pytest.mark.parametrize(
    "path",
    [
        "/regulations/NOPE",
        "/regulations/%00",
        "/regulations/..%2f..%2fetc",
        "/regulations/" + "A" * 5000,
        "/regulations/thu%CC%89-tuc",
        "/regulations/<script>",
        "/ministries/XYZ",
        "/ministries/%00",
        "/ministries/B%E1%BB%99%20T%C3%A0i%20ch%C3%ADnh",
        "/ministries/..%2f",
        "/ministries/" + "b" * 5000,
        "/documents/%00",
        "/documents/x" * 50,
        "/fields/%00",
        "/fields/" + "đ" * 3000,
        "/regulations/export.pdf",
        "/search/x",
    ],
)
def test_unknown_or_odd_codes_are_404(client, data, path):
    assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/regulations/", None),
        ("/regulations/byt-tthc-001", "/regulations/BYT-TTHC-001"),
        ("/regulations/BYT-TTHC-001%00", "/regulations/BYT-TTHC-001"),
        ("/ministries/BYT", "/ministries/byt"),
    ],
)
def test_near_misses_redirect_to_the_canonical_page(client, data, path, target):
    response = client.get(path)
    if target is None:
        assert response.status_code in (301, 308, 404)
    else:
        assert response.status_code in (301, 308)
        assert response.headers["Location"].endswith(target)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3", "99999", "99999999999999999999", "1.5"])
def test_bad_page_numbers_are_a_clear_404(client, data, page):
    response = client.get("/regulations", query_string={"page": page})
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(
        as_text=True
    ) or "Page not found" in response.get_data(as_text=True)


def test_per_page_is_capped(client, make_regulations):
    make_regulations(*[regulation_row(f"C-{n:03d}") for n in range(120)])
    html = client.get("/regulations?per_page=100000").get_data(as_text=True)
    assert html.count('class="result"') == 20
    html = client.get("/regulations?per_page=100").get_data(as_text=True)
    assert html.count('class="result"') == 100


def test_nfd_filter_values_match_nfc_data(client, data):
    response = client.get("/regulations", query_string={"status": "dư\u0323 tha\u0309o"})
    assert response.status_code == 200
    assert "bỏ qua" not in response.get_data(as_text=True)


def test_wrong_methods_are_405_not_500(client):
    assert client.post("/regulations").status_code in (400, 405)
    assert client.delete("/").status_code == 405
