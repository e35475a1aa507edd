"""Registering as an individual, a business or an association, and confirming the address."""

from __future__ import annotations

import unicodedata

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import PASSWORD, link_in, mails


def form(**values):
    data = {
        "member_type": "individual",
        "display_name": "Nguyễn Thị Mai",
        "email": "mai@congty.vn",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "locale": "vi",
        "consent": "y",
    }
    data.update(values)
    return data


def user(email="mai@congty.vn") -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture(autouse=True)
def _ministries(reference):
    pass


def test_an_individual_registers_is_signed_in_and_gets_a_confirmation_link(client):
    response = client.post("/account/register", data=form())
    assert response.status_code in (302, 303)
    account = user()
    assert account.role == "member" and account.member_type == "individual"
    assert not account.is_verified
    assert account.password_hash.startswith("scrypt:")
    page = client.get("/account").get_data(as_text=True)
    assert "Xác nhận địa chỉ e-mail" in page or "Confirm your e-mail" in page
    [message] = mails("verify")
    assert message.to_address == "mai@congty.vn"
    assert message.status == "logged"  # development and tests: written to the log
    response = client.get(link_in(message))
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert user().is_verified
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == [
        "account.register_attempt",
        "account.registered",
        "account.link_sent",
        "account.verified",
    ]


def test_a_business_needs_its_name_and_a_valid_tax_code(client):
    response = client.post("/account/register", data=form(member_type="business"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Có lỗi" in page and "Nhập tên tổ chức" in page
    response = client.post(
        "/account/register",
        data=form(member_type="business", organisation="Công ty CP Sữa Hà Nội", tax_code="12345"),
    )
    assert response.status_code == 400
    assert "10 chữ số" in response.get_data(as_text=True)
    assert user() is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0101234567", "0101234567"),
        ("0101234567-001", "0101234567-001"),
        ("0101234567001", "0101234567-001"),
        (" 0101 234 567 - 001 ", "0101234567-001"),
        # Pasted from a CJK-locale document: read as ASCII, stored as ASCII.
        ("０１０１２３４５６７", "0101234567"),
        ("０１０１２３４５６７－００１", "0101234567-001"),
    ],
)
def test_tax_codes_of_companies_and_branches(client, typed, stored):
    response = client.post(
        "/account/register",
        data=form(member_type="business", organisation="Công ty TNHH Minh Long", tax_code=typed),
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert user().tax_code == stored
    assert user().public_name == "Nguyễn Thị Mai (Công ty TNHH Minh Long)"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("٠١٠١٢٣٤٥٦٧", "chữ số từ 0 đến 9"),  # Arabic-Indic digits
        ("۰۱۰۱۲۳۴۵۶۷", "chữ số từ 0 đến 9"),  # Extended Arabic-Indic
        ("०१०१२३४५६७", "chữ số từ 0 đến 9"),  # Devanagari
        ("0101234567-٠٠١", "chữ số từ 0 đến 9"),
        ("⁰¹⁰¹²³⁴⁵⁶⁷", "chữ số từ 0 đến 9"),  # superscripts (NFKC would accept them)
        ("①②③④⑤⑥⑦⑧⑨⑩", "10 chữ số"),
        ("0101234567x", "10 chữ số"),
        ("01012345678", "10 chữ số"),
    ],
)
def test_tax_codes_in_other_digits_are_refused_and_the_value_kept(client, typed, message):
    response = client.post(
        "/account/register",
        data=form(member_type="business", organisation="Công ty TNHH Minh Long", tax_code=typed),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Công ty TNHH Minh Long" in page  # what was typed stays in the form
    assert user() is None


def test_the_profile_refuses_non_ascii_tax_codes_too(client, login, create_user):
    member = create_user(member_type="business", organisation="Công ty A", tax_code="0101234567")
    login(member)
    response = client.post(
        "/account/profile",
        data={
            "display_name": "Người dùng",
            "member_type": "business",
            "organisation": "Công ty A",
            "tax_code": "٠١٠١٢٣٤٥٦٧",
            "email": member.email,
            "locale": "vi",
        },
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, member.id).tax_code == "0101234567"


def test_an_association_gives_its_sector_and_member_firms(client):
    data = form(member_type="association", organisation="Hiệp hội Dệt May Việt Nam")
    assert client.post("/account/register", data=data).status_code == 400
    data.update(sector="Dệt may", member_firms="800")
    assert client.post("/account/register", data=data).status_code in (302, 303)
    account = user()
    assert (account.sector, account.member_firms) == ("Dệt may", 800)
    assert account.tax_code == ""


def test_addresses_differing_only_in_case_are_one_account(client):
    client.post("/account/register", data=form(email="Mai@CongTy.vn"))
    assert user("mai@congty.vn") is not None
    other = client.application.test_client()
    response = other.post("/account/register", data=form(email="MAI@congty.VN"))
    assert response.status_code == 400
    assert "đã có tài khoản" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_names_are_stored_in_nfc_without_invisible_characters(client):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Mai")
    client.post("/account/register", data=form(display_name=f"\u200b{decomposed}\u202e "))
    assert user().display_name == "Nguyễn Thị Mai"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("ngắn", "ít nhất 8 ký tự"),
        ("12345678", "quá phổ biến"),
        ("MatKhau123", "quá phổ biến"),
        ("aaaaaaaaaaaa", "quá phổ biến"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, password, message):
    response = client.post("/account/register", data=form(password=password, confirm=password))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user() is None


def test_the_two_passwords_must_match_and_consent_is_required(client):
    response = client.post("/account/register", data=form(confirm=PASSWORD + "x", consent=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "không giống nhau" in page and "chính sách bảo vệ dữ liệu" in page
    assert "<title>Lỗi:" in page


def test_an_invalid_or_expired_link_explains_itself(client):
    client.post("/account/register", data=form())
    [message] = mails("verify")
    link = link_in(message)
    tampered = client.get(link[:-3] + "abc")
    assert tampered.status_code == 400
    assert "không hợp lệ" in tampered.get_data(as_text=True)
    with freeze_time("2099-01-01"):
        expired = client.get(link)
    assert expired.status_code == 400
    assert "hết hạn" in expired.get_data(as_text=True)
    assert not user().is_verified


def test_a_new_link_can_be_asked_for_a_few_times(client):
    client.post("/account/register", data=form())
    for _ in range(2):
        assert client.post("/account/verify/resend").status_code in (302, 303)
    assert len(mails("verify")) == 3
    client.post("/account/verify/resend")  # the fourth within the hour is refused
    assert len(mails("verify")) == 3
    page = client.get("/account").get_data(as_text=True)
    assert "Quá nhiều lần thử" in page


def test_registration_is_limited_per_address(client, app):
    app.config["AUTH_LIMITS"] = {"register_ip": 2}
    try:
        for number in range(2):
            fresh = app.test_client()
            fresh.post("/account/register", data=form(email=f"user{number}@congty.vn"))
        response = app.test_client().post("/account/register", data=form(email="x@congty.vn"))
    finally:
        app.config["AUTH_LIMITS"] = {}
    assert response.status_code == 429
    assert response.headers["Retry-After"].isdigit()
    assert user("x@congty.vn") is None


def test_registering_an_existing_address_again_and_again_is_limited(client, create_user):
    """Each "this address already has an account" answer tells whether an address is known:
    30 tries from one place may not all get it."""
    known = create_user(email="da-co@congty.vn")
    answers = [client.post("/account/register", data=form(email=known.email)) for _ in range(30)]
    codes = [response.status_code for response in answers]
    assert codes[:5] == [400] * 5
    assert set(codes[5:]) == {429}
    refused = answers[-1]
    assert "Quá nhiều lần thử" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert "đã có tài khoản" not in refused.get_data(as_text=True)
    # The form keeps what was typed.
    assert "Nguyễn Thị Mai" in refused.get_data(as_text=True)


def test_the_limit_per_address_counts_failed_attempts_with_other_emails(client, app):
    app.config["AUTH_LIMITS"] = {"register_attempt_ip": 3}
    try:
        for number in range(3):  # weak passwords: refused, but counted
            weak = client.post(
                "/account/register",
                data=form(email=f"thu{number}@congty.vn", password="12345678", confirm="12345678"),
            )
            assert weak.status_code == 400
        response = client.post("/account/register", data=form(email="moi@congty.vn"))
    finally:
        app.config["AUTH_LIMITS"] = {}
    assert response.status_code == 429
    assert user("moi@congty.vn") is None


def test_the_registration_limit_is_in_english_for_english_readers(client, create_user):
    known = create_user(email="known@congty.vn")
    for _ in range(5):
        client.post("/account/register", data=form(email=known.email))
    response = client.post(
        "/account/register", data=form(email=known.email), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_the_registration_limit_holds_across_workers(app, create_user, database_url):
    """Two app instances are two gunicorn workers sharing the database."""
    from portal import create_app

    email = create_user(email="known@congty.vn").email
    db.session.remove()
    other_worker = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
        SEARCH_LOCK_FILE=app.config["SEARCH_LOCK_FILE"],
    )
    for worker in (app, other_worker, app, other_worker, app):
        with worker.app_context():
            assert (
                worker.test_client().post("/account/register", data=form(email=email)).status_code
                == 400
            )
            db.session.remove()
    with other_worker.app_context():
        response = other_worker.test_client().post("/account/register", data=form(email=email))
        assert response.status_code == 429
        db.session.remove()
        db.engine.dispose()


def test_english_messages_for_english_users(client):
    response = client.post(
        "/account/register",
        data=form(member_type="business", tax_code="1"),
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter the name of the organisation you speak for." in page
