"""`flask export …`: the bulk files from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.opendata import store

export_cli = AppGroup("export", help="Bulk open-data files (CSV and JSON Lines).")


def _report(manifest: dict) -> None:
    for name, entry in manifest.items():
        for fmt, info in entry["files"].items():
            click.echo(
                f"{store.file_name(name, fmt):28} {info['rows']:>8} rows {info['bytes']:>12} bytes "
                f"sha256 {info['sha256']}"
            )


@export_cli.command("dump")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def dump_command(directory: Path) -> None:
    """Write every dataset into DIRECTORY, with manifest.json and SHA256SUMS."""
    manifest = store.dump(directory)
    _report(manifest)
    click.echo(f"Written to {directory}")


@export_cli.command("refresh")
@click.option("--force", is_flag=True, help="Make every file again, changed or not.")
def refresh_command(force: bool) -> None:
    """Make again the served files whose data changed (for cron, or after a bulk import)."""
    manifest = store.ensure_fresh(force=force)
    _report(manifest)
