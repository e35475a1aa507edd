"""The consultation's enumerations, with their labels (the only place they are defined)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from portal.regulations.vocab import Term

PLAN_STATUSES = (
    Term("drafting", "dự kiến", _lp("plan status", "Being drafted")),
    Term("consultation", "lấy ý kiến", _lp("plan status", "In consultation")),
    Term("submitted", "đã trình", _lp("plan status", "Submitted to the Prime Minister")),
    Term("approved", "được phê duyệt", _lp("plan status", "Approved")),
    Term("implemented", "đã thực thi", _lp("plan status", "Implemented")),
)
PLAN_STATUS_CODES = tuple(t.code for t in PLAN_STATUSES)
# Allowed moves of the plan lifecycle.
PLAN_TRANSITIONS = {
    "drafting": ("consultation", "submitted"),
    "consultation": ("submitted",),
    "submitted": ("approved",),
    "approved": ("implemented",),
    "implemented": (),
}

ACTIONS = (
    Term("abolish", "bãi bỏ", _l("Abolish"), _l("abolished")),
    Term("simplify", "đơn giản hóa", _l("Simplify"), _l("simplified")),
    Term("amend", "sửa đổi", _l("Amend"), _l("amended")),
)
ACTION_CODES = tuple(t.code for t in ACTIONS)

OUTCOMES = (
    Term("accepted", "tiếp thu", _l("Accepted")),
    Term("partly_accepted", "tiếp thu một phần", _l("Partly accepted")),
    Term("not_accepted", "không tiếp thu", _l("Not accepted")),
    Term("explained", "giải trình", _l("Explained")),
)
OUTCOME_CODES = tuple(t.code for t in OUTCOMES)

CONSULTATION_STATES = (
    Term("upcoming", "", _l("Upcoming")),
    Term("open", "", _l("Open for comment")),
    Term("closed", "", _l("Closed")),
)
SUBJECT_KINDS = (
    Term("draft", "", _l("Draft legal document"), _l("Draft legal documents")),
    Term("plan", "", _l("Plan to cut and simplify"), _l("Plans to cut and simplify")),
)
COMMENT_STATUSES = ("visible", "hidden", "removed")
FOLLOW_TARGETS = ("ministry", "field", "consultation")

_BY_CODE = {
    "plan_status": {t.code: t for t in PLAN_STATUSES},
    "action": {t.code: t for t in ACTIONS},
    "outcome": {t.code: t for t in OUTCOMES},
    "state": {t.code: t for t in CONSULTATION_STATES},
    "subject": {t.code: t for t in SUBJECT_KINDS},
}


def term(group: str, code: str) -> Term | None:
    return _BY_CODE[group].get(code)
