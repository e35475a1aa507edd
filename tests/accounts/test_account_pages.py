"""Password reset, profile, deleting an account, and `flask users create`."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.regulations.models import RegulationEvent
from tests.conftest import PASSWORD, link_in, mails, regulation_row, sign_in

NEW = "Mật khẩu mới thật dài và khó đoán"


def test_a_forgotten_password_is_reset_through_a_single_use_link(app, client, create_user):
    member = create_user()
    other_device = app.test_client()
    sign_in(other_device, member)
    response = client.post("/account/forgot-password", data={"email": member.email.upper()})
    assert response.status_code in (302, 303)
    [message] = mails("reset")
    link = link_in(message)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code in (302, 303)
    assert sign_in(app.test_client(), member, NEW).status_code in (302, 303)
    assert other_device.get("/account").status_code == 302  # signed out everywhere
    again = client.post(link, data={"password": "Lại một mật khẩu khác nữa", "confirm": "x"})
    assert again.status_code == 400
    assert "không hợp lệ" in again.get_data(as_text=True)


def test_unknown_addresses_get_the_same_answer_and_no_mail(client, reference):
    response = client.post(
        "/account/forgot-password", data={"email": "khong.ton.tai@congty.vn"}, follow_redirects=True
    )
    assert "Nếu có tài khoản dùng khong.ton.tai@congty.vn" in response.get_data(as_text=True)
    assert mails() == []


def test_a_reset_link_expires_after_an_hour(client, create_user):
    member = create_user()
    with freeze_time("2026-11-30 08:00:00"):
        client.post("/account/forgot-password", data={"email": member.email})
    link = link_in(mails("reset")[0])
    with freeze_time("2026-11-30 09:01:00"):
        response = client.get(link)
    assert response.status_code == 400
    assert "hết hạn" in response.get_data(as_text=True)


def test_reset_requests_are_limited(client, create_user):
    member = create_user()
    for _ in range(4):
        client.post("/account/forgot-password", data={"email": member.email})
    assert len(mails("reset")) == 3


def test_editing_the_profile_and_changing_the_address(client, create_user, login):
    member = create_user()
    login(member)
    data = {
        "member_type": "business",
        "display_name": "Hoàng Minh",
        "organisation": "Công ty CP Thép Việt",
        "tax_code": "0301234567",
        "locale": "en",
        "email": member.email,
        "password": "",
    }
    assert client.post("/account/profile", data=data).status_code in (302, 303)
    db.session.expire_all()
    assert member.public_name == "Hoàng Minh (Công ty CP Thép Việt)"
    assert member.locale == "en"
    data["email"] = "minh@thepviet.vn"
    response = client.post("/account/profile", data=data)
    assert response.status_code == 400
    assert "mật khẩu hiện tại" in response.get_data(as_text=True)
    data["password"] = PASSWORD
    assert client.post("/account/profile", data=data).status_code in (302, 303)
    db.session.expire_all()
    assert member.email == "minh@thepviet.vn" and not member.is_verified
    message = mails("verify")[-1]
    assert message.to_address == "minh@thepviet.vn"
    assert message.subject == "Confirm your e-mail address"  # in the member's language


def test_deleting_an_account_erases_the_personal_data_and_keeps_contributions(
    client, create_user, login, make_regulations
):
    from portal.regulations.editing import set_published

    make_regulations(regulation_row("BVH-1", published="0"))
    staff = create_user("staff", ministry="bvhttdl", display_name="Phan Thị Thu")
    sign_in(client, staff, "sai mật khẩu rồi")
    login(staff)
    from portal.regulations.models import Regulation

    regulation = db.session.scalar(select(Regulation))
    set_published(staff, regulation, True)
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    gone = db.session.get(User, staff.id)
    assert gone.email.endswith("@deleted.invalid")
    assert (gone.display_name, gone.organisation, gone.password_hash) == ("", "", "")
    assert not gone.is_active
    assert (
        db.session.scalar(select(AuditEvent.id).where(AuditEvent.subject_key.like("%congty.vn")))
        is None
    )
    assert (
        db.session.scalar(select(MailMessage.id).where(MailMessage.to_address.like("%congty.vn")))
        is None
    )
    event = db.session.scalar(select(RegulationEvent).where(RegulationEvent.kind == "published"))
    assert event.actor_id == staff.id
    page = client.get("/regulations/BVH-1").get_data(as_text=True)
    assert "Tài khoản đã xóa" in page and "Phan Thị Thu" not in page
    assert sign_in(client, staff).status_code == 400


def test_deleting_an_account_erases_the_address_from_the_audit_log_labels(
    app, client, create_user, login
):
    from portal.accounts import services

    admin = create_user("admin", email="quantri@vpcp.gov.vn")
    member = create_user(email="thu.ha@congty.vn", display_name="Trần Thu Hà")
    services.set_active(admin, member, False)
    services.set_active(admin, member, True)
    services.change_role(admin, member, "staff", "byt")
    admin_client = app.test_client()
    sign_in(admin_client, admin)

    def audit_page(query="who=thu.ha@congty.vn"):
        """The rows of the audit table (the search box repeats what was typed)."""
        page = admin_client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return page[page.find("<tbody") : page.find("</tbody>")]

    before = audit_page()
    assert "thu.ha@congty.vn" in before and "Vô hiệu hóa tài khoản" in before
    events = {
        event.id: event.action
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.target_id == member.id))
    }
    assert {"user.created", "user.deactivated", "user.reactivated", "user.role_changed"} <= set(
        events.values()
    )

    login(member)
    assert client.post(
        "/account/delete", data={"password": PASSWORD, "confirm": "y"}
    ).status_code in (
        302,
        303,
    )
    db.session.expire_all()
    anonymous = f"deleted-{member.id}@deleted.invalid"
    assert "thu.ha@congty.vn" not in audit_page()
    everything = audit_page("per_page=50")
    assert "thu.ha@congty.vn" not in everything and "Trần Thu Hà" not in everything
    export = admin_client.get("/admin/audit.csv").get_data(as_text=True)
    assert "thu.ha@congty.vn" not in export
    kept = db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(events))).all()
    assert {event.action for event in kept} == set(events.values())  # the events stay
    assert {event.target_label for event in kept if event.action.startswith("user.")} == {anonymous}
    assert (
        admin_client.get(f"/admin/audit?who=deleted-{member.id}")
        .get_data(as_text=True)
        .count(anonymous)
        >= 4
    )


def test_the_only_administrator_cannot_delete_their_account(client, create_user, login):
    admin = create_user("admin")
    login(admin)
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 400
    assert db.session.get(User, admin.id).is_active


def test_users_create_on_the_command_line(app, reference):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "QuanTri@VPCP.vn", "--role", "admin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin quantri@vpcp.vn" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "canbo@byt.gov.vn",
            "--role",
            "staff",
            "--ministry",
            "BYT",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    staff = db.session.scalar(select(User).where(User.email == "canbo@byt.gov.vn"))
    assert staff.ministry.code == "byt" and staff.is_verified
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@byt.gov.vn",
            "--role",
            "staff",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code != 0 and "phải thuộc một bộ" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "y@byt.gov.vn",
            "--role",
            "member",
            "--password",
            "12345678",
        ]
    )
    assert result.exit_code != 0
