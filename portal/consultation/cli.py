"""`flask consultations notify`: the e-mail that time, not a person, brings."""

from __future__ import annotations

import click
from flask.cli import AppGroup

consultations_cli = AppGroup("consultations", help="Consultations: scheduled announcements.")


@consultations_cli.command("notify")
def notify_command() -> None:
    """Tell followers of consultations that have opened or closed, and of those whose every
    comment now has its answer, since the last run. Safe to run as often as wanted (cron, every
    few minutes): each announcement is made once."""
    from portal.consultation.notifications import send_due
    from portal.mail.services import deliver_pending

    sent = send_due()
    delivered = 0
    while batch := deliver_pending(limit=200):
        delivered += batch
    click.echo(
        f"{sent['opened']} opening, {sent['closed']} closing and {sent['report']} "
        f"all-answered message(s) queued; {delivered} message(s) delivered."
    )
