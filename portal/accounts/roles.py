"""The roles of the portal and the kinds of member (the only place they are defined)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    MEMBER = "member"
    STAFF = "staff"
    ADMIN = "admin"


class MemberType(StrEnum):
    """Who a member speaks for; consultation statistics count comments by these categories."""

    INDIVIDUAL = "individual"
    BUSINESS = "business"
    ASSOCIATION = "association"
    GOVERNMENT = "government"
    OTHER = "other"


ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.STAFF: _l("Ministry staff"),
    Role.ADMIN: _l("Administrator"),
}

MEMBER_TYPE_LABELS = {
    MemberType.INDIVIDUAL: _l("Individual"),
    MemberType.BUSINESS: _l("Business"),
    MemberType.ASSOCIATION: _l("Business association"),
    MemberType.GOVERNMENT: _l("State agency"),
    MemberType.OTHER: _l("Other organisation"),
}

ROLE_CODES = tuple(role.value for role in Role)
MEMBER_TYPE_CODES = tuple(kind.value for kind in MemberType)
# Member types whose accounts name an organisation.
ORGANISATION_TYPES = frozenset(
    {MemberType.BUSINESS, MemberType.ASSOCIATION, MemberType.GOVERNMENT, MemberType.OTHER}
)
