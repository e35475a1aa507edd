"""The reliability guide's bad inputs against every API route: a JSON 400 or 404, never a 500,
and never an HTML page."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.test_bad_inputs import BAD_VALUES

ROUTES = {
    "/api/v1/regulations": ["kind", "ministry", "field", "status", "document", "q", "sort"],
    "/api/v1/documents": ["type", "issuer"],
    "/api/v1/ministries": [],
    "/api/v1/fields": [],
    "/api/v1/consultations": ["state", "subject", "ministry", "field"],
    "/api/v1/plans": ["year", "ministry", "status"],
    "/api/v1/reform/scores": ["period"],
    "/api/v1/consultations/1/comments": [],
}
COMMON = ["limit", "cursor", "sort", "__class__"]
PATHS = [
    "/api/v1/regulations/{}",
    "/api/v1/documents/{}",
    "/api/v1/ministries/{}",
    "/api/v1/fields/{}",
    "/api/v1/reform/scores/{}",
    "/api/v1/downloads/{}.csv",
    "/api/v1/consultations/{}",
    "/api/v1/plans/{}",
]


def _assert_json_error_or_ok(response, where):
    assert response.status_code in (200, 400, 404), (where, response.status_code)
    assert response.mimetype == "application/json", where
    body = response.get_json()
    if response.status_code != 200:
        assert body["code"] in ("invalid_parameter", "invalid_cursor", "not_found"), where
        assert body["message"], where


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_list_routes_answer_bad_parameters_with_json(client, world, route):
    for param in [*ROUTES[route], *COMMON]:
        for value in BAD_VALUES:
            response = client.get(route, query_string={param: value})
            _assert_json_error_or_ok(response, (route, param, value[:20]))


@pytest.mark.parametrize("template", PATHS)
def test_detail_routes_answer_bad_identifiers_with_json(client, world, template):
    for value in BAD_VALUES:
        if value in ("%00", "\x00", "\x07") or "/" in value:
            continue  # not a path segment a client can send
        path = template.format(value)
        response = client.get(path)
        _assert_json_error_or_ok(response, path[:60])


def test_writes_survive_bad_bodies_and_headers(client, make_token, reference):
    _user, secret = make_token("staff", "bct")
    bodies = [
        b"",
        b"null",
        b"[]",
        b'{"regulations": null}',
        b'{"regulations": [null, 1, "x", []]}',
        b'{"regulations": [{"code": {"a": 1}, "kind": [1]}]}',
        b'{"regulations": [{"' + b"a" * 10_000 + b'": 1}]}',
        b"\xff\xfe\x00\x00",
        '{"regulations": [{"code": "\u202e\u200b"}]}'.encode(),
        b'{"regulations": [' + b"{}," * 6000 + b"{}]}",
        b"[" * 10_000 + b"]" * 10_000,
    ]
    for body in bodies:
        response = client.post(
            "/api/v1/regulations",
            data=body,
            content_type="application/json",
            headers=bearer(secret),
        )
        assert response.status_code in (400, 422), (body[:40], response.status_code)
        assert response.get_json()["code"] in ("bad_request", "validation_failed")
    for header in ["Bearer \x00", "Bearer ' OR 1=1 --", "bearer " + "ü" * 300, "Token abc"]:
        response = client.get("/api/v1/fields", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regulations/BCT-1",
        "/api/v1/ministries/byt",
        "/api/v1/space",
        "/api/v1/reform/methodology",
        "/api/v1/downloads",
    ],
)
def test_routes_without_parameters_refuse_unknown_ones_as_the_lists_do(client, world, path):
    """A misspelt parameter (`?limt=5`, `?formt=csv`) is an error everywhere, not silently
    ignored on some routes."""
    assert client.get(path).status_code == 200
    response = client.get(path, query_string={"limt": "5"})
    assert response.status_code == 400, path
    body = response.get_json()
    assert body["code"] == "invalid_parameter" and "limt" in body["message"]
