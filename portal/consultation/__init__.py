"""Consultation (Tham vấn): drafts and plans opened for comment, comments and feedback,
moderation, official answers, ratings, following and feeds."""

from __future__ import annotations


def init_consultation(app) -> None:
    from portal.consultation import vocab
    from portal.consultation.views import member_type_label
    from portal.core.models import utcnow
    from portal.text import comment_html

    app.jinja_env.globals.update(
        cterm=vocab.term, member_type_label=member_type_label, now_utc=utcnow
    )
    app.jinja_env.filters["comment_html"] = comment_html
