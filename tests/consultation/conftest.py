"""A small consultation world: a ministry with staff, members of every kind, a draft with a
draft regulation, a plan with items, and consultations open, upcoming and closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.consultation import services
from portal.consultation.models import Consultation
from portal.core.models import utcnow
from portal.extensions import db
from portal.regulations.models import Regulation
from portal.regulations.services import local_today
from tests.conftest import regulation_row


@pytest.fixture
def world(make_regulations, create_user):
    make_regulations(
        regulation_row("BCT-1", ministry="bct", field="Thương mại điện tử"),
        regulation_row(
            "BCT-2",
            ministry="bct",
            field="Thương mại điện tử",
            time_hours="10",
            cost_vnd="500000",
            frequency="2",
            subjects="1000",
        ),
        regulation_row(
            "BCT-D1",
            ministry="bct",
            status="draft",
            legal_basis="",
            field="Thương mại điện tử",
            title="Yêu cầu truy xuất nguồn gốc hàng hóa bán qua sàn",
        ),
        regulation_row("BYT-1", ministry="byt"),
    )
    staff = create_user("staff", ministry="bct", display_name="Lê Thị Hồng")
    other_staff = create_user("staff", ministry="byt", display_name="Nguyễn Văn Minh")
    admin = create_user("admin", display_name="Quản trị")
    business = create_user(
        display_name="Phạm Bảo", member_type="business", organisation="Công ty TNHH Xanh"
    )
    association = create_user(
        display_name="Đỗ Lan",
        member_type="association",
        organisation="Hiệp hội Thủy sản",
        sector="Thủy sản",
        member_firms=300,
    )
    citizen = create_user(display_name="Vũ Tuấn")
    ministry = staff.ministry
    draft = services.create_draft(
        staff,
        ministry,
        "Dự thảo Nghị định về thương mại điện tử",
        "decree",
        "Tóm tắt dự thảo.",
        "Thương mại điện tử",
    )
    draft_regulation = db.session.scalar(db.select(Regulation).where(Regulation.code == "BCT-D1"))
    services.attach_draft_regulation(staff, draft, draft_regulation)
    today = local_today()
    consultation = services.open_consultation(
        staff,
        draft=draft,
        title="",
        summary="Xin ý kiến về dự thảo.",
        opens_on=today,
        closes_on=today + timedelta(days=29),
    )
    plan = services.create_plan(staff, ministry, "Phương án cắt giảm năm nay", "", today.year)
    services.add_plan_item(staff, plan, "BCT-1", "abolish", "Bãi bỏ.", {}, None)
    services.add_plan_item(
        staff,
        plan,
        "BCT-2",
        "simplify",
        "Làm trực tuyến.",
        {"time_hours": "2", "cost_vnd": "0", "frequency": "2", "subjects": "1000"},
        None,
    )
    return {
        "staff": staff,
        "other_staff": other_staff,
        "admin": admin,
        "business": business,
        "association": association,
        "citizen": citizen,
        "ministry": ministry,
        "draft": draft,
        "draft_regulation": draft_regulation,
        "consultation": consultation,
        "plan": plan,
    }


def close(consultation: Consultation, days_ago: int = 1) -> None:
    """Move a consultation's window into the past (tests only)."""
    length = consultation.closes_at - consultation.opens_at
    consultation.closes_at = utcnow() - timedelta(days=days_ago)
    consultation.opens_at = consultation.closes_at - length
    db.session.commit()
