"""The bad-input list (reliability guide §3) against the account, workspace and admin forms
and filters: never a 500, nothing executable echoed back, a clear message."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, regulation_row
from tests.test_bad_inputs import BAD_VALUES

ADMIN_LISTS = [
    ("/admin/users", ["q", "role", "status", "ministry", "page", "per_page"]),
    ("/admin/audit", ["action", "who", "ministry", "from", "to", "page"]),
    ("/admin/audit/export.csv", ["action", "who", "from", "to"]),
    ("/admin/fields", ["page"]),
    ("/admin/mail", ["page"]),
    ("/workspace/bvhttdl", ["show", "page", "per_page"]),
    ("/workspace/bvhttdl/documents", ["page"]),
    ("/regulations", ["published"]),
]

XSS = '<script>alert(1)</script>" onmouseover="alert(1)'


@pytest.fixture
def admin_client(client, create_user, login, make_regulations):
    make_regulations(regulation_row("BVH-1"), regulation_row("BVH-2", published="0"))
    login(create_user("admin"))
    return client


@pytest.mark.parametrize(("route", "params"), ADMIN_LISTS)
def test_admin_and_workspace_lists_survive_bad_parameters(admin_client, route, params):
    for param in params:
        for value in BAD_VALUES:
            response = admin_client.get(route, query_string={param: value})
            body = response.get_data(as_text=True)
            assert response.status_code in (200, 404), (route, param, value)
            if route.endswith(".csv"):
                continue
            assert "<script>alert(1)</script>" not in body
            assert '" onmouseover=alert(1)' not in body


@pytest.mark.parametrize("value", [*BAD_VALUES, XSS, "A@X.VN", "a@x.vn\n", "ä@bücher.vn"])
def test_forms_survive_bad_values(client, reference, value):
    pages = [
        (
            "/account/register",
            {
                "member_type": value,
                "display_name": value,
                "email": value,
                "password": value,
                "confirm": value,
                "tax_code": value,
                "member_firms": value,
                "organisation": value,
                "locale": value,
                "sector": value,
                "consent": value,
            },
        ),
        ("/account/sign-in", {"email": value, "password": value, "next": value}),
        ("/account/forgot-password", {"email": value}),
        ("/account/reset/" + "x" * 20, {"password": value, "confirm": value}),
    ]
    for path, data in pages:
        response = client.post(path, data=data)
        assert response.status_code in (200, 302, 303, 400, 429), (path, value)
        body = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body


def test_workspace_forms_survive_bad_values(client, create_user, login, make_regulations):
    make_regulations(regulation_row("BVH-1"))
    login(create_user("staff", ministry="bvhttdl"))
    for value in [*BAD_VALUES, XSS]:
        data = dict.fromkeys(
            (
                "code",
                "kind",
                "title",
                "field",
                "status",
                "legal_basis",
                "content",
                "time_hours",
                "cost_vnd",
                "frequency",
                "subjects",
                "document_number",
                "note",
            ),
            value,
        )
        for path in (
            "/workspace/bvhttdl/regulations/new",
            "/workspace/bvhttdl/regulations/BVH-1/edit",
            "/workspace/bvhttdl/documents/new",
        ):
            response = client.post(
                path,
                data={
                    **data,
                    "number": value,
                    "doc_type": value,
                    "issued_date": value,
                    "effective_date": value,
                },
            )
            assert response.status_code in (302, 303, 400), (path, value)
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
        response = client.post(
            "/workspace/bvhttdl/regulations/BVH-1/abolish",
            data={"event_date": value, "document_number": value, "note": value},
        )
        assert response.status_code in (302, 303, 400), value


@pytest.mark.parametrize(
    "date", ["31/02/2024", "2024-02-30", "03/05/2024", "9999-12-31", "0000-00-00", "1700000000"]
)
def test_malformed_dates_in_the_abolition_form(client, create_user, login, make_regulations, date):
    make_regulations(regulation_row("BVH-1"))
    login(create_user("staff", ministry="bvhttdl"))
    response = client.post(
        "/workspace/bvhttdl/regulations/BVH-1/abolish",
        data={"event_date": date, "document_number": "15/2026/NĐ-CP"},
    )
    assert response.status_code == 400
    assert "Có lỗi" in response.get_data(as_text=True)


def test_a_ten_megabyte_body_is_413(client, create_user, login):
    login(create_user())
    response = client.post(
        "/account/profile", data={"display_name": "x" * (10 * 1024 * 1024), "password": PASSWORD}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/workspace/%00",
        "/workspace/bvhttdl/regulations/%00/edit",
        "/workspace/bvhttdl/documents/%00/edit",
        "/admin/ministries/%00",
        "/admin/users/99999999999",
        "/feeds/answers.atom?ministry=%00",
    ],
)
def test_nul_and_odd_segments_in_signed_in_routes(admin_client, path):
    assert admin_client.get(path).status_code in (200, 404), path
