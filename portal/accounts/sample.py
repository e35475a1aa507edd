"""Sample accounts for trying the portal locally (never in production).

One password, random per installation, is kept in `instance/sample-accounts.txt` and printed by
`make run`, so that each role can be tried at once without a well-known password existing."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.roles import MemberType, Role
from portal.core.models import utcnow
from portal.extensions import db
from portal.ministries.models import Ministry

SAMPLE_ACCOUNTS = (
    # email, role, ministry, name, member type, organisation, extra
    (
        "quantri@vpcp.example",
        Role.ADMIN,
        None,
        "Trần Thu Hà",
        MemberType.GOVERNMENT,
        "Văn phòng Chính phủ",
        {},
    ),
    (
        "canbo@byt.example",
        Role.STAFF,
        "byt",
        "Nguyễn Văn Minh",
        MemberType.GOVERNMENT,
        "Bộ Y tế",
        {"is_moderator": True},
    ),
    (
        "canbo@bct.example",
        Role.STAFF,
        "bct",
        "Lê Thị Hồng",
        MemberType.GOVERNMENT,
        "Bộ Công Thương",
        {},
    ),
    (
        "doanhnghiep@thucphamxanh.example",
        Role.MEMBER,
        None,
        "Phạm Quốc Bảo",
        MemberType.BUSINESS,
        "Công ty TNHH Thực phẩm Xanh",
        {"tax_code": "0312345678"},
    ),
    (
        "hiephoi@vasep.example",
        Role.MEMBER,
        None,
        "Đỗ Thị Lan",
        MemberType.ASSOCIATION,
        "Hiệp hội Chế biến và Xuất khẩu thủy sản Việt Nam",
        {"sector": "Thủy sản", "member_firms": 312},
    ),
    ("nguoidan@gmail.example", Role.MEMBER, None, "Vũ Minh Tuấn", MemberType.INDIVIDUAL, "", {}),
    (
        "canbo@bgtvt.example",
        Role.STAFF,
        "bgtvt",
        "Hoàng Văn Sơn",
        MemberType.GOVERNMENT,
        "Bộ Giao thông vận tải",
        {},
    ),
    (
        "canbo@bkhdt.example",
        Role.STAFF,
        "bkhdt",
        "Phạm Thị Thanh Hương",
        MemberType.GOVERNMENT,
        "Bộ Kế hoạch và Đầu tư",
        {},
    ),
    (
        "vantai@saoviet.example",
        Role.MEMBER,
        None,
        "Nguyễn Đức Thắng",
        MemberType.BUSINESS,
        "Công ty CP Vận tải Sao Việt",
        {"tax_code": "0401234560"},
    ),
    (
        "hiephoi@vantaiminhtrung.example",
        Role.MEMBER,
        None,
        "Lương Thị Bích",
        MemberType.ASSOCIATION,
        "Hiệp hội Vận tải hàng hóa Minh Trung",
        {"sector": "Vận tải đường bộ", "member_firms": 186},
    ),
    (
        "sct@tinh.example",
        Role.MEMBER,
        None,
        "Trần Quốc Việt",
        MemberType.GOVERNMENT,
        "Sở Công Thương tỉnh (mẫu)",
        {},
    ),
    (
        "vien@chinhsach.example",
        Role.MEMBER,
        None,
        "Đặng Minh Châu",
        MemberType.OTHER,
        "Viện Nghiên cứu Chính sách Kinh tế Tư nhân",
        {},
    ),
)


def _password_file() -> Path:
    return Path(current_app.instance_path) / "sample-accounts.txt"


def sample_password() -> str:
    path = _password_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"mau-{secrets.token_urlsafe(9)}\n")
        path.chmod(0o600)
    return path.read_text().strip()


def load_sample_accounts() -> tuple[int, str]:
    """Create the sample accounts that are missing; (how many were created, the password)."""
    if current_app.config.get("ENV_NAME") == "production":
        raise RuntimeError("Sample accounts are never created in production.")
    password = sample_password()
    password_hash = None
    created = 0
    ministries = {m.code: m.id for m in db.session.scalars(select(Ministry))}
    for email, role, ministry, name, member_type, organisation, extra in SAMPLE_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)):
            continue
        password_hash = password_hash or hash_password(password)
        db.session.add(
            User(
                email=email,
                role=role.value,
                ministry_id=ministries.get(ministry) if ministry else None,
                display_name=name,
                member_type=member_type.value,
                organisation=organisation,
                password_hash=password_hash,
                email_verified_at=utcnow(),
                **extra,
            )
        )
        created += 1
    db.session.commit()
    return created, password
