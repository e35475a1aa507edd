"""`flask search sync|worker|verify|reindex`."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal.search import sync
from portal.search.backend import split_eid

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
@click.option(
    "--repair",
    is_flag=True,
    help="Queue the differing entries in the outbox and apply them (no full rebuild).",
)
def verify_command(repair: bool) -> None:
    """Compare the database with the index, entry by entry and content by content; exit 1 if
    they differ or changes are still waiting in the outbox."""
    backend, lock = _backend()
    found = sync.verify(backend)
    click.echo(
        f"{backend.name}: {len(found.missing)} missing from the index, {len(found.extra)} not "
        f"in the database, {len(found.stale)} with out-of-date content, {found.pending} "
        "change(s) waiting in the outbox."
    )
    if found.rebuild_needed:
        click.echo(
            "  The index is of an older format and was emptied: `flask search sync` (or the "
            "worker) rebuilds it, as does `flask search reindex`."
        )
    for label, eids in (("missing", found.missing), ("extra", found.extra)):
        for eid in sorted(eids)[:20]:
            click.echo(f"  {label}: {eid} ({_describe(eid)})")
    for eid in sorted(found.stale)[:20]:
        click.echo(f"  stale:   {eid} ({_describe(eid)})")
    if found.pending and not (found.missing or found.extra or found.stale):
        click.echo("  Run `flask search sync` (or start the worker) to apply the waiting changes.")
    elif found.missing or found.extra or found.stale:
        click.echo(
            "  `flask search sync` applies waiting changes; `flask search verify --repair` "
            "re-applies the entries listed; `flask search reindex` rebuilds everything."
        )
    if repair and found:
        queued = sync.queue_differences(found)
        applied = sync.drain(backend, lock)
        click.echo(f"Repaired: {queued} entr(ies) queued, {applied} change(s) applied.")
        found = sync.verify(backend)
        if found:
            click.echo(
                f"Still different: {len(found.missing)} missing, {len(found.extra)} extra, "
                f"{len(found.stale)} stale, {found.pending} waiting (the data changed meanwhile?)."
            )
    if found:
        sys.exit(1)


def _describe(eid: int) -> str:
    entity, entity_id = split_eid(eid)
    return f"{entity} {entity_id}"
