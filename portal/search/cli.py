"""`flask search sync|worker|verify|reindex|status`."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from portal.extensions import db, read_only_transactions
from portal.search import sync

search_cli = AppGroup("search", help="Keep the search index in step with the database.")


def _backend():
    return current_app.extensions["search"], current_app.extensions["search_lock"]


@search_cli.command("sync")
def sync_command() -> None:
    """Apply every pending change to the index, then exit."""
    backend, lock = _backend()
    applied = sync.drain(backend, lock)
    click.echo(f"{backend.name}: {applied} change(s) applied.")


@search_cli.command("worker")
@click.option(
    "--interval",
    type=float,
    default=0.5,
    show_default=True,
    help="Seconds between looks at the outbox.",
)
def worker_command(interval: float) -> None:
    """Run beside the web servers: apply changes as they are committed (Ctrl+C stops)."""
    backend, lock = _backend()
    click.echo(f"Search worker ({backend.name}) started; polling every {interval} s.")
    try:
        while True:
            try:
                sync.drain(backend, lock)
            except Exception as error:  # keep the worker alive; the outbox keeps the work
                click.echo(f"Sync failed, retrying: {error}", err=True)
                time.sleep(max(interval, 2.0))
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Search worker stopped.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the index from the database."""
    backend, lock = _backend()
    started = time.perf_counter()
    with click.progressbar(length=1, label="Indexing", show_pos=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        count = sync.reindex(backend, lock, progress)
    click.echo(f"{backend.name}: {count} entries indexed in {time.perf_counter() - started:.1f} s.")


@search_cli.command("verify")
def verify_command() -> None:
    """Compare the database with the index; exit 1 if they differ."""
    backend, _lock = _backend()
    missing, extra = sync.verify(backend)
    with read_only_transactions(), Session(db.engine) as session:
        waiting = sync.pending(session)
    click.echo(
        f"{backend.name}: {len(missing)} missing from the index, {len(extra)} not in the "
        f"database, {waiting} change(s) waiting in the outbox."
    )
    for eid in sorted(missing)[:20]:
        click.echo(f"  missing: {eid}")
    for eid in sorted(extra)[:20]:
        click.echo(f"  extra:   {eid}")
    if missing or extra:
        sys.exit(1)
