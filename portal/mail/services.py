"""Queue e-mail in the caller's transaction; deliver it after the commit.

Backends (MAIL_BACKEND): `log` writes each message to the log and marks it `logged` (the
development default: an administrator reads the outbox at /admin/mail); `smtp` sends it through
MAIL_SERVER (the default when MAIL_SERVER is set). A message that could not be sent stays
`pending` with its error, and `flask mail send` retries it.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select, update

from portal.core.models import utcnow
from portal.extensions import db
from portal.mail.models import MailMessage

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_mail(kind: str, to_address: str, template: str, locale: str = "vi", **context):
    """Render `templates/mail/<template>.txt` in the recipient's language and queue it.

    The template's first line is the subject."""
    with force_locale(locale if locale in current_app.config["LANGUAGES"] else "vi"):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _sep, body = text.strip().partition("\n")
    message = MailMessage(
        kind=kind, to_address=to_address, subject=subject.strip()[:300], body=body.strip() + "\n"
    )
    db.session.add(message)
    return message


def backend() -> str:
    configured = current_app.config.get("MAIL_BACKEND")
    if configured:
        return configured
    return "smtp" if current_app.config.get("MAIL_SERVER") else "log"


def _claim(message_id: int) -> bool:
    """Take a pending message for delivery (one worker wins when several try)."""
    result = db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.status == "pending")
        .values(status="sent", attempts=MailMessage.attempts + 1, sent_at=utcnow())
    )
    db.session.commit()
    return result.rowcount == 1


def _smtp_send(message: MailMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = formataddr(
        (
            config.get("MAIL_SENDER_NAME", ""),
            config.get("MAIL_DEFAULT_SENDER", "no-reply@localhost"),
        )
    )
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=config.get("MAIL_MESSAGE_ID_DOMAIN") or None)
    email.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=15
    ) as connection:
        if config.get("MAIL_USE_TLS"):
            connection.starttls()
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        connection.send_message(email)


def deliver_pending(limit: int = 50) -> int:
    """Deliver queued messages; returns how many went out. Never raises for a bad server."""
    ids = db.session.scalars(
        select(MailMessage.id)
        .where(MailMessage.status == "pending", MailMessage.attempts < MAX_ATTEMPTS)
        .order_by(MailMessage.id)
        .limit(limit)
    ).all()
    delivered = 0
    mode = backend()
    for message_id in ids:
        if not _claim(message_id):
            continue
        message = db.session.get(MailMessage, message_id)
        if mode == "smtp":
            try:
                _smtp_send(message)
            except (OSError, smtplib.SMTPException) as error:
                message.status = "failed" if message.attempts >= MAX_ATTEMPTS else "pending"
                message.sent_at = None
                message.last_error = str(error)[:500]
                db.session.commit()
                logger.warning("Mail %s to %s not sent: %s", message.id, message.kind, error)
                continue
        else:
            message.status = "logged"
            db.session.commit()
            logger.info(
                "Mail %s (%s) to %s: %s\n%s",
                message.id,
                message.kind,
                message.to_address,
                message.subject,
                message.body,
            )
        delivered += 1
    return delivered


def commit_and_deliver() -> None:
    """Commit the caller's transaction, then deliver what it queued. A delivery problem never
    undoes the commit: the message stays pending for `flask mail send`."""
    db.session.commit()
    pending = db.session.scalar(
        select(func.count(MailMessage.id)).where(MailMessage.status == "pending")
    )
    if pending:
        try:
            deliver_pending()
        except Exception:
            db.session.rollback()
            logger.exception("Mail delivery failed; `flask mail send` will retry")


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail: from the current request's host, or from BASE_URL when
    there is no request (a command, a worker)."""
    from flask import has_request_context, url_for

    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
