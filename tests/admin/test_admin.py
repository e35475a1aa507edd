"""Administration: users, reference data, settings, the audit log and the mail outbox."""

from __future__ import annotations

import csv
import io
import smtplib

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.core.settings import HOURLY_LABOUR_COST, get_setting
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.ministries.models import Ministry
from portal.regulations.models import Field
from tests.conftest import mails, regulation_row, sign_in


@pytest.fixture
def admin(create_user, login):
    user = create_user("admin", display_name="Quản Trị Viên")
    login(user)
    return user


def test_find_users_by_name_organisation_role_and_ministry(client, admin, create_user):
    create_user(display_name="Lê Văn Hùng", organisation="Công ty CP Thủy sản Cà Mau")
    create_user("staff", ministry="byt", display_name="Bùi Thị Hạnh")
    page = client.get("/admin/users?q=thủy sản").get_data(as_text=True)
    assert "Lê Văn Hùng" in page and "Bùi Thị Hạnh" not in page
    page = client.get("/admin/users?role=staff&ministry=byt").get_data(as_text=True)
    assert "Bùi Thị Hạnh" in page and "Lê Văn Hùng" not in page
    assert "1 tài khoản" in page


def test_make_a_member_staff_of_a_ministry_and_a_moderator(client, admin, create_user):
    member = create_user()
    response = client.post(
        f"/admin/users/{member.id}", data={"role": "staff", "ministry": "", "is_moderator": "y"}
    )
    assert response.status_code == 400
    assert "phải thuộc một bộ, ngành" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/users/{member.id}", data={"role": "staff", "ministry": "bct", "is_moderator": "y"}
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert (member.role, member.ministry.code, member.is_moderator) == ("staff", "bct", True)
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == member.id).order_by(AuditEvent.id)
    ).all()
    assert actions[-3:] == ["user.role_changed", "user.ministry_changed", "user.moderator_changed"]


def test_an_administrator_cannot_demote_or_deactivate_themself(client, admin):
    response = client.post(f"/admin/users/{admin.id}", data={"role": "member", "ministry": ""})
    assert response.status_code == 400
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert admin.role == "admin" and admin.active


def test_reactivating_an_account(client, admin, create_user, app):
    member = create_user()
    client.post(f"/admin/users/{member.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{member.id}/active", data={"active": "1"})
    assert sign_in(app.test_client(), member).status_code in (302, 303)


def test_edit_ministry_and_field_names(client, admin, make_regulations):
    make_regulations(regulation_row("BVH-1"))
    response = client.post(
        "/admin/ministries/bvhttdl",
        data={
            "name_vi": "Bộ Văn hóa, Thể thao và Du lịch",
            "name_en": "Ministry of Culture",
            "abbreviation": "BVHTTDL",
        },
    )
    assert response.status_code in (302, 303)
    assert db.session.scalar(select(Ministry.name_en).where(Ministry.code == "bvhttdl")) == (
        "Ministry of Culture"
    )
    field = db.session.scalar(select(Field))
    response = client.post(
        f"/admin/fields/{field.id}", data={"name_vi": "Du lịch lữ hành", "name_en": "Travel"}
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert (field.name_vi, field.name_en) == ("Du lịch lữ hành", "Travel")
    assert "Du lịch lữ hành" in client.get("/regulations/BVH-1").get_data(as_text=True)


@pytest.mark.parametrize("value", ["abc", "-5", "NaN", "Infinity", "1e99", ""])
def test_settings_refuse_bad_values(client, admin, value):
    response = client.post(
        "/admin/settings",
        data={"setting": "hourly_labour_cost_vnd", "hourly_labour_cost_vnd-value": value},
    )
    assert response.status_code == 400
    assert get_setting(HOURLY_LABOUR_COST) == 43750


def test_changing_the_hourly_labour_cost_changes_every_cost(client, admin, make_regulations):
    make_regulations(regulation_row("BVH-1"))
    before = client.get("/regulations/BVH-1").get_data(as_text=True)
    response = client.post(
        "/admin/settings",
        data={"setting": "hourly_labour_cost_vnd", "hourly_labour_cost_vnd-value": "50.000"},
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert get_setting(HOURLY_LABOUR_COST) == 50000
    after = client.get("/regulations/BVH-1").get_data(as_text=True)
    assert "50.000" in after and before != after
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "setting.changed"))
    assert event.detail == "43750 → 50000"


def test_the_audit_log_filters_and_exports(client, admin, create_user, app):
    member = create_user(email="nguoi.dung@congty.vn")
    sign_in(app.test_client(), member, "sai mật khẩu rồi")
    page = client.get("/admin/audit?action=auth.sign_in_failed").get_data(as_text=True)
    assert "nguoi.dung@congty.vn" in page
    page = client.get("/admin/audit?action=auth.*&who=nguoi.dung").get_data(as_text=True)
    assert "1 mục" in page
    page = client.get("/admin/audit?from=2026-13-45&to=abc&ministry=zzz&action=bogus")
    assert page.status_code == 200
    assert "không phải là ngày" in page.get_data(as_text=True)
    export = client.get("/admin/audit/export.csv?action=auth.sign_in_failed")
    assert export.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][2] == "action" and rows[1][2] == "auth.sign_in_failed"
    assert rows[1][4] == "nguoi.dung@congty.vn"
    xlsx = client.get("/admin/audit/export.xlsx")
    assert xlsx.data[:2] == b"PK"


def test_the_mail_outbox_can_be_read(client, admin, app, reference):
    app.test_client().post("/account/forgot-password", data={"email": admin.email})
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Chọn mật khẩu mới" in page and admin.email in page
    message = mails("reset")[0]
    body = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "/account/reset/" in body


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_production_mail_goes_over_smtp_and_failures_are_retried(
    app, client, create_user, monkeypatch
):
    member = create_user(email="khach@congty.vn")
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens: the send fails
    client.post("/account/forgot-password", data={"email": member.email})
    [message] = mails("reset")
    assert message.status == "pending" and message.last_error
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "1 message(s) delivered" in result.output
    db.session.expire_all()
    message = db.session.get(MailMessage, message.id)
    assert message.status == "sent" and message.attempts == 2
    [email] = FakeSMTP.sent
    assert email["To"] == "khach@congty.vn" and "/account/reset/" in email.get_content()


def test_staff_cannot_reach_administration(client, create_user, login):
    login(create_user("staff", ministry="byt"))
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/1/active", data={"active": "0"}).status_code == 403
    assert db.session.scalar(select(User.active).where(User.id == 1)) in (True, None)
