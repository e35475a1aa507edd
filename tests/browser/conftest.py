"""A live portal on a background thread and Debian's Chromium driven by Playwright.

`make test` skips these tests (with a message) when /usr/bin/chromium is missing; CI sets
REQUIRE_BROWSER=1, which turns a missing browser into a failure instead.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.services import create_user
from portal.extensions import db
from portal.regulations.sample import load_sample

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} is not installed")
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


STAFF_EMAIL = "canbo.thu@byt.example"
STAFF_PASSWORD = "Mật khẩu của cán bộ Bộ Y tế 2026"
MEMBER_PASSWORD = "Mật khẩu của hội viên thử nghiệm"
MEMBERS = [f"hoivien{n}@thuysan.vn" for n in range(4)]
CONSULTATION_TITLE = "Lấy ý kiến dự thảo Thông tư về quảng cáo thực phẩm"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, chromium_path):
    """The portal with the sample catalogue and a staff account of Bộ Y tế; CSRF on."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'live.db'}",
        SEARCH_INDEX_DIR=str(folder / "index"),
        SEARCH_LOCK_FILE=str(folder / "index.lock"),
        EXPORT_DIR=str(folder / "exports"),
        WTF_CSRF_ENABLED=True,
    )
    with app.app_context():
        upgrade()
        load_sample()  # the inline sync indexes it for search
        staff = create_user(
            STAFF_EMAIL, STAFF_PASSWORD, "staff", ministry_code="byt", display_name="Ngô Thị Thu"
        )
        for number, email in enumerate(MEMBERS):
            member = create_user(
                email, MEMBER_PASSWORD, "member", display_name=f"Hội viên số {number + 1}"
            )
            member.member_type = "association" if number == 0 else "business"
            member.organisation = (
                "Hiệp hội Thực phẩm minh bạch"
                if number == 0
                else f"Công ty TNHH Thực phẩm {number}"
            )
        db.session.commit()
        _open_consultation(staff)
        db.session.remove()
    return app


def _open_consultation(staff):
    from datetime import timedelta

    from portal.consultation import services
    from portal.regulations.services import local_today

    draft = services.create_draft(
        staff,
        staff.ministry,
        "Dự thảo Thông tư quy định về quảng cáo thực phẩm",
        "circular",
        "Dự thảo thay thế quy định hiện hành.",
        "An toàn thực phẩm",
    )
    services.open_consultation(
        staff,
        draft=draft,
        title=CONSULTATION_TITLE,
        summary="Bộ Y tế đề nghị góp ý về thủ tục xác nhận nội dung "
        "quảng cáo thực phẩm bảo vệ sức khỏe.",
        opens_on=local_today(),
        closes_on=local_today() + timedelta(days=30),
    )


@pytest.fixture(scope="session")
def live_server(live_app):
    """The live portal, served on a free local port."""
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["vi", "en"])
def page(request, browser):
    """A fresh page whose browser asks for Vietnamese or English."""
    context = browser.new_context(locale="vi-VN" if request.param == "vi" else "en-GB")
    page = context.new_page()
    page.language = request.param
    yield page
    context.close()
