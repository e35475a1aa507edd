"""Reading the API without a key: every resource, what the public may not see, JSON errors."""

from __future__ import annotations

import pytest

from portal.consultation import services
from portal.extensions import db
from portal.regulations.models import LegalDocument
from portal.regulations.services import add_relation
from tests.api.conftest import get_json, walk
from tests.conftest import regulation_row


@pytest.fixture
def catalogue(make_regulations):
    make_regulations(
        regulation_row(
            "BYT-TTHC-001", ministry="byt", field="Dược", title="Cấp chứng chỉ hành nghề dược"
        ),
        regulation_row("BYT-YCDK-002", ministry="byt", kind="condition", field="Dược"),
        regulation_row(
            "BCT-TTHC-003", ministry="bct", field="Xăng dầu", legal_basis="83/2014/NĐ-CP Điều 8"
        ),
        regulation_row(
            "BCT-AN-004", ministry="bct", published="0", title="Quy định chưa công bố bí mật"
        ),
        regulation_row("BCT-CU-005", ministry="bct", status="abolished", field="Xăng dầu"),
    )


def test_the_index_links_every_resource(client):
    data = get_json(client, "/api/v1/")
    for name in (
        "regulations",
        "documents",
        "consultations",
        "plans",
        "reform_scores",
        "downloads",
    ):
        assert data["resources"][name].startswith("http://localhost/api/v1/")
    assert data["openapi"].endswith("/api/v1/openapi.json")


def test_regulations_list_filters_combine_and_count(client, catalogue):
    data = get_json(client, "/api/v1/regulations")
    assert data["total"] == 4  # the unpublished one is not counted
    assert [item["code"] for item in data["items"]] == [
        "BCT-CU-005",
        "BCT-TTHC-003",
        "BYT-TTHC-001",
        "BYT-YCDK-002",
    ]
    assert data["next"] is None
    data = get_json(client, "/api/v1/regulations?ministry=BYT&kind=condition&kind=procedure")
    assert data["total"] == 2
    data = get_json(client, "/api/v1/regulations?ministry=bct&status=in_force")
    assert [item["code"] for item in data["items"]] == ["BCT-TTHC-003"]
    data = get_json(client, "/api/v1/regulations?document=83/2014/nđ-cp")
    assert [item["code"] for item in data["items"]] == ["BCT-TTHC-003"]
    data = get_json(client, "/api/v1/regulations?field=duoc&sort=title")
    titles = [item["title"] for item in data["items"]]
    assert "Cấp chứng chỉ hành nghề dược" in titles
    paged, _totals = walk(client, "/api/v1/regulations?field=duoc&sort=title&limit=1")
    assert [item["title"] for item in paged] == titles
    item = next(i for i in data["items"] if i["code"] == "BYT-TTHC-001")
    assert item["ministry"]["code"] == "byt"
    assert item["legal_basis"][0]["document"]["number"] == "168/2017/NĐ-CP"
    assert item["legal_basis"][0]["article"] == "Điều 5"
    assert item["annual_cost_vnd"] > 0
    assert item["web_url"].endswith("/regulations/BYT-TTHC-001")


def test_unknown_filter_values_and_parameters_are_400_with_details(client, catalogue):
    data = get_json(client, "/api/v1/regulations?ministry=zzz", status=400)
    assert data["code"] == "invalid_parameter"
    assert data["details"][0]["parameter"] == "ministry"
    assert "zzz" in data["message"]
    data = get_json(client, "/api/v1/regulations?minstry=byt", status=400)
    assert data["details"][0]["code"] == "unknown_parameter"
    data = get_json(client, "/api/v1/regulations?limit=0&kind=law", status=400)
    codes = {(d["parameter"], d["code"]) for d in data["details"]}
    assert codes == {("limit", "out_of_range"), ("kind", "not_one_of")}
    data = get_json(client, "/api/v1/regulations?sort=relevance", status=400)
    assert data["details"][0]["parameter"] == "sort"


def test_errors_are_in_vietnamese_unless_english_is_asked_for(client, catalogue):
    data = get_json(client, "/api/v1/regulations?limit=x", status=400)
    assert data["message"] == "“limit” phải là một số nguyên."
    data = get_json(
        client, "/api/v1/regulations?limit=x", status=400, headers={"Accept-Language": "en"}
    )
    assert data["message"] == "“limit” must be a whole number."
    data = get_json(client, "/api/v1/no-such-thing", status=404)
    assert data["code"] == "not_found"
    assert data["message"] == "Không có gì ở địa chỉ này."
    assert data["request_id"]


def test_a_regulation_in_detail(client, catalogue):
    data = get_json(client, "/api/v1/regulations/byt-tthc-001")
    assert data["code"] == "BYT-TTHC-001"
    assert data["content"].startswith("Doanh nghiệp nộp hồ sơ")
    assert data["cost"]["time_hours"] == 16
    assert data["cost"]["cost_vnd"] == 3_000_000
    assert data["cost"]["annual_cost_vnd"] == pytest.approx(
        (16 * data["cost"]["hourly_rate_vnd"] + 3_000_000) * 0.2 * 300
    )
    assert [event["kind"] for event in data["history"]] == ["created"]
    assert {basis["document"]["number"] for basis in data["legal_basis"]} == {
        "168/2017/NĐ-CP",
        "09/2017/QH14",
    }


def test_unpublished_regulations_are_nowhere(client, catalogue):
    get_json(client, "/api/v1/regulations/BCT-AN-004", status=404)
    codes = [i["code"] for i in get_json(client, "/api/v1/regulations?limit=500")["items"]]
    assert "BCT-AN-004" not in codes
    found = get_json(client, "/api/v1/regulations?q=bí%20mật")
    assert found["total"] == 0 and found["items"] == []
    ministry = get_json(client, "/api/v1/ministries/bct")
    assert ministry["regulations"] == 2
    assert ministry["unpublished"] == 1  # the public sees how many are held back


def test_search_through_the_api_finds_without_accents_and_ranks(client, catalogue):
    data = get_json(client, "/api/v1/regulations?q=chung%20chi%20hanh%20nghe%20duoc")
    assert data["items"][0]["code"] == "BYT-TTHC-001"
    assert data["items"][0]["score"] > 0
    data = get_json(client, "/api/v1/regulations?q=nghị%20định%2083/2014")
    assert data["items"][0]["code"] == "BCT-TTHC-003"
    data = get_json(client, "/api/v1/regulations?q=" + "giấy phép " * 40)
    assert data["notices"] and data["notices"][0]["message"]


def test_the_api_searches_the_text_as_given_without_correcting_it(client, catalogue):
    # /search would answer with the results for "chung chi hanh nghe duoc"; a client of the
    # API gets exactly what it asked for.
    assert get_json(client, "/api/v1/regulations?q=chung%20chi%20hanh%20nghe%20duoc")["total"]
    data = get_json(client, "/api/v1/regulations?q=chung%20chii%20hanh%20nghee%20duoc")
    assert data["total"] == 0 and data["items"] == []
    page = client.get("/search?q=chung%20chii%20hanh%20nghee%20duoc").get_data(as_text=True)
    assert "BYT-TTHC-001" in page


def test_documents_with_relations_both_ways(client, catalogue):
    law = db.session.scalar(db.select(LegalDocument).where(LegalDocument.number == "09/2017/QH14"))
    decree = db.session.scalar(
        db.select(LegalDocument).where(LegalDocument.number == "168/2017/NĐ-CP")
    )
    add_relation(decree, "guides", law)
    db.session.commit()
    items, totals = walk(client, "/api/v1/documents?limit=1")
    assert totals == {3}
    assert sorted(item["number"] for item in items) == [
        "09/2017/QH14",
        "168/2017/NĐ-CP",
        "83/2014/NĐ-CP",
    ]
    data = get_json(client, f"/api/v1/documents/{decree.slug}")
    assert data["relations"] == [
        {"kind": "guides", "document": {**data["relations"][0]["document"], "number": law.number}}
    ]
    assert data["regulations"] == 3
    assert data["regulations_by_kind"] == {"procedure": 2, "condition": 1}
    assert get_json(client, f"/api/v1/documents/{law.slug}")["related_by"][0]["kind"] == "guides"
    assert get_json(client, data["regulations_url"])["total"] == 3
    get_json(client, "/api/v1/documents/khong-co", status=404)
    get_json(client, "/api/v1/documents?type=circular")
    get_json(client, "/api/v1/documents?type=novel", status=400)


def test_ministries_and_fields(client, catalogue):
    ministries, totals = walk(client, "/api/v1/ministries?limit=7")
    assert len(ministries) == totals.pop() > 15
    assert len({m["code"] for m in ministries}) == len(ministries)
    byt = next(m for m in ministries if m["code"] == "byt")
    assert byt["regulations_by_kind"] == {"procedure": 1, "condition": 1}
    assert byt["name_vi"] == "Bộ Y tế"
    fields = get_json(client, "/api/v1/fields")["items"]
    assert {f["slug"]: f["regulations"] for f in fields} == {"duoc": 2, "xang-dau": 2}
    assert get_json(client, "/api/v1/fields/duoc")["name_vi"] == "Dược"
    get_json(client, "/api/v1/fields/khong-co", status=404)
    get_json(client, "/api/v1/ministries/khong-co", status=404)


def test_consultations_with_items_comments_and_answers(client, world):
    consultation = world["consultation"]
    business, association = world["business"], world["association"]
    first = services.post_comment(business, consultation, "Đề nghị bỏ yêu cầu này.", "api-key-0001")
    services.post_comment(
        association, consultation, "Hiệp hội đồng tình.", "api-key-0002", parent=first
    )
    removed = services.post_comment(association, consultation, "Nội dung quảng cáo", "api-key-0003")
    services.answer_comment(world["staff"], first, "accepted", "Bộ tiếp thu, sẽ bỏ yêu cầu.")
    services.moderate_comment(world["admin"], removed, "remove", "Quảng cáo")
    db.session.commit()

    listing = get_json(client, "/api/v1/consultations?state=open&ministry=bct")
    assert listing["total"] == 1
    summary = listing["items"][0]
    assert summary["comments"] == 2 and summary["answered"] == 1
    assert summary["state"] == "open" and summary["subject"] == "draft"

    detail = get_json(client, summary["url"])
    assert [item["regulation"]["code"] for item in detail["items"]] == ["BCT-D1"]
    assert detail["draft"]["title"] == "Dự thảo Nghị định về thương mại điện tử"
    assert detail["answers_by_outcome"] == {"accepted": 1}

    comments, totals = walk(client, detail["comments_url"] + "?limit=1")
    assert totals == {3}
    assert comments[0]["body"] == "Đề nghị bỏ yêu cầu này."
    assert comments[0]["author"]["category"] == "business"
    assert comments[0]["answer"]["outcome"] == "accepted"
    assert comments[0]["answer"]["body"] == "Bộ tiếp thu, sẽ bỏ yêu cầu."
    assert comments[1]["parent_id"] == comments[0]["id"]
    assert comments[2]["status"] == "removed"
    assert comments[2]["body"] is None  # the removed text is not served
    assert comments[2]["moderation_reason"] == "Quảng cáo"
    assert "receipt" not in comments[0]  # receipts belong to their authors
    get_json(client, "/api/v1/consultations/999999", status=404)
    get_json(client, "/api/v1/consultations?state=soon", status=400)


def test_plans_with_items_and_savings(client, world):
    plans = get_json(client, "/api/v1/plans?ministry=bct")
    assert plans["total"] == 1
    plan = get_json(client, plans["items"][0]["url"])
    assert [(i["regulation"]["code"], i["action"]) for i in plan["items"]] == [
        ("BCT-1", "abolish"),
        ("BCT-2", "simplify"),
    ]
    simplify = plan["items"][1]
    assert simplify["cost_before_vnd"] > simplify["cost_after_vnd"]
    assert plan["saving_vnd"] == pytest.approx(
        sum(i["saving_vnd"] for i in plan["items"] if i["saving_vnd"] is not None)
    )
    assert plan["status"] == "drafting"
    assert get_json(client, "/api/v1/plans?status=approved")["total"] == 0
    get_json(client, "/api/v1/plans/0", status=404)


def test_reform_scores_and_institutional_space(client, world):
    data = get_json(client, "/api/v1/reform/scores")
    assert data["period"] == data["periods"][0]
    assert data["methodology"]["version"] == 1
    assert data["total"] == len(data["items"]) > 15
    assert [item["rank"] for item in data["items"]] == list(range(1, data["total"] + 1))
    first = data["items"][0]
    assert set(first["indicators"]) == {"T1", "T2", "R1", "R2", "R3", "R4", "S1", "S2", "S3"}
    assert 0 <= first["total"] <= 100
    bct = get_json(client, "/api/v1/reform/scores/bct")
    assert bct["ministry"]["code"] == "bct"
    get_json(client, "/api/v1/reform/scores?period=1999", status=400)
    get_json(client, "/api/v1/reform/scores/zzz", status=404)
    space = get_json(client, "/api/v1/space")
    assert space["years"][0]["regulations"] == 3  # BCT-1, BCT-2, BYT-1 in force
    assert space["by_kind"]["procedure"] >= 3
    assert space["by_ministry"]["bct"] == 3
    assert get_json(client, "/api/v1/reform/methodology")["parameters"]["bands"]["good"] == 80


def test_cors_allows_reading_from_any_site_but_not_writing(client, catalogue):
    response = client.get("/api/v1/regulations", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/api/v1/regulations",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert "POST" not in preflight.headers.get("Access-Control-Allow-Methods", "")
    assert "authorization" not in preflight.headers.get("Access-Control-Allow-Headers", "").lower()
    page = client.get("/regulations", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_wrong_methods_and_bodies_are_json_errors(client, catalogue):
    response = client.delete("/api/v1/regulations/BYT-TTHC-001")
    assert response.status_code == 405
    assert response.get_json()["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    response = client.post("/api/v1/regulations", data=b"x" * (21 * 1024 * 1024))
    assert response.status_code in (401, 413)
    assert response.get_json()["code"] in ("unauthorized", "payload_too_large")


def test_a_repeated_filter_has_a_bound(client, catalogue):
    query = "&".join(["kind=procedure"] * 11)
    data = get_json(client, f"/api/v1/regulations?{query}", status=400)
    assert data["details"][0]["code"] == "too_many"
    assert "10" in data["message"]
