"""The OpenAPI document: generated from the code, valid, honest (schemathesis), and readable."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks

from portal.consultation import services
from portal.extensions import db
from tests.api.conftest import get_json
from tests.conftest import regulation_row

CHECKS = [
    schemathesis.checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture
def api_data(world, make_regulations):
    make_regulations(
        regulation_row("BYT-S-1", ministry="byt", field="Dược"),
        regulation_row("BYT-S-2", ministry="byt", published="0"),
    )
    comment = services.post_comment(
        world["business"], world["consultation"], "Đề nghị làm rõ.", "schema-key-01"
    )
    services.answer_comment(world["staff"], comment, "explained", "Bộ xin giải trình.")
    db.session.commit()


def test_the_api_keeps_the_promises_of_its_openapi_document(app, api_data):
    """schemathesis, in process, on every operation: no 500, every status documented, every
    body matching its schema (a bounded number of generated requests per operation)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()


def test_the_document_is_openapi_3_and_covers_every_route(client, app):
    document = get_json(client, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post")
    }
    routes = {
        (method, "/" + rule.rule.strip("/").replace("<", "{").replace(">", "}").split(":")[-1])
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        and rule.endpoint.startswith("api_")
        and rule.endpoint != "api_docs.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    normalised = {(m, p.replace("{int:", "{")) for m, p in documented}
    assert len(documented) >= 20
    for method, rule in routes:
        assert any(path.split("/")[-1].strip("{}") in rule for m, path in normalised if m == method)
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_document_and_the_docs_page_speak_the_readers_language(client):
    vi = get_json(client, "/api/v1/openapi.json")
    en = get_json(client, "/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert vi["paths"]["/api/v1/regulations"]["get"]["summary"] == "Danh sách quy định"
    assert en["paths"]["/api/v1/regulations"]["get"]["summary"] == "List regulations"
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tài liệu API" in html and "GET /api/v1/regulations" in html
    assert "Danh sách quy định" in html and "<script" not in html.split("</header>")[1]
    english = client.get("/api/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "List regulations" in english and "Paging through a list" in english
