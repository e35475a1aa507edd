"""The consultation pages as people use them."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.consultation import services
from portal.consultation.models import Attachment, Comment, Follow
from portal.extensions import db
from tests.conftest import mails
from tests.consultation.conftest import close


def key_from(page: str) -> str:
    return re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)


def post(client, consultation, body, **extra):
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    data = {"body": body, "target": "", "idempotency_key": key_from(page), **extra}
    return client.post(f"/consultations/{consultation.id}/comments", data=data)


def test_the_list_filters_by_state_kind_and_ministry_with_counts(client, world):
    page = client.get("/consultations").get_data(as_text=True)
    assert "Dự thảo Nghị định về thương mại điện tử" in page
    assert "Còn 30 ngày" in page
    closed = client.get("/consultations?state=closed").get_data(as_text=True)
    assert "Dự thảo Nghị định về thương mại điện tử" not in closed
    assert "0 đợt lấy ý kiến" in closed
    page = client.get("/consultations?kind=plan&ministry=bct").get_data(as_text=True)
    assert "Dự thảo Nghị định về thương mại điện tử" not in page
    page = client.get("/consultations?state=nope&ministry=zzz&field=x&kind=y")
    assert page.status_code == 200 and "bỏ qua" in page.get_data(as_text=True)


def test_a_member_comments_and_sees_the_receipt(client, world, login):
    consultation = world["consultation"]
    guest = client.post(f"/consultations/{consultation.id}/comments", data={"body": "x"})
    assert "/account/sign-in" in guest.headers["Location"]
    login(world["business"])
    response = post(
        client,
        consultation,
        "Đề nghị bỏ yêu cầu dán tem phụ. Xem https://vbpl.vn",
        target=f"reg:{world['draft_regulation'].id}",
    )
    assert response.status_code in (302, 303)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    comment = db.session.scalar(select(Comment))
    assert f"Mã tiếp nhận {comment.receipt}" in page
    assert '<a href="https://vbpl.vn" rel="nofollow ugc noopener noreferrer">' in page
    assert "Doanh nghiệp" in page and "Phạm Bảo (Công ty TNHH Xanh)" in page
    assert comment.regulation_id == world["draft_regulation"].id


def test_the_same_form_sent_twice_makes_one_comment(client, world, login):
    login(world["citizen"])
    consultation = world["consultation"]
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    data = {"body": "Gửi hai lần.", "target": "", "idempotency_key": key_from(page)}
    first = client.post(f"/consultations/{consultation.id}/comments", data=data)
    second = client.post(f"/consultations/{consultation.id}/comments", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Comment.id))) == 1


def test_xss_in_a_comment_is_shown_as_text(client, world, login):
    login(world["citizen"])
    post(
        client,
        world["consultation"],
        "<script>alert(1)</script><img src=x onerror=alert(1)> "
        '<a href="JaVaScRiPt&#58;alert(1)">x</a>',
    )
    page = client.get(f"/consultations/{world['consultation'].id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_bad_comment_input_gets_a_clear_message(client, world, login):
    login(world["citizen"])
    response = post(client, world["consultation"], "   \u200b  ")
    assert response.status_code == 400
    assert "Nhập ý kiến của bạn" in response.get_data(as_text=True)
    response = post(client, world["consultation"], "x" * 5001)
    assert response.status_code == 400 and "5.000" in response.get_data(as_text=True)
    response = post(client, world["consultation"], "ok", target="reg:999999")
    assert response.status_code == 400
    response = post(client, world["consultation"], "ok", parent_id="abc")
    assert response.status_code == 404
    big = client.post(
        f"/consultations/{world['consultation'].id}/comments",
        data={"body": "x" * (10 * 1024 * 1024)},
    )
    assert big.status_code == 413


def test_closed_consultations_are_read_only(client, world, login):
    close(world["consultation"])
    login(world["citizen"])
    page = client.get(f"/consultations/{world['consultation'].id}").get_data(as_text=True)
    assert "đã kết thúc" in page and 'name="body"' not in page
    response = client.post(
        f"/consultations/{world['consultation'].id}/comments",
        data={"body": "Muộn.", "target": "", "idempotency_key": "muon-1234567"},
    )
    assert response.status_code == 400 and "không mở" in response.get_data(as_text=True)


def test_staff_answer_from_their_queue_and_the_author_rates(app, client, world, login):
    posted = services.post_comment(world["business"], world["consultation"], "Góp ý.", "k" * 10)
    other = app.test_client()
    login_other = other.post(
        "/account/sign-in",
        data={"email": world["other_staff"].email, "password": "Mật khẩu rất dài của tôi 2026"},
    )
    assert login_other.status_code in (302, 303)
    assert other.get(f"/comments/{posted.id}/answer").status_code == 403
    assert other.get("/workspace/bct/queue").status_code == 403
    login(world["staff"])
    queue = client.get("/workspace/bct/queue").get_data(as_text=True)
    assert posted.receipt in queue
    response = client.post(
        f"/comments/{posted.id}/answer", data={"outcome": "not_accepted", "body": ""}
    )
    assert response.status_code == 400 and "Có lỗi" in response.get_data(as_text=True)
    response = client.post(
        f"/comments/{posted.id}/answer",
        data={"outcome": "partly_accepted", "body": "Tiếp thu một phần."},
    )
    assert response.status_code in (302, 303)
    assert mails("comment_answered")[0].to_address == world["business"].email
    client.post("/account/sign-out")
    login(world["business"])
    page = client.get(f"/consultations/{world['consultation'].id}").get_data(as_text=True)
    assert "Tiếp thu một phần" in page and "Đánh giá câu trả lời" in page
    client.post(f"/comments/{posted.id}/rating", data={"score": "4", "remark": "Rõ."})
    page = client.get(f"/consultations/{world['consultation'].id}").get_data(as_text=True)
    assert "4/5" in page


def test_reporting_and_the_moderation_queue(app, client, world, login, create_user):
    posted = services.post_comment(world["citizen"], world["consultation"], "Quảng cáo.", "q" * 10)
    for _ in range(3):
        reporter = create_user()
        other = app.test_client()
        other.post(
            "/account/sign-in",
            data={"email": reporter.email, "password": "Mật khẩu rất dài của tôi 2026"},
        )
        other.post(f"/comments/{posted.id}/report", data={"reason": "Quảng cáo."})
    db.session.expire_all()
    assert posted.status == "hidden"
    public = app.test_client().get(f"/consultations/{world['consultation'].id}")
    assert "Quảng cáo." not in public.get_data(as_text=True)
    assert "đang tạm ẩn" in public.get_data(as_text=True)
    login(world["admin"])
    assert posted.receipt in client.get("/moderation").get_data(as_text=True)
    client.post(
        f"/comments/{posted.id}/moderate", data={"decision": "remove", "reason": "Quảng cáo."}
    )
    db.session.expire_all()
    assert posted.status == "removed"
    page = app.test_client().get(f"/consultations/{world['consultation'].id}")
    assert "đã bị người kiểm duyệt gỡ bỏ" in page.get_data(as_text=True)
    assert app.test_client().get("/moderation-policy").status_code == 200


def test_the_summary_report_prints_and_downloads_safely(client, world):
    posted = services.post_comment(
        world["association"], world["consultation"], '=HYPERLINK("http://x","y")', "s" * 10
    )
    services.answer_comment(world["staff"], posted, "explained", "+1+1 giải trình")
    page = client.get(f"/consultations/{world['consultation'].id}/summary").get_data(as_text=True)
    assert "Bảng tổng hợp, tiếp thu, giải trình ý kiến" in page and posted.receipt in page
    download = client.get(f"/consultations/{world['consultation'].id}/summary.csv")
    assert download.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][0] == posted.receipt and rows[1][3] == "Hiệp hội doanh nghiệp"
    assert rows[1][5].startswith("'=") and rows[1][7].startswith("'+")
    assert rows[1][6] == "Giải trình"
    xlsx = client.get(f"/consultations/{world['consultation'].id}/summary.xlsx")
    assert xlsx.data[:2] == b"PK"


def _docx(extra=b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>" + extra.decode())
    return buffer.getvalue()


def _upload(client, world, data, name):
    # Encoded in memory: the test client would spool a large body to a temporary file that
    # stays open when the portal refuses it before reading (413).
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    fields = MultiDict({"file": FileStorage(io.BytesIO(data), filename=name)})
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/workspace/bct/consultations/{world['consultation'].id}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_attachments_are_checked_and_served_safely(client, world, login):
    login(world["staff"])
    assert _upload(
        client, world, b"%PDF-1.7\n...", "Báo cáo đánh giá tác động.pdf"
    ).status_code in (302, 303)
    assert _upload(client, world, _docx(), "../../etc/Dự thảo.docx").status_code in (302, 303)
    assert _upload(client, world, b"MZ\x90\x00", "a.pdf").status_code == 400
    assert _upload(client, world, b"%PDF-1.4", "a.pdf.exe").status_code == 400
    assert _upload(client, world, b"", "rong.pdf").status_code == 400
    assert _upload(client, world, b"PK\x03\x04 not a zip", "x.docx").status_code == 400
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "0" * (70 * 1024 * 1024))
    assert _upload(client, world, bomb.getvalue(), "bom.docx").status_code == 400
    assert (
        _upload(client, world, b"%PDF-" + b"0" * (11 * 1024 * 1024), "lon.pdf").status_code == 413
    )
    files = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [f.filename for f in files] == ["Báo cáo đánh giá tác động.pdf", "Dự thảo.docx"]
    response = client.get(f"/consultations/{world['consultation'].id}/attachments/{files[0].id}")
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''B%C3%A1o" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert client.get(f"/consultations/999/attachments/{files[0].id}").status_code == 404


def test_following_a_ministry_brings_mail_when_a_consultation_opens(client, world, login):
    login(world["citizen"])
    response = client.post(
        "/follow",
        data={
            "target_type": "ministry",
            "target_id": world["ministry"].id,
            "follow": "1",
            "next": "//evil.com",
        },
    )
    assert response.headers["Location"] in ("/", "http://localhost/")
    assert db.session.scalar(select(func.count(Follow.id))) == 1
    assert client.post("/follow", data={"target_type": "x", "target_id": "1"}).status_code == 404
    from datetime import timedelta

    from portal.regulations.services import local_today

    services.open_consultation(
        world["staff"],
        plan=world["plan"],
        title="",
        summary="Góp ý.",
        opens_on=local_today(),
        closes_on=local_today() + timedelta(days=30),
    )
    assert [m.to_address for m in mails("consultation_opened")] == [world["citizen"].email]
    client.post(
        "/follow",
        data={"target_type": "ministry", "target_id": world["ministry"].id, "follow": "0"},
    )
    assert db.session.scalar(select(func.count(Follow.id))) == 0


def test_atom_feeds_list_consultations_and_answers(client, world):
    posted = services.post_comment(world["business"], world["consultation"], "Góp ý.", "f" * 10)
    services.answer_comment(world["staff"], posted, "accepted", "Tiếp thu.")
    for path in ("/feeds/consultations.atom", "/feeds/answers.atom?ministry=bct"):
        response = client.get(path)
        assert response.mimetype == "application/atom+xml"
        feed = ElementTree.fromstring(response.data)  # noqa: S314 (our own feed)
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == 1
    assert client.get("/feeds/answers.atom?ministry=zzz").status_code == 404


def test_feedback_on_a_regulation_goes_to_the_ministry(client, world, login):
    login(world["association"])
    page = client.get("/regulations/BCT-2/feedback").get_data(as_text=True)
    key = key_from(page)
    response = client.post(
        "/regulations/BCT-2/feedback",
        data={"body": "Thủ tục phải nộp bản giấy.", "idempotency_key": key},
    )
    assert response.status_code in (302, 303)
    feedback = db.session.scalar(select(Comment).where(Comment.kind == "feedback"))
    assert feedback.ministry.code == "bct" and feedback.receipt.startswith("PA-")
    assert client.get(f"/feedback/{feedback.id}").status_code == 200
    detail = client.get("/regulations/BCT-2").get_data(as_text=True)
    assert "Thủ tục phải nộp bản giấy." in detail
    assert client.get("/regulations/BCT-D1/feedback").status_code == 200  # form shows, post refused
    response = client.post(
        "/regulations/BCT-D1/feedback", data={"body": "x", "idempotency_key": key + "2"}
    )
    assert response.status_code == 400


def test_staff_run_a_plan_from_the_workspace(client, world, login):
    login(world["staff"])
    plan = world["plan"]
    base = f"/workspace/bct/plans/{plan.id}"
    assert client.get(base).status_code == 200
    response = client.post(f"{base}/status", data={"status": "submitted", "on": "2099-01-01"})
    assert response.status_code == 400 and "tương lai" in response.get_data(as_text=True)
    from portal.regulations.services import local_today

    today = local_today().isoformat()
    client.post(f"{base}/status", data={"status": "submitted", "on": today})
    response = client.post(
        f"{base}/status", data={"status": "approved", "on": today, "decision_number": "12/QĐ-TTg"}
    )
    assert response.status_code in (302, 303)
    item = plan.items[0]
    response = client.post(
        f"{base}/items/{item.id}/done", data={"done_on": today, "document_number": "15/2026/NĐ-CP"}
    )
    assert response.status_code in (302, 303)
    public = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "12/QĐ-TTg" in public and "15/2026/NĐ-CP" in public
    plans = client.get("/plans").get_data(as_text=True)
    assert "Phương án cắt giảm năm nay" in plans


@pytest.mark.parametrize(
    "path",
    [
        "/consultations/0",
        "/consultations/999999",
        "/plans/0",
        "/feedback/999",
        "/comments/999/edit",
    ],
)
def test_unknown_objects_are_404(client, world, login, path):
    login(world["citizen"])
    assert client.get(path).status_code == 404


def test_consultations_are_found_by_search_accent_insensitively(client, world):
    page = client.get("/search?q=thuong mai dien tu").get_data(as_text=True)
    assert f'/consultations/{world["consultation"].id}"' in page
    only = client.get("/search?q=thuong mai dien tu&type=consultation").get_data(as_text=True)
    assert "BCT-D1" not in only and f'/consultations/{world["consultation"].id}"' in only
    from portal.search.sync import verify

    found = verify(client.application.extensions["search"])
    assert (found.missing, found.extra, found.stale) == (set(), set(), set())


def test_the_account_page_lists_what_a_member_follows(client, world, login):
    login(world["citizen"])
    field = world["draft"].field
    client.post(
        "/follow",
        data={
            "target_type": "field",
            "target_id": field.id,
            "follow": "1",
            "next": f"/fields/{field.slug}",
        },
    )
    client.post(
        "/follow",
        data={"target_type": "consultation", "target_id": world["consultation"].id, "follow": "1"},
    )
    page = client.get("/account").get_data(as_text=True)
    assert field.name_vi in page and "Dự thảo Nghị định về thương mại điện tử" in page
    assert page.count("Bỏ theo dõi") == 2


CONSULTATION_LISTS = [
    ("/consultations", ["state", "kind", "ministry", "field", "page", "per_page"]),
    ("/plans", ["year"]),
    ("/moderation", ["page"]),
    ("/workspace/bct/queue", ["show", "page"]),
    ("/feeds/answers.atom", ["ministry"]),
    ("/feeds/consultations.atom", ["ministry"]),
]


@pytest.mark.parametrize(("route", "params"), CONSULTATION_LISTS)
def test_consultation_lists_survive_bad_parameters(client, world, login, route, params):
    from tests.test_bad_inputs import BAD_VALUES

    login(world["admin"])
    for param in params:
        for value in BAD_VALUES:
            response = client.get(route, query_string={param: value})
            assert response.status_code in (200, 404), (route, param, value)
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_consultation_forms_survive_bad_values(client, world, login):
    from tests.test_bad_inputs import BAD_VALUES

    login(world["staff"])
    consultation = world["consultation"]
    posted = services.post_comment(world["business"], consultation, "Góp ý.", "b" * 10)
    plan = world["plan"]
    for value in [*BAD_VALUES, '<script>alert(1)</script>" onmouseover="x']:
        for path, data in [
            (
                f"/consultations/{consultation.id}/comments",
                {"body": value, "target": value, "parent_id": value, "idempotency_key": value},
            ),
            (f"/comments/{posted.id}/answer", {"outcome": value, "body": value}),
            (f"/comments/{posted.id}/report", {"reason": value}),
            (f"/comments/{posted.id}/rating", {"score": value, "remark": value}),
            (f"/comments/{posted.id}/moderate", {"decision": value, "reason": value}),
            ("/workspace/bct/drafts/new", {"title": value, "doc_type": value, "field": value}),
            ("/workspace/bct/plans/new", {"title": value, "year": value}),
            (
                f"/workspace/bct/plans/{plan.id}/items",
                {
                    "regulation": value,
                    "action": value,
                    "time_hours_after": value,
                    "due_date": value,
                },
            ),
            (
                f"/workspace/bct/plans/{plan.id}/status",
                {"status": value, "on": value, "decision_number": value},
            ),
            (
                f"/workspace/bct/consultations/new?draft={world['draft'].id}",
                {"title": value, "summary": value, "opens_on": value, "closes_on": value},
            ),
            ("/follow", {"target_type": value, "target_id": value, "next": value}),
            (
                f"/consultations/{consultation.id}/comments",
                {"body": "Góp ý.", "target": "reg:" + value, "idempotency_key": "k" + value},
            ),
            (
                f"/consultations/{consultation.id}/comments",
                {"body": "Góp ý.", "target": "item:" + value, "idempotency_key": "i" + value},
            ),
        ]:
            response = client.post(path, data=data)
            assert response.status_code in (200, 302, 303, 400, 403, 404), (path, value)
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
        for kind in ("draft", "plan"):
            response = client.get("/workspace/bct/consultations/new", query_string={kind: value})
            assert response.status_code in (200, 404), (kind, value)


def test_the_ministries_page_shows_answer_rates_and_satisfaction(client, world):
    posted = services.post_comment(world["business"], world["consultation"], "Góp ý.", "m" * 10)
    services.post_comment(world["citizen"], world["consultation"], "Góp ý hai.", "n" * 10)
    services.answer_comment(world["staff"], posted, "accepted", "Tiếp thu.")
    services.rate_answer(world["business"], posted, 5)
    page = client.get("/ministries").get_data(as_text=True)
    row = page[page.index("/ministries/bct") :]
    row = row[: row.index("</tr>")]
    assert "1/2" in row and "50 %" in row and "5/5" in row


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_the_home_page_shows_open_consultations_and_recent_answers(client, world):
    from datetime import timedelta

    from portal.regulations.services import local_today

    today = local_today()
    services.open_consultation(
        world["staff"],
        plan=world["plan"],
        title="Lấy ý kiến phương án sắp tới",
        summary="Góp ý.",
        opens_on=today + timedelta(days=3),
        closes_on=today + timedelta(days=40),
    )
    empty = client.get("/").get_data(as_text=True)
    assert "Chưa có câu trả lời nào." in _section(empty, "answers-heading")
    posted = services.post_comment(world["business"], world["consultation"], "Góp ý.", "h" * 10)
    services.answer_comment(
        world["staff"], posted, "partly_accepted", "Bộ tiếp thu một phần: giữ hồ sơ điện tử."
    )
    page = client.get("/").get_data(as_text=True)
    assert "Dự thảo Nghị định về thương mại điện tử" in page
    assert "Còn 30 ngày" in page
    assert "Lấy ý kiến phương án sắp tới" not in page  # upcoming, not open
    assert f"/consultations/{world['consultation'].id}#comment-{posted.id}" in page
    assert "Tiếp thu một phần" in page and "giữ hồ sơ điện tử" in page
    assert "Bộ Công Thương" in page


def test_a_ministry_page_shows_its_consultations_plans_answer_rate_and_median_time(client, world):
    from datetime import timedelta

    first = services.post_comment(world["business"], world["consultation"], "Một.", "a" * 10)
    second = services.post_comment(world["citizen"], world["consultation"], "Hai.", "b" * 10)
    services.post_comment(world["association"], world["consultation"], "Ba.", "c" * 10)
    services.post_comment(world["business"], world["consultation"], "Bốn.", "d" * 10)
    for posted, days in ((first, 2), (second, 5)):
        answer = services.answer_comment(world["staff"], posted, "accepted", "Tiếp thu.")
        answer.created_at = posted.created_at + timedelta(days=days)
    db.session.commit()
    page = client.get("/ministries/bct").get_data(as_text=True)
    consultations = _section(page, "ministry-consultations")
    assert "Dự thảo Nghị định về thương mại điện tử" in consultations
    assert f'/consultations/{world["consultation"].id}"' in consultations
    plans = _section(page, "ministry-plans")
    assert "Phương án cắt giảm năm nay" in plans and "Dự kiến" in plans
    answers = _section(page, "ministry-answers")
    assert re.search(r"<dd>4</dd>", answers)  # received
    assert "2 (50,0 %)" in answers  # answered, and the answer rate
    assert "3,5 ngày" in answers  # the median of 2 and 5 days
    other = client.get("/ministries/byt").get_data(as_text=True)
    assert "Dự thảo Nghị định về thương mại điện tử" not in other
    assert "Bộ, ngành này chưa lấy ý kiến trên Cổng." in _section(other, "ministry-consultations")


def test_approving_a_reported_comment_records_who_and_when(client, world, login, create_user):
    from portal.audit.models import AuditEvent
    from portal.core.models import utcnow

    posted = services.post_comment(world["business"], world["consultation"], "Bị báo.", "r" * 10)
    for reporter in (world["citizen"], world["association"], create_user()):
        services.report_comment(reporter, posted, "Quảng cáo.")
    assert posted.status == "hidden"
    login(world["admin"])
    before = utcnow()
    response = client.post(
        f"/comments/{posted.id}/moderate", data={"decision": "approve", "reason": "Hợp lệ."}
    )
    assert response.status_code in (302, 303)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "moderation.approved"))
    assert event.actor_id == world["admin"].id
    assert event.target_id == posted.id and event.target_label == posted.receipt
    assert before <= event.created_at <= utcnow()
    assert event.detail == "Hợp lệ."
    db.session.expire_all()
    assert db.session.get(Comment, posted.id).moderated_by_id == world["admin"].id
    log = client.get("/admin/audit?action=moderation.approved").get_data(as_text=True)
    rows = log[log.find("<tbody") : log.find("</tbody>")]
    from portal.i18n import format_moment

    assert world["admin"].email in rows and posted.receipt in rows
    with force_locale("vi"):
        assert f"<td>{format_moment(event.created_at)}</td>" in rows  # when, in Vietnam time


def _article(page: str, comment_id: int) -> str:
    start = page.index(f'id="comment-{comment_id}"')
    return page[start : page.index("</article>", start)]


def test_an_edited_comment_says_so_and_shows_its_earlier_versions_to_everyone(
    app, client, world, login
):
    from portal.consultation.models import CommentRevision

    consultation = world["consultation"]
    login(world["business"])
    post(client, consultation, "Bản đầu: đề nghị bỏ tem phụ.")
    posted = db.session.scalar(select(Comment))
    for text in ("Bản hai: đề nghị bỏ tem phụ <b>ngay</b>.", "Bản ba: đề nghị bỏ tem phụ."):
        response = client.post(f"/comments/{posted.id}/edit", data={"body": text})
        assert response.status_code in (302, 303)
    guest = app.test_client()
    article = _article(
        guest.get(f"/consultations/{consultation.id}").get_data(as_text=True), posted.id
    )
    assert "đã sửa" in article
    assert "Bản ba: đề nghị bỏ tem phụ." in article
    history = article[article.index("<details") : article.index("</details>")]
    assert "2 phiên bản trước" in history
    assert history.index("Bản hai") < history.index("Bản đầu")  # newest first
    assert "&lt;b&gt;ngay&lt;/b&gt;" in history and "<b>ngay" not in history
    from portal.i18n import format_moment

    first, second = db.session.scalars(select(CommentRevision).order_by(CommentRevision.id)).all()
    with force_locale("vi"):
        assert f"Phiên bản viết lúc {format_moment(posted.created_at)}" in history
        assert f"Phiên bản viết lúc {format_moment(first.created_at)}" in history


def test_an_unedited_comment_has_no_history(client, world):
    posted = services.post_comment(world["citizen"], world["consultation"], "Một lần.", "u" * 10)
    article = _article(
        client.get(f"/consultations/{world['consultation'].id}").get_data(as_text=True), posted.id
    )
    assert "đã sửa" not in article and "<details" not in article
    assert posted.earlier_versions == []


def test_the_history_of_a_hidden_or_removed_comment_is_not_shown(client, world, create_user):
    posted = services.post_comment(world["business"], world["consultation"], "Lời thô.", "v" * 10)
    services.edit_comment(world["business"], posted, "Lời thô hơn nữa.")
    for reporter in (world["citizen"], world["association"], create_user()):
        services.report_comment(reporter, posted, "Xúc phạm.")
    page = client.get(f"/consultations/{world['consultation'].id}").get_data(as_text=True)
    assert "Lời thô" not in page
    services.moderate_comment(world["admin"], posted, "remove", "Xúc phạm.")
    page = client.get(f"/consultations/{world['consultation'].id}").get_data(as_text=True)
    assert "Lời thô" not in page and "<details" not in _article(page, posted.id)


def test_the_edit_form_survives_bad_values_and_keeps_the_text(client, world, login):
    from tests.test_bad_inputs import BAD_VALUES

    login(world["business"])
    posted = services.post_comment(world["business"], world["consultation"], "Góp ý.", "w" * 10)
    for value in [*BAD_VALUES, '<script>alert(1)</script>" onmouseover="x', "x" * 5001]:
        response = client.post(f"/comments/{posted.id}/edit", data={"body": value})
        assert response.status_code in (302, 303, 400), value[:40]
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    too_long = "Ý kiến rất dài " + "x" * 5000
    response = client.post(f"/comments/{posted.id}/edit", data={"body": too_long})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "5.000 ký tự" in page and too_long in page  # what was typed is not lost


def test_the_workspace_explains_a_refused_plan_date_and_keeps_what_was_typed(client, world, login):
    from datetime import timedelta

    from portal.regulations.services import local_today

    login(world["staff"])
    plan = world["plan"]
    base = f"/workspace/bct/plans/{plan.id}"
    created = local_today()
    page = client.get(base).get_data(as_text=True)
    assert f'min="{created.isoformat()}"' in page and f'max="{created.isoformat()}"' in page
    early = (created - timedelta(days=200)).isoformat()
    response = client.post(f"{base}/status", data={"status": "submitted", "on": early})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Lỗi:" in page
    assert f"Phương án được tạo ngày {created:%d/%m/%Y}; ngày này không thể sớm hơn." in page
    assert f'value="{early}"' in page  # the date typed stays
    assert '<a href="#on">' in page and 'id="on"' in page  # the summary links to the field
    db.session.expire_all()
    assert db.session.get(type(plan), plan.id).status == "drafting"
    english = client.post(
        f"{base}/status",
        data={"status": "submitted", "on": early},
        headers={"Accept-Language": "en"},
    ).get_data(as_text=True)
    assert "The plan was created on" in english
    # An open consultation: a message for the whole form.
    services.open_consultation(
        world["staff"],
        plan=plan,
        title="",
        summary="Góp ý.",
        opens_on=created,
        closes_on=created + timedelta(days=35),
    )
    response = client.post(
        f"{base}/status", data={"status": "submitted", "on": created.isoformat()}
    )
    assert response.status_code == 400
    assert "đang lấy ý kiến đến hết ngày" in response.get_data(as_text=True)


def test_a_refused_approval_keeps_the_decision_number(client, world, login):
    from datetime import timedelta

    from portal.regulations.services import local_today

    plan = world["plan"]
    plan.created_at -= timedelta(days=30)
    db.session.commit()
    today = local_today()
    services.advance_plan(world["staff"], plan, "submitted", on=today - timedelta(days=5))
    login(world["staff"])
    response = client.post(
        f"/workspace/bct/plans/{plan.id}/status",
        data={
            "status": "approved",
            "on": (today - timedelta(days=6)).isoformat(),
            "decision_number": "1977/QĐ-TTg",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "không thể được phê duyệt sớm hơn" in page
    assert 'value="1977/QĐ-TTg"' in page


def test_a_plan_never_names_a_regulation_the_public_may_not_see(client, world, login):
    """Only published regulations go into a plan; one unpublished after it was planned is
    shown to the public (web and API) as an unpublished regulation, by code only to its
    ministry's staff."""
    from portal.errors import RuleViolation
    from portal.regulations.models import Regulation

    staff, plan = world["staff"], world["plan"]
    hidden = db.session.scalar(select(Regulation).where(Regulation.code == "BCT-1"))
    hidden.published = False
    db.session.commit()
    other_plan = services.create_plan(staff, world["ministry"], "Phương án bổ sung", "", 2026)
    with pytest.raises(RuleViolation, match="BCT-1"):
        services.add_plan_item(staff, other_plan, "BCT-1", "abolish", "", {}, None)
    db.session.rollback()
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "BCT-1" not in page and "chưa công khai" in page and "BCT-2" in page
    api = client.get(f"/api/v1/plans/{plan.id}").get_json()
    refs = [item["regulation"] for item in api["items"]]
    assert {"code": None, "title": None, "url": None, "published": False} in refs
    assert "BCT-1" not in str(api)
    login(staff)
    assert "BCT-1" in client.get(f"/plans/{plan.id}").get_data(as_text=True)
