"""Bulk downloads (CSV with BOM and JSON Lines, made again on change, with SHA-256), the
`flask export dump` command and the Atom feed of new regulations."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET

import pytest

from portal.consultation import services
from portal.extensions import db
from portal.regulations.importer import import_regulations
from tests.api.conftest import get_json
from tests.conftest import csv_bytes, regulation_row

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _own_export_dir(app, tmp_path):
    """Each test starts with no files made yet."""
    before = app.config["EXPORT_DIR"]
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    yield
    app.config["EXPORT_DIR"] = before


def download(client, url):
    with client.get(url) as response:
        assert response.status_code == 200, response.data[:300]
        return response.get_data(), response.headers


def test_every_dataset_in_csv_and_json_lines_with_its_digest(client, world):
    services.post_comment(
        world["business"], world["consultation"], "Ý kiến: “bỏ đi”.", "dl-key-0001"
    )
    db.session.commit()
    listing = get_json(client, "/api/v1/downloads")["items"]
    assert {(item["dataset"], item["format"]) for item in listing} == {
        (name, fmt)
        for name in ("regulations", "documents", "consultations", "reform-scores")
        for fmt in ("csv", "jsonl")
    }
    for item in listing:
        data, headers = download(client, item["url"])
        assert hashlib.sha256(data).hexdigest() == item["sha256"] == headers["X-Content-SHA256"]
        assert len(data) == item["bytes"]
        assert headers["ETag"].strip('"') == item["sha256"]
        assert item["dataset"] in headers["Content-Disposition"]
        if item["format"] == "csv":
            assert data.startswith("\ufeff".encode())  # Excel keeps Vietnamese
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert len(rows) - 1 == item["rows"]
        else:
            lines = [json.loads(line) for line in data.decode().splitlines()]
            assert len(lines) == item["rows"]
    regulations = download(client, "/api/v1/downloads/regulations.jsonl")[0].decode()
    codes = [json.loads(line)["code"] for line in regulations.splitlines()]
    assert codes == sorted(codes) and "BCT-1" in codes
    consultations = download(client, "/api/v1/downloads/consultations.csv")[0].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(consultations)))
    assert rows[0]["body"] == "Ý kiến: “bỏ đi”."
    assert rows[0]["author_category"] == "business"
    one = json.loads(download(client, "/api/v1/downloads/consultations.jsonl")[0].splitlines()[0])
    assert one["comments"][0]["body"] == "Ý kiến: “bỏ đi”."


def test_files_are_made_again_when_the_data_change(client, make_regulations):
    make_regulations(regulation_row("BYT-DL-1", ministry="byt"))
    before = {i["dataset"] + i["format"]: i for i in get_json(client, "/api/v1/downloads")["items"]}
    again = {i["dataset"] + i["format"]: i for i in get_json(client, "/api/v1/downloads")["items"]}
    assert again == before  # nothing changed: nothing made again
    import_regulations(
        csv_bytes([regulation_row("BYT-DL-2", ministry="byt", title="Quy định mới thêm")]), "x.csv"
    )
    after = {i["dataset"] + i["format"]: i for i in get_json(client, "/api/v1/downloads")["items"]}
    assert after["regulationscsv"]["sha256"] != before["regulationscsv"]["sha256"]
    assert after["regulationscsv"]["rows"] == before["regulationscsv"]["rows"] + 1
    assert after["regulationscsv"]["generated_at"] >= before["regulationscsv"]["generated_at"]
    data, _headers = download(client, "/api/v1/downloads/regulations.csv")
    assert "Quy định mới thêm" in data.decode("utf-8-sig")


def test_unpublished_regulations_and_hidden_comments_are_not_in_the_files(client, world):
    from tests.conftest import regulation_row as row

    import_regulations(csv_bytes([row("BCT-SECRET", ministry="bct", published="0")]), "s.csv")
    hidden = services.post_comment(
        world["business"], world["consultation"], "Lời lẽ xúc phạm", "dl-key-0002"
    )
    services.moderate_comment(world["admin"], hidden, "remove", "Xúc phạm")
    db.session.commit()
    for url in ("/api/v1/downloads/regulations.csv", "/api/v1/downloads/regulations.jsonl"):
        assert b"BCT-SECRET" not in download(client, url)[0]
    for url in ("/api/v1/downloads/consultations.csv", "/api/v1/downloads/consultations.jsonl"):
        text = download(client, url)[0].decode("utf-8-sig")
        assert "Lời lẽ xúc phạm" not in text and "Xúc phạm" in text


def test_a_csv_cell_that_looks_like_a_formula_is_defused(client, make_regulations):
    make_regulations(regulation_row("BYT-F-1", ministry="byt", title='=HYPERLINK("x")'))
    text = download(client, "/api/v1/downloads/regulations.csv")[0].decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_unknown_files_are_404_json(client):
    for path in ("/api/v1/downloads/secrets.csv", "/api/v1/downloads/regulations.exe"):
        assert get_json(client, path, status=404)["code"] == "not_found"


def test_the_open_data_page_lists_files_feeds_and_the_api(client, make_regulations):
    make_regulations(regulation_row("BYT-DL-3", ministry="byt"))
    page = client.get("/data").get_data(as_text=True)
    assert "Dữ liệu mở" in page and "regulations.csv" in page and "/api/docs" in page
    assert "/feeds/regulations.atom?ministry=byt" in page
    english = client.get("/data", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Bulk files" in english


def test_flask_export_dump_writes_every_file_with_checksums(app, make_regulations, tmp_path):
    make_regulations(regulation_row("BYT-DUMP-1", ministry="byt"))
    target = tmp_path / "dump"
    result = app.test_cli_runner().invoke(args=["export", "dump", str(target)])
    assert result.exit_code == 0, result.output
    sums = (target / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 8
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((target / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["regulations"]["files"]["csv"]["rows"] == 1
    line = (target / "regulations.jsonl").read_text().splitlines()[0]
    assert json.loads(line)["url"] == "http://127.0.0.1:5000/api/v1/regulations/BYT-DUMP-1"


def test_the_atom_feed_of_new_regulations_per_ministry(client, make_regulations):
    make_regulations(
        regulation_row("BYT-FEED-1", ministry="byt"),
        regulation_row("BYT-FEED-2", ministry="byt", published="0"),
        regulation_row("BCT-FEED-3", ministry="bct"),
    )
    response = client.get("/feeds/regulations.atom?ministry=byt")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 (our own feed)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert [title.split(" — ")[0] for title in titles] == ["BYT-FEED-1"]
    assert "Bộ Y tế" in feed.find(f"{ATOM}title").text
    everything = ET.fromstring(client.get("/feeds/regulations.atom").data)  # noqa: S314
    assert len(list(everything.iter(f"{ATOM}entry"))) == 2
    assert client.get("/feeds/regulations.atom?ministry=zzz").status_code == 404
    ministry_page = client.get("/ministries/byt").get_data(as_text=True)
    assert 'type="application/atom+xml"' in ministry_page


def test_lists_do_not_wait_while_changed_files_are_made_again(app, client, make_regulations):
    make_regulations(regulation_row("BYT-BG-1", ministry="byt"))
    first = get_json(client, "/api/v1/downloads")["items"]  # no files yet: made before answering
    assert all(item["current"] for item in first)
    app.config["EXPORT_REFRESH"] = "background"
    try:
        import_regulations(csv_bytes([regulation_row("BYT-BG-2", ministry="byt")]), "bg.csv")
        during = get_json(client, "/api/v1/downloads")["items"]
        regulations = [item for item in during if item["dataset"] == "regulations"]
        assert [item["current"] for item in regulations] == [False, False]
        assert regulations[0]["rows"] == 1  # the files as they are, without waiting
        app.extensions["bulk_files_thread"].join(timeout=60)
        after = get_json(client, "/api/v1/downloads")["items"]
        regulations = [item for item in after if item["dataset"] == "regulations"]
        assert [item["current"] for item in regulations] == [True, True]
        assert regulations[0]["rows"] == 2
        page = client.get("/data").get_data(as_text=True)
        assert "đang cập nhật" not in page
    finally:
        app.config["EXPORT_REFRESH"] = "inline"


def test_a_download_always_waits_for_the_current_file(app, client, make_regulations):
    make_regulations(regulation_row("BYT-W-1", ministry="byt"))
    get_json(client, "/api/v1/downloads")
    app.config["EXPORT_REFRESH"] = "background"
    try:
        import_regulations(csv_bytes([regulation_row("BYT-W-2", ministry="byt")]), "w.csv")
        data, _headers = download(client, "/api/v1/downloads/regulations.jsonl")
        assert len(data.splitlines()) == 2
    finally:
        app.config["EXPORT_REFRESH"] = "inline"
