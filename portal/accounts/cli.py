"""`flask users …` and `flask mail …`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.accounts.roles import ROLE_CODES

users_cli = AppGroup("users", help="Accounts: create administrators, staff and members.")
mail_cli = AppGroup("mail", help="The mail outbox.")


@users_cli.command("create")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--role", type=click.Choice(ROLE_CODES), required=True)
@click.option("--ministry", "ministry_code", help="Ministry code (required for staff), e.g. byt.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option(
    "--password",
    help="The password; prompted for (hidden, twice) when not given.",
)
def create_command(email, role, ministry_code, display_name, password):
    """Create a verified account (the first administrator comes from here)."""
    from portal.accounts.services import create_user
    from portal.errors import RuleViolation

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email, password, role, ministry_code=ministry_code, display_name=display_name
        )
    except RuleViolation as violation:
        raise click.ClickException(violation.message) from None
    where = f" ({user.ministry.code})" if user.ministry else ""
    click.echo(f"Created {user.role} {user.email}{where}.")


@mail_cli.command("send")
def send_command():
    """Deliver the messages waiting in the outbox (retries failed SMTP sends)."""
    from portal.mail.services import deliver_pending

    total = 0
    while sent := deliver_pending(limit=200):
        total += sent
    click.echo(f"{total} message(s) delivered.")
