"""Who may open what: a role × route matrix over every protected page."""

from __future__ import annotations

import pytest

from portal.accounts.models import Guest
from portal.accounts.permissions import (
    can_administer,
    can_edit_regulation,
    can_moderate,
    can_see_unpublished,
    can_use_workspace,
)
from tests.conftest import regulation_row

OWN, OTHER = "bvhttdl", "byt"

# (method, path); {own}/{other} are ministry codes, {reg}/{other_reg} regulation codes.
ROUTES = [
    ("GET", "/account"),
    ("GET", "/account/profile"),
    ("GET", "/workspace"),
    ("GET", "/workspace/{own}"),
    ("GET", "/workspace/{own}/regulations/new"),
    ("GET", "/workspace/{own}/regulations/{reg}/edit"),
    ("POST", "/workspace/{own}/regulations/{reg}/publication"),
    ("GET", "/workspace/{own}/regulations/{reg}/abolish"),
    ("GET", "/workspace/{own}/documents"),
    ("GET", "/workspace/{own}/import"),
    ("GET", "/workspace/{other}"),
    ("GET", "/workspace/{other}/regulations/{other_reg}/edit"),
    ("POST", "/workspace/{other}/regulations/{other_reg}/publication"),
    ("GET", "/workspace/{other}/import"),
    ("GET", "/admin"),
    ("GET", "/admin/users"),
    ("GET", "/admin/ministries"),
    ("GET", "/admin/fields"),
    ("GET", "/admin/settings"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/audit/export.csv"),
    ("GET", "/admin/mail"),
]

# Expected outcome per role: "ok" (2xx or a redirect within the page's own area), "login"
# (redirect to sign in), or a status code.
EXPECTED = {
    "guest": dict.fromkeys(ROUTES, "login"),
    "member": {
        **dict.fromkeys(ROUTES, 403),
        ("GET", "/account"): "ok",
        ("GET", "/account/profile"): "ok",
    },
    "staff": {
        **dict.fromkeys(ROUTES, "ok"),
        ("GET", "/workspace/{other}"): 403,
        ("GET", "/workspace/{other}/regulations/{other_reg}/edit"): 403,
        ("POST", "/workspace/{other}/regulations/{other_reg}/publication"): 403,
        ("GET", "/workspace/{other}/import"): 403,
        **{route: 403 for route in ROUTES if route[1].startswith("/admin")},
    },
    "admin": dict.fromkeys(ROUTES, "ok"),
}


@pytest.fixture
def world(make_regulations, create_user):
    make_regulations(
        regulation_row("OWN-1", published="0"), regulation_row("OTHER-1", ministry=OTHER)
    )
    return {
        "member": create_user("member"),
        "staff": create_user("staff", ministry=OWN),
        "admin": create_user("admin"),
    }


@pytest.mark.parametrize("role", ["guest", "member", "staff", "admin"])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_role_route_matrix(client, world, login, role, method, path):
    if role != "guest":
        login(world[role])
    url = path.format(own=OWN, other=OTHER, reg="OWN-1", other_reg="OTHER-1")
    response = client.open(url, method=method, data={"publish": "0"} if method == "POST" else None)
    expected = EXPECTED[role][(method, path)]
    if expected == "login":
        assert response.status_code in (302, 303)
        assert "/account/sign-in" in response.headers["Location"]
    elif expected == "ok":
        assert response.status_code in (200, 302, 303), response.status_code
        assert "/account/sign-in" not in response.headers.get("Location", "")
    else:
        assert response.status_code == expected


def test_predicates_never_special_case_the_guest(world):
    from portal.extensions import db
    from portal.regulations.models import Regulation

    guest = Guest()
    own = db.session.scalar(db.select(Regulation).where(Regulation.code == "OWN-1"))
    other = db.session.scalar(db.select(Regulation).where(Regulation.code == "OTHER-1"))
    staff, admin, member = world["staff"], world["admin"], world["member"]
    assert not can_edit_regulation(guest, own) and not can_see_unpublished(guest, own.ministry_id)
    assert can_edit_regulation(staff, own) and not can_edit_regulation(staff, other)
    assert can_edit_regulation(admin, other) and not can_edit_regulation(member, own)
    assert can_use_workspace(staff, own.ministry) and not can_use_workspace(staff, other.ministry)
    assert not can_use_workspace(staff, None) and not can_administer(staff)
    assert can_administer(admin) and not can_moderate(staff) and can_moderate(admin)
    staff.is_moderator = True
    assert can_moderate(staff)
    staff.active = False
    assert not can_edit_regulation(staff, own)  # a deactivated account can do nothing
