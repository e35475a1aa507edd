"""The security baseline: headers and CSP, error pages, templates, CSRF, mass assignment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from portal import create_app
from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["/", "/regulations", "/account/sign-in", "/no-such-page"])
def test_security_headers_and_csp_on_every_page(client, reference, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts_or_styles(client, reference):
    page = client.get("/account/register").get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert " style=" not in page and " onclick=" not in page


def test_an_unexpected_error_shows_a_generic_page_with_a_request_id(app, caplog, monkeypatch):
    def boom():
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setitem(app.view_functions, "main.privacy", boom)
    try:
        response = app.test_client().get("/privacy", headers={"X-Request-Id": "abc123"})
    finally:
        caplog.clear()  # this 500 is the point of the test
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "abc123" in page and "secret detail" not in page and "Traceback" not in page
    assert "Content-Security-Policy" in response.headers


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_never_mark_data_safe_or_leave_attributes_unquoted(path):
    text = path.read_text(encoding="utf-8")
    assert "|safe" not in text.replace(" ", "")
    assert "Markup(" not in text
    assert re.search(r"\s[\w-]+=\{\{", text) is None, "unquoted attribute value"
    assert "<script>" not in text and " style=" not in text


def test_python_code_builds_markup_only_in_the_highlighter_and_the_sanitiser():
    allowed = {"portal/search/highlight.py", "portal/text.py"}
    for path in (ROOT / "portal").rglob("*.py"):
        if "Markup(" in path.read_text(encoding="utf-8"):
            assert str(path.relative_to(ROOT)) in allowed, path


def test_registration_ignores_fields_the_form_does_not_offer(client, reference):
    client.post(
        "/account/register",
        data={
            "member_type": "individual",
            "display_name": "Kẻ Tò Mò",
            "email": "tomo@congty.vn",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "locale": "vi",
            "consent": "y",
            "role": "admin",
            "ministry_id": "1",
            "is_moderator": "y",
            "email_verified_at": "2026-01-01",
        },
    )
    user = db.session.scalar(select(User).where(User.email == "tomo@congty.vn"))
    assert (user.role, user.ministry_id, user.is_moderator, user.is_verified) == (
        "member",
        None,
        False,
        False,
    )


def test_names_are_shown_escaped(client, create_user, login):
    member = create_user(display_name='<script>alert(1)</script>" onmouseover="x')
    login(member)
    page = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.fixture
def csrf_app(database_url, tmp_path):
    """The portal exactly as in production: CSRF protection on."""
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        WTF_CSRF_ENABLED=True,
        SEARCH_INDEX_DIR=str(tmp_path / "index"),
        SEARCH_LOCK_FILE=str(tmp_path / "index.lock"),
    )
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _token(client, path):
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, "no CSRF token in the form"
    return match.group(1)


def test_forms_without_a_valid_token_are_refused(csrf_app, create_user):
    member = create_user()
    client = csrf_app.test_client()
    response = client.post("/account/sign-in", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    other = csrf_app.test_client()
    foreign = _token(other, "/account/sign-in")
    response = client.post(
        "/account/sign-in",
        data={"email": member.email, "password": PASSWORD, "csrf_token": foreign},
    )
    assert response.status_code == 400
    token = _token(client, "/account/sign-in")
    response = client.post(
        "/account/sign-in", data={"email": member.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-3000:]
    # Sign-out is a form too: a bare POST (a link on another site) does nothing.
    assert client.post("/account/sign-out").status_code == 400
    assert client.get("/account").status_code == 200
    token = _token(client, "/")
    client.post("/account/sign-out", data={"csrf_token": token})
    assert client.get("/account").status_code in (302, 303)


def test_oversized_requests_get_413(client, reference):
    response = client.post(
        "/account/sign-in",
        data={"email": "a@congty.vn", "password": "x" * (21 * 1024 * 1024)},
    )
    assert response.status_code == 413


# The one sanitiser of user text (comments, answers, summaries): whatever goes in, nothing
# executable comes out, and only the tags it makes itself.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from portal.text import comment_html  # noqa: E402

PAYLOADS = [
    "<script>alert(1)</script>",
    "<svg><script>alert(1)</script></svg>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    '<a href="JaVaScRiPt&#58;alert(1)">x</a>',
    "javascript:alert(1)",
    "<iframe src=//evil.com></iframe>",
    "<style>body{display:none}</style>",
    "\u202eevil.exe\u200b",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sanitiser_neutralises_known_payloads(payload):
    html = str(comment_html(f"Trước {payload} sau"))
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert re.search(r"<[a-z]+[^>]*\son\w+=", html) is None
    for href in re.findall(r'<a href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "mailto:"))
    assert "\u202e" not in html and "\u200b" not in html


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_the_sanitiser_only_ever_emits_its_own_tags(text):
    html = str(comment_html(text))
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z][\w-]*)", html))
    assert tags <= {"p", "br", "a"}
    assert re.search(r"<[a-z]+[^>]*\son\w+\s*=", html) is None
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "mailto:"))
