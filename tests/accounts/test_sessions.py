"""Signing in and out: sessions that really end, safe redirects, cookies, rate limits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import PASSWORD, sign_in


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def whoami(client) -> int:
    """200 on the account page when signed in; 302 to the sign-in page otherwise."""
    return client.get("/account").status_code


def test_sign_in_and_out(client, create_user):
    member = create_user(display_name="Trần Văn An")
    response = sign_in(client, member)
    assert response.status_code in (302, 303)
    assert "Trần Văn An" in client.get("/").get_data(as_text=True)
    client.post("/account/sign-out")
    assert whoami(client) == 302
    assert "Đăng nhập" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_gives_one_message_for_unknown_and_known_accounts(client, create_user):
    member = create_user()
    wrong = sign_in(client, member, "sai mật khẩu rồi")
    unknown = sign_in(client, "ai.do@congty.vn", "sai mật khẩu rồi")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Địa chỉ e-mail hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert whoami(client) == 302


def test_a_cookie_copied_before_sign_out_no_longer_works(app, client, create_user):
    member = create_user()
    sign_in(client, member)
    stolen = session_cookie(client)
    assert whoami(client) == 200
    client.post("/account/sign-out")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert whoami(thief) == 302


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, client, create_user):
    member = create_user()
    other_device = app.test_client()
    sign_in(other_device, member)
    sign_in(client, member)
    new = "Một mật khẩu mới cũng rất dài"
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code in (302, 303)
    assert whoami(client) == 200
    assert whoami(other_device) == 302
    assert sign_in(app.test_client(), member, PASSWORD).status_code == 400
    assert sign_in(app.test_client(), member, new).status_code in (302, 303)


def test_a_deactivated_account_is_signed_out_everywhere(app, client, create_user, login):
    member = create_user()
    admin = create_user("admin")
    member_client = app.test_client()
    sign_in(member_client, member)
    login(admin)
    client.post(f"/admin/users/{member.id}/active", data={"active": "0"})
    assert whoami(member_client) == 302
    response = sign_in(app.test_client(), member)
    assert response.status_code == 400
    assert "bị vô hiệu hóa" in response.get_data(as_text=True)


def test_remember_me_survives_the_session_cookie_but_not_sign_out(app, create_user):
    member = create_user()
    client = app.test_client()
    sign_in(client, member, remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert whoami(fresh) == 200
    client.post("/account/sign-out")
    replay = app.test_client()
    replay.set_cookie("remember_token", remember.value)
    assert whoami(replay) == 302


def test_session_cookie_flags(client, create_user):
    response = sign_in(client, create_user())
    header = response.headers["Set-Cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header


ATTACKS = [
    "//evil.com",
    "/\\evil.com",
    "///evil.com",
    "https:evil.com",
    "\x01//evil.com",
    "javascript:alert(1)",
    "http://evil.com",
    " //evil.com",
    "/%0d%0aSet-Cookie:x=1",
]


@pytest.mark.parametrize("target", ATTACKS)
def test_next_accepts_only_local_paths(client, create_user, target):
    member = create_user()
    response = client.post(
        "/account/sign-in", data={"email": member.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code in (302, 303)
    location = response.headers["Location"]
    assert location in ("/", "http://localhost/") or (
        location.startswith("/") and not location.startswith("//") and "evil" not in location
    )


def test_next_brings_the_user_back_to_the_page_asked_for(client, create_user):
    member = create_user()
    assert client.get("/account/password").headers["Location"].startswith("/account/sign-in")
    response = client.post(
        "/account/sign-in?next=/account/password",
        data={"email": member.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account/password"


def test_failed_sign_ins_are_limited_per_account(client, create_user):
    member = create_user()
    for _ in range(5):
        assert sign_in(client, member, "sai mật khẩu rồi").status_code == 400
    refused = sign_in(client, member)  # even the right password, while locked
    assert refused.status_code == 429
    assert "Quá nhiều lần thử" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert whoami(client) == 302
    throttled = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "auth.sign_in_throttled")
    )
    assert throttled == 1


def test_the_limit_holds_across_workers_sharing_the_database(app, create_user, database_url):
    """Two app instances are two gunicorn workers: the count lives in the shared database."""
    email = create_user().email
    db.session.remove()  # the test's own session must not hold SQLite's write lock
    other_worker = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
        SEARCH_LOCK_FILE=app.config["SEARCH_LOCK_FILE"],
    )
    for worker in (app, other_worker, app, other_worker, app):
        with worker.app_context():
            sign_in(worker.test_client(), email, "sai mật khẩu rồi")
            db.session.remove()
    with other_worker.app_context():
        response = sign_in(other_worker.test_client(), email)
        assert response.status_code == 429
        db.session.remove()
        db.engine.dispose()


def test_failed_sign_ins_are_limited_per_address(client, app, create_user):
    app.config["AUTH_LIMITS"] = {"sign_in_ip": 3}
    try:
        for number in range(3):
            sign_in(client, f"ai{number}@congty.vn", "sai mật khẩu rồi")
        response = sign_in(client, create_user())
    finally:
        app.config["AUTH_LIMITS"] = {}
    assert response.status_code == 429


def test_every_authentication_event_is_in_the_audit_log(client, create_user):
    member = create_user()
    sign_in(client, member, "sai mật khẩu rồi")
    sign_in(client, member)
    client.post("/account/sign-out")
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.subject_key, AuditEvent.ip)
        .where(AuditEvent.action.like("auth.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [row.action for row in rows] == ["auth.sign_in_failed", "auth.sign_in", "auth.sign_out"]
    assert {row.subject_key for row in rows} == {member.email}
    assert all(row.ip == "127.0.0.1" for row in rows)


def test_a_log_injection_attempt_stays_one_log_record(client, caplog):
    caplog.set_level("INFO", logger="portal.audit")
    sign_in(client, "x@congty.vn\nINFO audit forged admin sign-in", "sai mật khẩu rồi")
    records = [r for r in caplog.records if r.name == "portal.audit"]
    assert len(records) == 1
    assert "\n" not in records[0].getMessage()


def test_long_vietnamese_passwords_are_not_truncated(client, create_user):
    long_password = (
        "Tôi là người Việt Nam, yêu quê hương đất nước và mật khẩu này dài tám mươi lăm ký"
    )
    assert len(long_password.encode()) > 72
    member = create_user(password=long_password)
    assert sign_in(client, member, long_password[:72]).status_code == 400
    assert sign_in(client, member, long_password).status_code in (302, 303)


def test_a_password_typed_in_decomposed_unicode_is_the_same_password(client, create_user):
    import unicodedata

    member = create_user()
    decomposed = unicodedata.normalize("NFD", PASSWORD)
    assert decomposed != PASSWORD
    assert sign_in(client, member, decomposed).status_code in (302, 303)
