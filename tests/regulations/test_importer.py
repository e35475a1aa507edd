"""The bulk import: formats, validation, upsert and history."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.regulations.fileformat import COLUMNS
from portal.regulations.importer import ImportFailed, import_regulations
from portal.regulations.models import LegalDocument, Regulation, RegulationEvent
from tests.conftest import csv_bytes, regulation_row


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def failed_messages(data: bytes, filename: str = "file.csv", lang: str = "en") -> list[str]:
    with force_locale(lang), pytest.raises(ImportFailed) as caught:
        import_regulations(data, filename)
    return [str(error) for error in caught.value.errors]


def test_csv_with_and_without_bom_imports_every_row(reference):
    plain = csv_bytes([regulation_row("A-1"), regulation_row("A-2")])
    with_bom = csv_bytes([regulation_row("B-1")], bom=True)
    assert import_regulations(plain, "a.csv").created == 2
    assert import_regulations(with_bom, "b.csv").created == 1
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "B-1"))
    assert regulation.title.startswith("Cấp Giấy phép")
    assert [b.document.number for b in regulation.bases] == ["168/2017/NĐ-CP", "09/2017/QH14"]
    assert regulation.bases[0].article == "Điều 5"


def test_vietnamese_abbreviations_and_flags_are_understood(reference):
    rows = [
        regulation_row("K-1", kind="TTHC", status="hiệu lực", published="có"),
        regulation_row("K-2", kind="ycđk", status="Dự thảo", published="không", legal_basis=""),
        regulation_row("K-3", kind="CẤM", status="bãi bỏ", published="yes"),
        regulation_row("K-4", kind="cam", status="in_force", published="0"),
        regulation_row("K-5", kind="KTCN", published="no"),
        regulation_row("K-6", kind="cđbc", published="1"),
        regulation_row("K-7", kind="TCQC", published="true"),
    ]
    import_regulations(csv_bytes(rows), "k.csv")
    got = dict(db.session.execute(select(Regulation.code, Regulation.kind)).all())
    assert got == {
        "K-1": "procedure",
        "K-2": "condition",
        "K-3": "prohibition",
        "K-4": "prohibition",
        "K-5": "inspection",
        "K-6": "report",
        "K-7": "standard",
    }
    states = {
        r.code: (r.status, r.published)
        for r in db.session.scalars(
            select(Regulation).where(Regulation.code.in_(["K-1", "K-2", "K-3"]))
        )
    }
    assert states == {
        "K-1": ("in_force", True),
        "K-2": ("draft", False),
        "K-3": ("abolished", True),
    }


def test_xlsx_imports_with_numeric_cells(reference):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    row = regulation_row("X-1")
    values = [row[c] for c in COLUMNS]
    values[COLUMNS.index("time_hours")] = 2.5
    values[COLUMNS.index("cost_vnd")] = 300000
    values[COLUMNS.index("frequency")] = 0.2
    values[COLUMNS.index("subjects")] = 1200
    values[COLUMNS.index("published")] = 1
    sheet.append(values)
    stream = io.BytesIO()
    workbook.save(stream)
    result = import_regulations(stream.getvalue(), "catalogue.xlsx")
    assert result.created == 1
    regulation = db.session.scalar(select(Regulation))
    assert (
        regulation.time_hours,
        regulation.cost_vnd,
        regulation.frequency,
        regulation.subjects,
    ) == (2.5, 300000, 0.2, 1200)


def test_semicolon_separated_csv_from_excel_is_accepted(reference):
    data = csv_bytes([regulation_row("S-1", legal_basis="168/2017/NĐ-CP Điều 5")]).decode()
    data = data.replace(",", ";")
    # The legal basis already uses ";" inside a quoted cell in real files; here no cell has commas.
    result = import_regulations(data.encode(), "excel.csv")
    assert result.created == 1


def test_reimport_updates_never_duplicates_and_records_history(reference):
    rows = [regulation_row("U-1"), regulation_row("U-2")]
    import_regulations(csv_bytes(rows), "u.csv")
    events_before = count(RegulationEvent)

    again = import_regulations(csv_bytes(rows), "u.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count(RegulationEvent) == events_before

    rows[0]["cost_vnd"] = "1.500.000"
    rows[1]["status"] = "abolished"
    changed = import_regulations(csv_bytes(rows), "u.csv")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 0)
    assert count(Regulation) == 2
    u1 = db.session.scalar(select(Regulation).where(Regulation.code == "U-1"))
    assert u1.cost_vnd == 1_500_000
    kinds = [e.kind for e in sorted(u1.events, key=lambda e: e.id)]
    assert kinds == ["created", "updated"]
    assert u1.events[-1].changed_fields == "cost_vnd"
    u2 = db.session.scalar(select(Regulation).where(Regulation.code == "U-2"))
    assert sorted(u2.events, key=lambda e: e.id)[-1].kind == "abolished"


def test_created_event_takes_the_date_of_the_legal_basis(reference):
    from datetime import date

    from portal.regulations.services import upsert_document

    upsert_document(
        "168/2017/NĐ-CP",
        title="Nghị định du lịch",
        issued_date=date(2017, 12, 31),
        effective_date=date(2018, 1, 1),
    )
    db.session.commit()
    import_regulations(csv_bytes([regulation_row("D-1")]), "d.csv")
    event = db.session.scalar(select(RegulationEvent))
    assert event.kind == "created"
    assert event.event_date == date(2018, 1, 1)
    assert event.document.number == "168/2017/NĐ-CP"


def test_unknown_documents_are_created_with_their_type_inferred(reference):
    row = regulation_row(
        "T-1",
        legal_basis="59/2020/QH14; 01/2021/nđ-cp Điều 23, khoản 1; 1977/QĐ-TTg; "
        "02/2021/TT-BKHĐT; 01/2015/TTLT-BTC-BTP; 28/2005/PL-UBTVQH11; 05/VBHN-BTC",
    )
    import_regulations(csv_bytes([row]), "t.csv")
    types = dict(db.session.execute(select(LegalDocument.number, LegalDocument.doc_type)).all())
    assert types == {
        "59/2020/QH14": "law",
        "01/2021/NĐ-CP": "decree",
        "1977/QĐ-TTg": "pm_decision",
        "02/2021/TT-BKHĐT": "circular",
        "01/2015/TTLT-BTC-BTP": "joint_circular",
        "28/2005/PL-UBTVQH11": "ordinance",
        "05/VBHN-BTC": "other",
    }
    regulation = db.session.scalar(select(Regulation))
    assert regulation.bases[1].article == "Điều 23, khoản 1"


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(reference):
    rows = [
        regulation_row("OK-1"),
        regulation_row("OK-1"),  # duplicate code (line 3)
        regulation_row("BAD 2", kind="luật"),  # bad code and kind (line 4)
        regulation_row("BAD-3", ministry="bxyz", status="sắp có", published="maybe"),  # line 5
        regulation_row("BAD-4", legal_basis="Điều 5 của luật", time_hours="abc"),  # line 6
        regulation_row("BAD-5", frequency="", subjects=""),  # incomplete cost (line 7)
        regulation_row("BAD-6", title=""),  # line 8
    ]
    messages = failed_messages(csv_bytes(rows))
    assert count(Regulation) == 0
    assert count(LegalDocument) == 0
    joined = "\n".join(messages)
    assert "Line 3, column code: the code OK-1 already appears on line 2." in joined
    assert "Line 4, column code:" in joined and "Line 4, column kind:" in joined
    assert "Line 5, column ministry: “bxyz” is not a ministry code" in joined
    assert "Line 5, column status:" in joined and "Line 5, column published:" in joined
    assert (
        "Line 6, column legal_basis: “Điều 5 của luật” does not start with a document number"
        in joined
    )
    assert "Line 6, column time_hours:" in joined
    assert "Line 7, column frequency: cost inputs need both frequency and subjects" in joined
    assert "Line 8, column title: the title is required." in joined


def test_errors_are_reported_in_vietnamese_by_default(reference):
    messages = failed_messages(csv_bytes([regulation_row("V-1", ministry="xyz")]), lang="vi")
    assert messages == [
        "Dòng 2, cột ministry: “xyz” không phải là mã bộ, ngành (ví dụ byt, bgtvt, nhnn); "
        "xem danh sách các bộ, ngành."
    ]


def test_line_numbers_count_multiline_cells(reference):
    rows = [
        regulation_row("M-1", content="Dòng một\nDòng hai\nDòng ba"),
        regulation_row("M-2", ministry="nope"),
    ]
    messages = failed_messages(csv_bytes(rows))
    assert messages[0].startswith("Line 5, column ministry")


def test_header_problems_are_reported_on_line_one(reference):
    data = (
        "code,kind,title,ministry,field,status,published,legal_basis,colour\n"
        "A,TTHC,x,byt,,in_force,1,01/2021/NĐ-CP,red\n"
    )
    messages = failed_messages(data.encode())
    assert messages[0] == "Line 1: missing column(s): content."
    assert messages[1].startswith("Line 1: unknown column(s): “colour”.")


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "empty.csv", "the file is empty"),
        ("tiêu đề".encode("utf-16"), "utf16.csv", "not UTF-8"),
        (b"not a zip", "book.xlsx", "not an Excel workbook"),
        (b"PK\x03\x04garbage", "book.xlsx", "could not be opened"),
        (b"code", "notes.pdf", "Unsupported file type"),
    ],
)
def test_unreadable_files_get_a_clear_message(reference, data, filename, expected):
    messages = failed_messages(data, filename)
    assert expected in messages[0]


def test_header_only_file_is_refused(reference):
    assert "no rows" in failed_messages(csv_bytes([]))[0]


def test_numbers_accept_vietnamese_and_english_separators(reference):
    rows = [
        regulation_row("N-1", time_hours="2,5", cost_vnd="1.500.000", subjects="12.000"),
        regulation_row("N-2", time_hours="2.5", cost_vnd="1,500,000", subjects="12000"),
    ]
    import_regulations(csv_bytes(rows), "n.csv")
    values = set(
        db.session.execute(
            select(Regulation.time_hours, Regulation.cost_vnd, Regulation.subjects)
        ).all()
    )
    assert values == {(2.5, 1_500_000, 12_000)}


def test_text_is_normalised_to_nfc_and_cleaned(reference):
    nfd_title = "Thu\u0309 tu\u0323c \u200bca\u0302\u0301p phe\u0301p"
    import_regulations(
        csv_bytes([regulation_row("C-1", title=nfd_title, field="Y te\u0302\u0301")]), "c.csv"
    )
    regulation = db.session.scalar(select(Regulation))
    assert regulation.title == "Thủ tục cấp phép"
    assert regulation.field.name_vi == "Y tế"


def test_fields_match_regardless_of_case_and_diacritics(reference):
    import_regulations(
        csv_bytes([regulation_row("F-1", field="Du lịch"), regulation_row("F-2", field="DU LỊCH")]),
        "f.csv",
    )
    assert len({r.field_id for r in db.session.scalars(select(Regulation))}) == 1


def test_formula_escaped_cells_are_restored(reference):
    import_regulations(
        csv_bytes([regulation_row("E-1", content="'- Hồ sơ gồm đơn đề nghị")]), "e.csv"
    )
    assert db.session.scalar(select(Regulation.content)) == "- Hồ sơ gồm đơn đề nghị"


def test_insert_only_leaves_existing_rows_alone(reference):
    import_regulations(csv_bytes([regulation_row("I-1")]), "i.csv")
    result = import_regulations(
        csv_bytes([regulation_row("I-1", title="Đổi tên"), regulation_row("I-2")]),
        "i.csv",
        insert_only=True,
    )
    assert (result.created, result.skipped) == (1, 1)
    assert db.session.scalar(select(Regulation.title).where(Regulation.code == "I-1")).endswith(
        "I-1"
    )


def test_a_file_without_cost_columns_keeps_the_stored_costs(reference):
    import_regulations(csv_bytes([regulation_row("K-1")]), "full.csv")
    required = [c for c in COLUMNS if c not in ("time_hours", "cost_vnd", "frequency", "subjects")]
    result = import_regulations(
        csv_bytes([regulation_row("K-1", title="Tên mới")], columns=required), "short.csv"
    )
    assert result.updated == 1
    regulation = db.session.scalar(select(Regulation))
    assert (
        regulation.time_hours,
        regulation.cost_vnd,
        regulation.frequency,
        regulation.subjects,
    ) == (16, 3_000_000, 0.2, 300)
    assert regulation.title == "Tên mới"


def test_codes_match_whatever_their_case(reference):
    import_regulations(csv_bytes([regulation_row("BYT-TTHC-001")]), "a.csv")
    result = import_regulations(csv_bytes([regulation_row("byt-tthc-001", title="Đổi")]), "b.csv")
    assert (result.created, result.updated) == (0, 1)
    assert db.session.scalar(select(func.count(Regulation.id))) == 1
    assert db.session.scalar(select(Regulation.code)) == "BYT-TTHC-001"


def test_codes_that_shadow_portal_paths_are_refused(reference):
    messages = failed_messages(csv_bytes([regulation_row("export.csv")]))
    assert "reserved" in messages[0]


def test_a_ministry_list_of_one_kind_is_read_from_its_index(reference, client):
    """SQLite only: the commonest filtered list (a ministry's regulations of one kind, in code
    order) must be found through its index, not by walking every published code (bench/api.py
    saw 17-24 ms of SQL for such a page instead of under 1 ms). No import may leave ANALYZE
    statistics behind: with them SQLite plans the grouped counts of the home page 3-5 times
    slower."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans with its own statistics")
    rows = [regulation_row(f"BYT-IX-{n}", ministry="byt", kind="condition") for n in range(30)]
    import_regulations(csv_bytes(rows), "ix.csv")
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "FROM regulation" in statement and "ORDER BY regulation.code" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = client.get("/regulations?ministry=byt&kind=condition")
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200 and "BYT-IX-0" in response.get_data(as_text=True)
    assert statements
    with db.engine.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statements[0][0], statements[0][1]
        ).all()
        stats = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).all()
    assert "ix_regulation_published_ministry_kind_code" in " ".join(row[-1] for row in plan)
    assert not stats


def test_counts_per_ministry_are_read_from_the_covering_index(reference, client):
    """SQLite only: the home and ministries pages count and total per ministry; the planner
    must answer from the covering statistics index, not walk another index into the table
    (52-58 ms instead of 4-8 ms at 20,000 regulations)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans with its own statistics")
    import_regulations(csv_bytes([regulation_row("BYT-GR-1", ministry="byt")]), "gr.csv")
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "GROUP BY regulation.ministry_id" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert client.get("/").status_code == 200
        assert client.get("/ministries").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert statements
    with db.engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            assert "COVERING INDEX" in " ".join(row[-1] for row in plan), statement


def _plans_of(client, urls, wanted) -> list[tuple[str, str]]:
    """(statement, SQLite query plan) of every statement the pages run that `wanted` accepts."""
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if wanted(statement):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        for url in urls:
            assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert statements
    with db.engine.connect() as connection:
        return [
            (
                statement,
                " ".join(
                    row[-1]
                    for row in connection.exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )
                ),
            )
            for statement, parameters in statements
        ]


def test_counts_by_kind_and_status_need_no_sort(reference, client):
    """SQLite only: the list's total and facets (one GROUP BY kind, status) and the counts and
    totals by kind of the home and field pages are read in group order from a covering index;
    sorting every published row in a temporary B-tree took 8 ms at 20,000 regulations."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans with its own statistics")
    import_regulations(
        csv_bytes([regulation_row("BYT-GK-1", ministry="byt", field="Dược phẩm")]), "gk.csv"
    )
    urls = ["/", "/regulations", "/regulations?field=duoc-pham", "/fields/duoc-pham"]
    plans = _plans_of(client, urls, lambda s: "GROUP BY regulation.kind" in s)
    assert len(plans) >= 4
    for statement, plan in plans:
        assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, (statement, plan)


def test_a_field_list_is_found_through_the_field(reference, client):
    """SQLite only: a field's list sorted by cost must start from the field's regulations, not
    walk every published one (8 ms of SQL at 20,000 regulations, against 1-2 ms)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans with its own statistics")
    import_regulations(
        csv_bytes([regulation_row("BYT-FC-1", ministry="byt", field="Dược phẩm")]), "fc.csv"
    )
    plans = _plans_of(
        client,
        ["/regulations?field=duoc-pham&sort=cost"],
        lambda s: s.startswith("SELECT regulation.id") and "LIMIT" in s,
    )
    for statement, plan in plans:
        assert "field_id=?" in plan, (statement, plan)
