"""`flask regulations export` writes the import format and round-trips exactly."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.regulations.exporter import all_regulations, export_table
from portal.regulations.importer import import_regulations
from portal.regulations.models import Regulation, RegulationEvent
from tests.conftest import csv_bytes, regulation_row

ROWS = [
    regulation_row("R-1", content="Dòng một\nDòng hai", time_hours="2.5", frequency="0.2"),
    regulation_row(
        "R-2",
        kind="condition",
        published="0",
        time_hours="",
        cost_vnd="",
        frequency="",
        subjects="",
        legal_basis="59/2020/QH14",
    ),
    regulation_row(
        "R-3",
        title="=1+1 không phải công thức",
        content="- gạch đầu dòng",
        status="draft",
        legal_basis="",
    ),
]


def export(fmt: str) -> bytes:
    stream = io.BytesIO()
    export_table(all_regulations(), stream, fmt)
    return stream.getvalue()


def wipe() -> None:
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "ministry":
            db.session.execute(table.delete())
    db.session.commit()


def test_csv_export_round_trips_exactly(reference):
    import_regulations(csv_bytes(ROWS), "in.csv")
    first = export("csv")
    assert first.startswith(b"\xef\xbb\xbf")
    # Re-importing our own export changes nothing ...
    result = import_regulations(first, "out.csv")
    assert (result.unchanged, result.updated) == (3, 0)
    # ... and into an empty database it rebuilds the same catalogue, byte for byte.
    wipe()
    import_regulations(first, "out.csv")
    assert export("csv") == first
    assert db.session.scalar(select(Regulation.title).where(Regulation.code == "R-3")).startswith(
        "=1+1"
    )


def test_xlsx_export_round_trips_and_keeps_text_as_text(reference):
    import_regulations(csv_bytes(ROWS), "in.csv")
    data = export("xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["R-3"][2].data_type == "s"  # stored as text, never a formula
    assert cells["R-1"][9].value == 2.5
    events = db.session.scalar(select(func.count(RegulationEvent.id)))
    result = import_regulations(data, "out.xlsx")
    assert (result.unchanged, result.updated) == (3, 0)
    assert db.session.scalar(select(func.count(RegulationEvent.id))) == events


def test_cli_import_and_export(app, reference, tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes(ROWS))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["regulations", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "3 quy định mới" in result.output
    target = tmp_path / "out.xlsx"
    result = runner.invoke(args=["regulations", "export", str(target)])
    assert result.exit_code == 0
    assert load_workbook(target).active.max_row == 4


def test_cli_import_of_a_bad_file_fails_and_lists_errors(app, reference, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_bytes(csv_bytes([regulation_row("B-1", ministry="zzz"), regulation_row("B-2")]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["regulations", "import", str(source), "--lang", "en"])
    assert result.exit_code == 1
    assert "Nothing was written" in result.output
    assert "Line 2, column ministry" in result.output
    assert db.session.scalar(select(func.count(Regulation.id))) == 0


def test_awkward_values_round_trip(reference):
    rows = [
        regulation_row(
            "W-1",
            time_hours="0.00001",
            frequency="0.3333333333333333",
            content="'quoted start\n- bullet\n=formula-looking line",
        ),
        regulation_row("W-2", title="-5 ngày", content="@mention +plus", cost_vnd="0"),
    ]
    import_regulations(csv_bytes(rows), "in.csv")
    first = export("csv")
    wipe()
    import_regulations(first, "out.csv")
    assert export("csv") == first
    assert (
        db.session.scalar(select(Regulation.time_hours).where(Regulation.code == "W-1")) == 0.00001
    )
    assert db.session.scalar(select(Regulation.title).where(Regulation.code == "W-2")) == "-5 ngày"
