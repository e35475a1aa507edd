"""Who is told what, through the mail outbox (queued in the caller's transaction)."""

from __future__ import annotations

from sqlalchemy import or_, select

from portal.accounts.models import User
from portal.consultation.models import Answer, Comment, Consultation, Follow
from portal.extensions import db
from portal.mail.services import external_url, queue_mail


def _followers(*targets: tuple[str, int | None]) -> list[User]:
    conditions = [
        (Follow.target_type == kind) & (Follow.target_id == target_id)
        for kind, target_id in targets
        if target_id is not None
    ]
    if not conditions:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(Follow, Follow.user_id == User.id)
            .where(
                or_(*conditions),
                User.active.is_(True),
                User.deleted_at.is_(None),
                User.email_verified_at.is_not(None),
            )
            .distinct()
        )
    )


def consultation_opened(consultation: Consultation) -> int:
    """Followers of the ministry (and of the draft's field) hear of a new consultation."""
    link = external_url("consultation.detail", consultation_id=consultation.id)
    people = _followers(("ministry", consultation.ministry_id), ("field", consultation.field_id))
    for person in people:
        queue_mail(
            "consultation_opened",
            person.email,
            "consultation_opened",
            person.locale,
            user=person,
            consultation=consultation,
            link=link,
        )
    return len(people)


def comment_answered(comment: Comment, answer: Answer) -> int:
    """The author (and the consultation's followers) hear of an official answer."""
    if comment.consultation_id:
        link = external_url(
            "consultation.detail",
            consultation_id=comment.consultation_id,
            _anchor=f"comment-{comment.id}",
        )
    else:
        link = external_url("consultation.feedback_detail", comment_id=comment.id)
    people = {}
    author = comment.author
    if author is not None and author.is_active and author.deleted_at is None:
        people[author.id] = author
    for person in _followers(("consultation", comment.consultation_id)):
        people.setdefault(person.id, person)
    for person in people.values():
        queue_mail(
            "comment_answered",
            person.email,
            "comment_answered",
            person.locale,
            user=person,
            comment=comment,
            answer=answer,
            link=link,
            own=person.id == comment.author_id,
        )
    return len(people)
