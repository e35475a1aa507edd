"""Sample consultations, plans, comments, answers, ratings and feedback for `make run`.

Invented for trying the portal (labelled as sample data on every page), dated relative to the
day they are first loaded so that there is an open, an upcoming and a closed consultation.
Loading again changes nothing: each object is looked up by its title first.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.consultation.models import (
    Answer,
    Comment,
    CommentReport,
    Consultation,
    DraftDocument,
    Plan,
    PlanItem,
    Rating,
)
from portal.consultation.services import answer_days, local_midnight, window_for
from portal.core.models import utcnow
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations.models import Regulation
from portal.regulations.services import DocumentResolver, local_today, record_event


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _ministry(code: str) -> Ministry:
    return db.session.scalar(select(Ministry).where(Ministry.code == code))


def _regulation(code: str) -> Regulation | None:
    return db.session.scalar(select(Regulation).where(Regulation.code == code))


def _comment(
    consultation,
    author_email,
    body,
    days_ago,
    *,
    regulation=None,
    item=None,
    parent=None,
    kind="comment",
    ministry_id=None,
):
    author = _user(author_email)
    if author is None:
        return None
    created = utcnow() - timedelta(days=days_ago)
    if kind == "feedback":
        due = created + timedelta(days=answer_days())
    else:
        due = None if parent else consultation.closes_at + timedelta(days=answer_days())
    comment = Comment(
        kind=kind,
        consultation_id=consultation.id if consultation else None,
        regulation_id=(item.regulation_id if item else regulation.id if regulation else None),
        plan_item_id=item.id if item else None,
        parent_id=parent.id if parent else None,
        ministry_id=ministry_id or consultation.ministry_id,
        author_id=author.id,
        author_category=author.member_type,
        body=body,
        idempotency_key=secrets.token_urlsafe(16),
        due_at=due,
        created_at=created,
        updated_at=created,
    )
    db.session.add(comment)
    db.session.flush()
    comment.receipt = f"{'PA' if kind == 'feedback' else 'GY'}-{created.year}-{comment.id:06d}"
    return comment


def _answer(comment, staff_email, outcome, body, days_after, score=None, remark=""):
    staff = _user(staff_email)
    if comment is None or staff is None:
        return
    when = comment.created_at + timedelta(days=days_after)
    db.session.add(
        Answer(
            comment_id=comment.id,
            ministry_id=comment.ministry_id,
            author_id=staff.id,
            outcome=outcome,
            body=body,
            created_at=when,
        )
    )
    if score:
        db.session.add(
            Rating(
                comment_id=comment.id,
                ministry_id=comment.ministry_id,
                rater_id=comment.author_id,
                score=score,
                remark=remark,
                created_at=when + timedelta(days=1),
            )
        )


def _consultation(
    title,
    ministry,
    opens_on: date,
    closes_on: date,
    summary,
    *,
    draft=None,
    plan=None,
    staff_email=None,
):
    existing = db.session.scalar(select(Consultation).where(Consultation.title == title))
    if existing:
        return existing, False
    opens_at, closes_at = window_for(opens_on, closes_on)
    staff = _user(staff_email) if staff_email else None
    consultation = Consultation(
        length_days=(closes_on - opens_on).days + 1,
        ministry_id=ministry.id,
        draft_id=draft.id if draft else None,
        plan_id=plan.id if plan else None,
        title=title,
        summary=summary,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=staff.id if staff else None,
        created_at=opens_at,
        updated_at=opens_at,
    )
    # What is already past is no news: `flask consultations notify` announces only what happens
    # from now on (an upcoming sample consultation is announced the day it opens).
    now = utcnow()
    if opens_at <= now:
        consultation.opening_notified_at = opens_at
    if closes_at <= now:
        consultation.closing_notified_at = consultation.report_notified_at = closes_at
    db.session.add(consultation)
    db.session.flush()
    return consultation, True


def _draft(ministry, title, doc_type, summary, regulation_codes):
    draft = db.session.scalar(select(DraftDocument).where(DraftDocument.title == title))
    if draft is None:
        draft = DraftDocument(
            ministry_id=ministry.id, title=title, doc_type=doc_type, summary=summary
        )
        db.session.add(draft)
        db.session.flush()
        for code in regulation_codes:
            regulation = _regulation(code)
            if regulation is not None:
                regulation.draft_document_id = draft.id
                if regulation.field_id and draft.field_id is None:
                    draft.field_id = regulation.field_id
    return draft


def _plan(ministry, title, year, summary, items):
    plan = db.session.scalar(select(Plan).where(Plan.title == title))
    if plan is not None:
        return plan, False
    plan = Plan(ministry_id=ministry.id, title=title, year=year, summary=summary)
    db.session.add(plan)
    db.session.flush()
    for position, (code, action, description, after) in enumerate(items):
        regulation = _regulation(code)
        if regulation is None:
            continue
        values = (
            dict(
                zip(
                    ("time_hours_after", "cost_vnd_after", "frequency_after", "subjects_after"),
                    after,
                    strict=True,
                )
            )
            if after
            else {}
        )
        db.session.add(
            PlanItem(
                plan_id=plan.id,
                regulation_id=regulation.id,
                action=action,
                description=description,
                position=position,
                time_hours_before=regulation.time_hours,
                cost_vnd_before=regulation.cost_vnd,
                frequency_before=regulation.frequency,
                subjects_before=regulation.subjects,
                **values,
            )
        )
    db.session.flush()
    db.session.refresh(plan)
    return plan, True


def load_sample_consultations() -> int:
    """Create what is missing; returns how many consultations and plans were created."""
    if _user("canbo@bct.example") is None:
        return 0  # the sample accounts come first
    today = local_today()
    created = 0

    # 1. Open: Bộ Công Thương's draft decree on e-commerce.
    bct = _ministry("bct")
    draft = _draft(
        bct,
        "Dự thảo Nghị định sửa đổi, bổ sung một số điều của Nghị định số 52/2013/NĐ-CP về "
        "thương mại điện tử",
        "decree",
        "Dự thảo bổ sung trách nhiệm của chủ quản sàn giao dịch thương mại điện tử đối với hàng "
        "hóa nhập khẩu bán qua nền tảng, trong đó có yêu cầu truy xuất nguồn gốc và thông tin "
        "về người bán ở nước ngoài.",
        ["BCT-YCDK-009"],
    )
    consultation, new = _consultation(
        "Lấy ý kiến dự thảo Nghị định sửa đổi Nghị định 52/2013/NĐ-CP về thương mại điện tử",
        bct,
        today - timedelta(days=12),
        today + timedelta(days=20),
        "Bộ Công Thương đề nghị hiệp hội, doanh nghiệp và người dân góp ý dự thảo, nhất là quy "
        "định mới về truy xuất nguồn gốc hàng hóa nhập khẩu bán qua sàn: phạm vi áp dụng, thông "
        "tin người bán phải cung cấp, thời điểm áp dụng và chi phí tuân thủ dự kiến.",
        draft=draft,
        staff_email="canbo@bct.example",
    )
    if new:
        created += 1
        regulation = _regulation("BCT-YCDK-009")
        first = _comment(
            consultation,
            "doanhnghiep@thucphamxanh.example",
            "Chúng tôi ủng hộ việc truy xuất nguồn gốc, nhưng đề nghị cho phép dùng mã QR của "
            "nhà sản xuất nước ngoài thay vì bắt buộc dán thêm tem phụ bằng tiếng Việt cho từng "
            "đơn hàng nhỏ. Với đơn dưới 1 triệu đồng, chi phí dán tem có thể vượt giá trị hàng.",
            9,
            regulation=regulation,
        )
        _comment(
            consultation,
            "hiephoi@vasep.example",
            "Hiệp hội đề nghị Bộ nêu rõ thời gian chuyển tiếp ít nhất 12 tháng để các sàn kịp "
            "nâng cấp hệ thống, và công bố trước danh mục thông tin bắt buộc theo một định dạng "
            "dữ liệu thống nhất (xem https://www.moit.gov.vn).",
            7,
        )
        _comment(
            consultation,
            "nguoidan@gmail.example",
            "Là người mua, tôi mong sàn phải hiển thị tên và địa chỉ người bán ở nước ngoài "
            "ngay trên trang sản phẩm, không chỉ trong điều khoản sử dụng.",
            5,
        )
        if first is not None:
            _comment(
                consultation,
                "vien@chinhsach.example",
                "Đồng ý với ý kiến trên. Nên áp dụng theo ngưỡng giá trị đơn hàng, tương tự quy "
                "định về hàng hóa nhập khẩu miễn thuế có giá trị nhỏ.",
                4,
                parent=first,
            )
        spam = _comment(
            consultation,
            "vantai@saoviet.example",
            "Dịch vụ vận chuyển hàng Trung Quốc giá rẻ, liên hệ ngay để được báo giá!",
            3,
        )
        if spam is not None:
            for email in ("doanhnghiep@thucphamxanh.example", "nguoidan@gmail.example"):
                reporter = _user(email)
                db.session.add(
                    CommentReport(
                        comment_id=spam.id,
                        reporter_id=reporter.id,
                        reason="Quảng cáo, không liên quan đến dự thảo.",
                    )
                )
            spam.report_count = 2

    # 2. Upcoming: Bộ Y tế's draft circular on telemedicine.
    byt = _ministry("byt")
    draft = _draft(
        byt,
        "Dự thảo Thông tư quy định về khám bệnh, chữa bệnh từ xa",
        "circular",
        "Dự thảo quy định điều kiện đối với cơ sở khám bệnh, chữa bệnh từ xa: hạ tầng công "
        "nghệ thông tin, bảo mật dữ liệu người bệnh, người hành nghề và trách nhiệm chuyên môn.",
        ["BYT-YCDK-007"],
    )
    _, new = _consultation(
        "Lấy ý kiến dự thảo Thông tư quy định về khám bệnh, chữa bệnh từ xa",
        byt,
        today + timedelta(days=5),
        today + timedelta(days=40),
        "Bộ Y tế sẽ lấy ý kiến về điều kiện kinh doanh dịch vụ khám bệnh, chữa bệnh từ xa, đặc "
        "biệt là yêu cầu về lưu trữ hồ sơ bệnh án điện tử và kết nối với cơ sở dữ liệu quốc gia.",
        draft=draft,
        staff_email="canbo@byt.example",
    )
    created += int(new)

    # 3. Closed and answered: Bộ Giao thông vận tải's plan for road transport.
    bgtvt = _ministry("bgtvt")
    plan, new_plan = _plan(
        bgtvt,
        f"Phương án cắt giảm, đơn giản hóa quy định kinh doanh vận tải đường bộ năm {today.year}",
        today.year,
        "Phương án bãi bỏ chế độ báo cáo kết quả kinh doanh vận tải (đã có dữ liệu từ thiết bị "
        "giám sát hành trình) và đơn giản hóa thủ tục cấp phù hiệu, cấp lại giấy phép kinh doanh "
        "vận tải bằng hình thức trực tuyến toàn trình.",
        [
            (
                "BGTVT-CDBC-001",
                "abolish",
                "Bãi bỏ: dữ liệu đã được khai thác từ thiết bị giám sát hành trình.",
                None,
            ),
            (
                "BGTVT-TTHC-003",
                "simplify",
                "Cấp phù hiệu điện tử, không cấp bản giấy; miễn lệ phí.",
                (1, 0, 3, 60000),
            ),
            (
                "BGTVT-TTHC-002",
                "simplify",
                "Tiếp nhận và trả kết quả trực tuyến toàn trình.",
                (2, 200000, 1, 6000),
            ),
        ],
    )
    created += int(new_plan)
    consultation, new = _consultation(
        f"Lấy ý kiến phương án cắt giảm quy định kinh doanh vận tải đường bộ năm {today.year}",
        bgtvt,
        today - timedelta(days=95),
        today - timedelta(days=60),
        "Bộ Giao thông vận tải lấy ý kiến về ba nội dung của phương án trước khi trình Thủ tướng "
        "Chính phủ: bãi bỏ chế độ báo cáo, phù hiệu điện tử và cấp lại giấy phép trực tuyến.",
        plan=plan,
        staff_email="canbo@bgtvt.example",
    )
    if new:
        created += 1
        plan.status = "submitted"
        plan.created_at = consultation.opens_at - timedelta(days=14)  # drafted before
        plan.submitted_on = consultation.closes_on + timedelta(days=10)
        items = {item.regulation.code: item for item in plan.items}
        comment = _comment(
            consultation,
            "vantai@saoviet.example",
            "Đề nghị bãi bỏ hẳn chế độ báo cáo kết quả kinh doanh vận tải. Doanh nghiệp chúng tôi "
            "có 120 xe, mỗi năm mất khoảng 4 ngày công chỉ để tổng hợp số liệu mà Sở đã có từ "
            "thiết bị giám sát hành trình.",
            90,
            item=items.get("BGTVT-CDBC-001"),
        )
        _answer(
            comment,
            "canbo@bgtvt.example",
            "accepted",
            "Bộ tiếp thu. Phương án trình Thủ tướng Chính phủ đã đề xuất bãi bỏ chế độ báo "
            "cáo này; dữ liệu được khai thác trực tiếp từ hệ thống giám sát hành trình.",
            20,
            5,
            "Trả lời rõ ràng, đúng hạn.",
        )
        comment = _comment(
            consultation,
            "hiephoi@vantaiminhtrung.example",
            "Phù hiệu điện tử là cần thiết nhưng lực lượng kiểm tra trên đường phải tra cứu được "
            "ngay bằng biển số. Đề nghị bổ sung yêu cầu kết nối dữ liệu với Cục Cảnh sát giao "
            "thông trước khi bỏ phù hiệu giấy.",
            88,
            item=items.get("BGTVT-TTHC-003"),
        )
        _answer(
            comment,
            "canbo@bgtvt.example",
            "partly_accepted",
            "Bộ tiếp thu một phần: dữ liệu phù hiệu sẽ được chia sẻ cho lực lượng chức năng "
            "qua Cơ sở dữ liệu quốc gia về dân cư và hệ thống của Cục Đường bộ. Việc bỏ phù "
            "hiệu giấy vẫn thực hiện ngay khi Nghị định có hiệu lực, không chờ kết nối xong.",
            25,
            3,
            "Chưa nói rõ thời hạn kết nối dữ liệu.",
        )
        comment = _comment(
            consultation,
            "sct@tinh.example",
            "Đề nghị giữ chế độ báo cáo đối với doanh nghiệp kinh doanh vận tải hành khách theo "
            "tuyến cố định để phục vụ quản lý luồng tuyến tại địa phương.",
            85,
            item=items.get("BGTVT-CDBC-001"),
        )
        _answer(
            comment,
            "canbo@bgtvt.example",
            "not_accepted",
            "Bộ không tiếp thu: thông tin về luồng tuyến đã có trên hệ thống quản lý tuyến cố "
            "định và dữ liệu giám sát hành trình mà Sở có quyền khai thác; giữ chế độ báo cáo "
            "sẽ làm doanh nghiệp phải cung cấp lại thông tin Nhà nước đã có.",
            28,
        )
        comment = _comment(
            consultation,
            "vien@chinhsach.example",
            "Phương án nên công bố số liệu tính chi phí tuân thủ trước và sau khi cắt giảm để "
            "người dân, doanh nghiệp kiểm tra được mức tiết kiệm.",
            80,
        )
        _answer(
            comment,
            "canbo@bgtvt.example",
            "explained",
            "Số liệu chi phí tuân thủ trước và sau của từng nội dung được công khai kèm "
            "phương án trên Cổng này, theo phương pháp chi phí chuẩn.",
            30,
            4,
        )
        _comment(
            consultation,
            "nguoidan@gmail.example",
            "Cấp lại giấy phép trực tuyến có cần nộp bản gốc giấy phép cũ không? Dự thảo chưa nói.",
            70,
            item=items.get("BGTVT-TTHC-002"),
        )  # deliberately left unanswered: past its due date, it shows as overdue
        removed = _comment(
            consultation,
            "doanhnghiep@thucphamxanh.example",
            "Bán phần mềm quản lý xe giá rẻ, gọi ngay 0900 000 000.",
            75,
        )
        if removed is not None:
            removed.status = "removed"
            removed.moderation_reason = "Quảng cáo, không liên quan đến phương án."
            removed.moderated_by_id = _user("quantri@vpcp.example").id
            removed.moderated_at = removed.created_at + timedelta(days=1)

    # 4. Closed, being answered: Bộ Kế hoạch và Đầu tư's draft on business registration.
    bkhdt = _ministry("bkhdt")
    draft = _draft(
        bkhdt,
        "Dự thảo Nghị định sửa đổi, bổ sung Nghị định số 01/2021/NĐ-CP về đăng ký doanh nghiệp",
        "decree",
        "Dự thảo bổ sung nghĩa vụ kê khai thông tin về chủ sở hữu hưởng lợi của doanh nghiệp "
        "khi đăng ký thành lập và khi có thay đổi.",
        ["BKHDT-TTHC-022"],
    )
    consultation, new = _consultation(
        "Lấy ý kiến dự thảo Nghị định sửa đổi Nghị định 01/2021/NĐ-CP về đăng ký doanh nghiệp",
        bkhdt,
        today - timedelta(days=45),
        today - timedelta(days=10),
        "Bộ Kế hoạch và Đầu tư đề nghị góp ý về phạm vi thông tin chủ sở hữu hưởng lợi phải kê "
        "khai, cách xác định tỷ lệ sở hữu gián tiếp và việc bảo mật các thông tin này.",
        draft=draft,
        staff_email="canbo@bkhdt.example",
    )
    if new:
        created += 1
        regulation = _regulation("BKHDT-TTHC-022")
        comment = _comment(
            consultation,
            "hiephoi@vasep.example",
            "Đề nghị chỉ yêu cầu kê khai chủ sở hữu hưởng lợi có tỷ lệ sở hữu từ 25% trở lên và "
            "cho phép doanh nghiệp cập nhật một lần mỗi năm thay vì trong 10 ngày mỗi khi thay "
            "đổi.",
            40,
            regulation=regulation,
        )
        _answer(
            comment,
            "canbo@bkhdt.example",
            "partly_accepted",
            "Bộ tiếp thu ngưỡng 25%. Về thời hạn cập nhật, Bộ giữ 10 ngày vì thông tin phải "
            "chính xác tại thời điểm cơ quan có thẩm quyền yêu cầu, nhưng bỏ yêu cầu nộp bản "
            "sao giấy tờ pháp lý của chủ sở hữu.",
            6,
        )
        _comment(
            consultation,
            "doanhnghiep@thucphamxanh.example",
            "Thông tin chủ sở hữu hưởng lợi có được công khai trên Cổng thông tin quốc gia về "
            "đăng ký doanh nghiệp không? Doanh nghiệp lo ngại lộ thông tin cá nhân.",
            38,
            regulation=regulation,
        )

    # 5. A past plan approved by the Prime Minister, partly implemented (Bộ Y tế, 2021).
    plan, new_plan = _plan(
        byt,
        "Phương án cắt giảm, đơn giản hóa quy định liên quan đến hoạt động kinh doanh thuộc phạm "
        "vi chức năng quản lý của Bộ Y tế (mẫu)",
        2021,
        "Ví dụ minh họa một phương án đã được phê duyệt: các nội dung dưới đây là dữ liệu mẫu, "
        "không phải nội dung của Quyết định 1661/QĐ-TTg.",
        [
            (
                "BYT-TTHC-014",
                "simplify",
                "Tiếp nhận phiếu công bố mỹ phẩm trực tuyến, rút thời hạn từ 03 xuống 02 ngày làm "
                "việc.",
                (2, 500000, 8, 3000),
            ),
            (
                "BYT-TTHC-006",
                "simplify",
                "Bỏ yêu cầu nộp bản sao giấy chứng nhận đăng ký doanh nghiệp.",
                (5, 1100000, 2, 4000),
            ),
        ],
    )
    if new_plan:
        created += 1
        plan.status = "approved"
        plan.created_at = local_midnight(date(2021, 6, 1))
        plan.submitted_on = date(2021, 9, 28)
        plan.decision_number = "1661/QĐ-TTg"
        plan.decision_date = date(2021, 10, 4)
        item = plan.items[0] if plan.items else None
        staff = _user("canbo@byt.example")
        if item is not None and staff is not None:
            document = DocumentResolver().get("21/2022/TT-BYT")
            record_event(
                item.regulation,
                "simplified",
                date(2022, 12, 1),
                document=document,
                note=item.description,
                changes={
                    "time_hours": item.time_hours_after,
                    "cost_vnd": item.cost_vnd_after,
                    "frequency": item.frequency_after,
                    "subjects": item.subjects_after,
                },
                source="plan",
                actor_id=staff.id,
            )
            item.done_on = date(2022, 12, 1)
            item.done_document_id = document.id
            item.due_date = date(2022, 12, 31)
            plan.items[1].due_date = date(2023, 6, 30)

    # 6. Feedback on regulations in force.
    if db.session.scalar(select(Comment.id).where(Comment.kind == "feedback")) is None:
        regulation = _regulation("BKHDT-TTHC-013")
        if regulation is not None:
            feedback = _comment(
                None,
                "vantai@saoviet.example",
                "Thủ tục giải thể doanh nghiệp vẫn phải xin xác nhận hoàn thành nghĩa vụ thuế ở "
                "nhiều nơi, kéo dài hơn 6 tháng. Đề nghị liên thông giữa cơ quan thuế và cơ quan "
                "đăng ký kinh doanh.",
                30,
                regulation=regulation,
                kind="feedback",
                ministry_id=regulation.ministry_id,
            )
            _answer(
                feedback,
                "canbo@bkhdt.example",
                "explained",
                "Từ năm 2025, cơ quan đăng ký kinh doanh nhận thông tin về việc đóng mã số thuế "
                "trực tiếp từ cơ quan thuế; doanh nghiệp không phải nộp văn bản xác nhận.",
                12,
                4,
                "Cảm ơn Bộ.",
            )
        regulation = _regulation("BCT-TTHC-001")
        if regulation is not None:
            _comment(
                None,
                "doanhnghiep@thucphamxanh.example",
                "Thông báo khuyến mại phải gửi đến từng Sở Công Thương nơi tổ chức, dù đã có Cổng "
                "dịch vụ công. Đề nghị cho gửi một lần cho mọi tỉnh.",
                40,
                regulation=regulation,
                kind="feedback",
                ministry_id=regulation.ministry_id,
            )  # unanswered and overdue
        regulation = _regulation("BGTVT-TTHC-001")
        if regulation is not None:
            _comment(
                None,
                "hiephoi@vantaiminhtrung.example",
                "Đề nghị bỏ yêu cầu nộp bản sao văn bằng của người điều hành vận tải, vì thông tin "
                "này không được dùng khi cấp giấy phép.",
                3,
                regulation=regulation,
                kind="feedback",
                ministry_id=regulation.ministry_id,
            )
    db.session.commit()
    return created
