"""Command groups: `flask regulations …` and `flask demo …`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

regulations_cli = AppGroup("regulations", help="Import and export the regulation catalogue.")
demo_cli = AppGroup("demo", help="Reference data, the sample catalogue and synthetic data.")

LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the messages.",
)


@regulations_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@LANG_OPTION
def import_command(path: Path, lang: str) -> None:
    """Import FILE (.csv or .xlsx); nothing is written if any row is invalid."""
    from portal.regulations.importer import ImportFailed, import_regulations

    started = time.perf_counter()
    with force_locale(lang):
        try:
            result = import_regulations(path.read_bytes(), path.name)
        except ImportFailed as failed:
            click.echo(
                _(
                    "The file was not imported: %(count)s error(s). Nothing was written.",
                    count=len(failed.errors),
                ),
                err=True,
            )
            for error in failed.errors:
                click.echo(f"  {error}", err=True)
            sys.exit(1)
        click.echo(
            _(
                "Imported %(rows)s rows in %(seconds)s s: %(created)s new, %(updated)s updated, "
                "%(unchanged)s unchanged; %(documents)s new documents, %(fields)s new fields.",
                rows=result.rows,
                seconds=f"{time.perf_counter() - started:.1f}",
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                documents=result.documents_created,
                fields=result.fields_created,
            )
        )


@regulations_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(path: Path) -> None:
    """Write every regulation (published or not) to FILE (.csv or .xlsx)."""
    from portal.regulations.exporter import all_regulations, export_table

    fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    with path.open("wb") as stream:
        export_table(all_regulations(), stream, fmt)
    click.echo(f"{path}")


@demo_cli.command("load")
@click.option(
    "--reference-only", is_flag=True, help="Load only the ministries (for a production database)."
)
def load_command(reference_only: bool) -> None:
    """Load ministries and the sample catalogue (running it twice changes nothing)."""
    from portal.regulations.sample import load_reference, load_sample

    if reference_only:
        changed = load_reference()
        click.echo(f"Ministries: {changed} added or updated.")
        return
    from portal.accounts.sample import SAMPLE_ACCOUNTS, load_sample_accounts
    from portal.consultation.sample import load_sample_consultations

    result = load_sample()
    accounts_created, password = load_sample_accounts()
    consultations_created = load_sample_consultations()
    if accounts_created:
        click.echo(f"Sample accounts: {accounts_created} created.")
    if consultations_created:
        click.echo(f"Sample consultations and plans: {consultations_created} created.")
    if result.changed:
        click.echo(
            f"Sample data: {result.regulations_created} regulations, {result.documents_changed} "
            f"documents, {result.relations_added} relations, {result.events_added} history "
            f"events, {result.fields_changed} fields, {result.ministries_changed} ministries."
        )
    elif not accounts_created and not consultations_created:
        click.echo("Sample data already loaded; nothing changed.")
    click.echo(f"Sample accounts for local use only (password {password}):")
    for email, role, ministry, *_rest in SAMPLE_ACCOUNTS:
        click.echo(f"  {email:36} {role.value}{' ' + ministry if ministry else ''}")


@demo_cli.command("generate")
@click.option("--count", type=click.IntRange(1, 1_000_000), default=20_000, show_default=True)
@click.option("--seed", type=int, default=68, show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the import file here instead of loading it.",
)
def generate_command(count: int, seed: int, output: Path | None) -> None:
    """Generate COUNT synthetic regulations (codes GEN-…) for scale tests."""
    from portal.regulations.importer import import_regulations
    from portal.regulations.sample import load_reference
    from portal.regulations.synthetic import generate_csv

    data = generate_csv(count, seed)
    if output:
        output.write_bytes(data)
        click.echo(f"{output}: {count} rows")
        return
    load_reference()
    started = time.perf_counter()
    result = import_regulations(data, "synthetic.csv", source="synthetic")
    click.echo(
        f"Synthetic data: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged in {time.perf_counter() - started:.1f} s."
    )


reform_cli = AppGroup("reform", help="The reform-effort index.")


@reform_cli.command("compute")
@click.option("--period", type=click.IntRange(2000, 2100), help="One year (default: every year).")
def compute_command(period: int | None) -> None:
    """Compute and store the scores of every ministry with the current methodology."""
    from portal.reform import index

    for year in [period] if period else index.periods():
        started = time.perf_counter()
        scores = index.compute_and_store(year)
        elapsed = time.perf_counter() - started
        best = scores[0] if scores else None
        click.echo(
            f"{year}: {len(scores)} ministries in {elapsed:.2f} s"
            + (f"; first {best.ministry.code} {best.total:.1f}" if best else "")
        )


def register(app) -> None:
    from portal.accounts.cli import mail_cli, users_cli
    from portal.consultation.cli import consultations_cli
    from portal.opendata.cli import export_cli
    from portal.search.cli import search_cli

    app.cli.add_command(regulations_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(reform_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(consultations_cli)
