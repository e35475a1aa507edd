"""Personal API tokens: the account page, hashing, scope, and writing through the API."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.api.models import ApiToken
from portal.audit.models import AuditEvent
from portal.core.models import utcnow
from portal.extensions import db
from portal.regulations.models import Regulation
from tests.api.conftest import bearer, get_json
from tests.conftest import csv_bytes, regulation_row


def post_rows(client, secret, rows, query="", **kwargs):
    return client.post(
        "/api/v1/regulations" + query,
        data=json.dumps({"regulations": rows}, ensure_ascii=False),
        content_type="application/json",
        headers=bearer(secret) if secret else {},
        **kwargs,
    )


def count(code_prefix: str = "") -> int:
    return db.session.scalar(
        select(func.count(Regulation.id)).where(Regulation.code.startswith(code_prefix))
    )


def test_staff_make_a_token_on_the_account_page_and_see_it_once(client, create_user, login):
    staff = create_user("staff", ministry="bct")
    login(staff)
    assert "Mã truy cập API" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/api-tokens", data={"name": "Hệ thống CSDL", "days": "30"})
    assert response.status_code == 302  # reloading the page that follows makes no second token
    response = client.get("/account/api-tokens")
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = re.search(r'value="(qdkd_[A-Za-z0-9_-]+)"', page).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.digest != secret and secret not in token.digest  # stored hashed
    assert len(token.digest) == 64
    assert token.expires_at - token.created_at == timedelta(days=30)
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in again  # shown once
    assert token.prefix in again
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "api_token.created")
    )

    response = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    data = get_json(client, "/api/v1/regulations", status=401, headers=bearer(secret))
    assert data["code"] == "unauthorized"


def test_members_cannot_hold_tokens_and_bad_names_are_refused(client, create_user, login):
    member = create_user()
    login(member)
    assert client.get("/account/api-tokens").status_code == 403
    assert "Mã truy cập API" not in client.get("/account").get_data(as_text=True)
    client.post("/account/sign-out")
    staff = create_user("staff", ministry="byt")
    login(staff)
    response = client.post("/account/api-tokens", data={"name": "  \u200b ", "days": "30"})
    assert response.status_code == 400
    assert "Hãy đặt tên cho mã" in response.get_data(as_text=True)
    response = client.post("/account/api-tokens", data={"name": "Hệ thống", "days": "7"})
    assert response.status_code == 400
    other = create_user("staff", ministry="byt")
    from portal.api.tokens import create_token

    theirs, _secret = create_token(other, "Của người khác", 30)
    client.post(f"/account/api-tokens/{theirs.id}/revoke")
    db.session.refresh(theirs)
    assert theirs.revoked_at is None  # one cannot revoke another's token


def test_a_token_upserts_its_ministrys_regulations(client, make_token, reference):
    _user, secret = make_token("staff", "bct")
    rows = [
        regulation_row("BCT-API-1", ministry="bct", field="Xăng dầu"),
        regulation_row(
            "BCT-API-2", ministry="bct", field="Xăng dầu", time_hours=2.5, published=True
        ),
    ]
    response = post_rows(client, secret, rows)
    assert response.status_code == 200, response.data
    assert response.get_json()["created"] == 2
    assert count("BCT-API") == 2
    assert get_json(client, "/api/v1/regulations/BCT-API-2")["cost"]["time_hours"] == 2.5
    rows[0]["title"] = "Cấp Giấy chứng nhận đủ điều kiện kinh doanh xăng dầu"
    data = post_rows(client, secret, rows).get_json()
    assert (data["updated"], data["unchanged"]) == (1, 1)
    history = get_json(client, "/api/v1/regulations/BCT-API-1")["history"]
    assert [event["kind"] for event in history] == ["created", "updated"]
    # The search index follows API writes like any other.
    found = get_json(client, "/api/v1/regulations?q=du%20dieu%20kien%20kinh%20doanh%20xang%20dau")
    assert found["items"][0]["code"] == "BCT-API-1"
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is not None


def test_one_bad_row_and_nothing_is_written(client, make_token, reference):
    _user, secret = make_token("staff", "bct")
    rows = [
        regulation_row("BCT-OK-1", ministry="bct"),
        regulation_row("BCT-BAD-2", ministry="bct", kind="luật", status="?"),
        {"code": "BCT-BAD-3"},
    ]
    response = post_rows(client, secret, rows)
    assert response.status_code == 422
    data = response.get_json()
    assert data["code"] == "validation_failed"
    assert "không có gì được ghi" in data["message"]
    rows_with_errors = {(d["row"], d["column"]) for d in data["details"]}
    assert (2, "kind") in rows_with_errors and (2, "status") in rows_with_errors
    assert any(d["row"] == 3 for d in data["details"])
    assert count("BCT-") == 0


def test_a_token_cannot_write_another_ministrys_regulations(client, make_token, make_regulations):
    make_regulations(regulation_row("BYT-OWN-1", ministry="byt", title="Của Bộ Y tế"))
    _user, secret = make_token("staff", "bct")
    response = post_rows(client, secret, [regulation_row("BYT-NEW-1", ministry="byt")])
    assert response.status_code == 403
    assert response.get_json()["details"][0]["column"] == "ministry"
    # Nor take over another ministry's code by claiming it for its own ministry.
    response = post_rows(client, secret, [regulation_row("BYT-OWN-1", ministry="bct")])
    assert response.status_code == 403
    assert response.get_json()["details"][0]["column"] == "code"
    assert count("BYT-NEW") == 0
    assert get_json(client, "/api/v1/regulations/BYT-OWN-1")["ministry"]["code"] == "byt"


def test_an_administrators_token_writes_any_ministry(client, make_token, reference):
    _user, secret = make_token("admin")
    response = post_rows(
        client,
        secret,
        [regulation_row("BYT-ADM-1", ministry="byt"), regulation_row("BCT-ADM-1", ministry="bct")],
    )
    assert response.status_code == 200
    assert response.get_json()["created"] == 2


def test_dry_run_csv_body_and_body_errors(client, make_token, reference):
    _user, secret = make_token("staff", "bct")
    response = post_rows(
        client, secret, [regulation_row("BCT-DRY-1", ministry="bct")], "?dry_run=1"
    )
    assert response.status_code == 200
    assert response.get_json() | {"created_codes": []} == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "documents_created": 2,
        "fields_created": 1,
        "dry_run": True,
        "created_codes": [],
    }
    assert count("BCT-DRY") == 0
    response = client.post(
        "/api/v1/regulations",
        data=csv_bytes([regulation_row("BCT-CSV-1", ministry="bct")], bom=True),
        content_type="text/csv",
        headers=bearer(secret),
    )
    assert response.status_code == 200, response.data
    assert count("BCT-CSV") == 1
    cases = [
        ("{not json", "application/json", 400, "bad_request"),
        ('{"rows": []}', "application/json", 400, "bad_request"),
        ('{"regulations": []}', "application/json", 422, "validation_failed"),
        ('{"regulations": "x"}', "application/json", 422, "validation_failed"),
        ("[1, 2]", "application/json", 422, "validation_failed"),
        ("code=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("\x00\x01", "text/csv", 422, "validation_failed"),
    ]
    for body, content_type, status, code in cases:
        response = client.post(
            "/api/v1/regulations", data=body, content_type=content_type, headers=bearer(secret)
        )
        assert (response.status_code, response.get_json()["code"]) == (status, code), body


def test_missing_expired_malformed_and_orphaned_tokens(client, make_token, create_user, reference):
    row = [regulation_row("BCT-T-1", ministry="bct")]
    data = post_rows(client, None, row).get_json()
    assert data["code"] == "unauthorized" and "mã truy cập" in data["message"]
    for header in ("Bearer", "Basic abc", "Bearer qdkd_khongco", "Bearer " + "x" * 5000):
        response = client.post(
            "/api/v1/regulations", json={"regulations": row}, headers={"Authorization": header}
        )
        assert response.status_code == 401, header
    user, secret = make_token("staff", "bct")
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_rows(client, secret, row).status_code == 401
    user, secret = make_token("staff", "bct")
    user.role = "member"  # no longer staff: the token stops working
    db.session.commit()
    response = post_rows(client, secret, row)
    assert response.status_code == 403
    assert count("BCT-T") == 0


def test_writes_are_audited(client, make_token, reference):
    _user, secret = make_token("staff", "bct")
    post_rows(client, secret, [regulation_row("BCT-AU-1", ministry="bct")])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "regulation.imported"))
    assert event.target_label == "API: Hệ thống CSDL của Bộ"
    assert "1 created" in event.detail or "1 tạo mới" in event.detail or "1" in event.detail
