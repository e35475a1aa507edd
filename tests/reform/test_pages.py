"""The reform-effort pages, downloads, the command and the vendored chart library."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest

from portal.reform import index, methodology
from tests.conftest import regulation_row
from tests.reform.test_index import world  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_ranking_page(client, world):  # noqa: F811
    page = client.get("/reform?period=2025").get_data(as_text=True)
    assert "Đánh giá nỗ lực cải cách quy định kinh doanh" in page
    first = page.index("Bộ Công Thương")
    assert first < page.index("Bộ Y tế")
    assert "yếu" in page or "trung bình" in page or "tốt" in page  # the band in words
    assert "phiên bản phương pháp 1" in page
    assert 'data-chart="bar"' in page and "<table" in page
    assert "Không gian thể chế" in page
    # The institutional-space panel follows the chosen period (and the year before it).
    assert '<th scope="row">2025</th>' in page and '<th scope="row">2024</th>' in page
    assert '<th scope="row">2026</th>' not in page
    earlier = client.get("/reform?period=2024").get_data(as_text=True)
    assert '<th scope="row">2024</th>' in earlier and '<th scope="row">2025</th>' not in earlier


@pytest.mark.parametrize("period", ["abc", "1900", "99999999999999", "%00", "2025.5", ""])
def test_a_bad_period_shows_the_current_year(client, world, period):  # noqa: F811
    assert client.get("/reform", query_string={"period": period}).status_code == 200


def test_a_ministrys_indicators_link_to_their_records(client, world):  # noqa: F811
    page = client.get("/reform/bct?period=2025").get_data(as_text=True)
    assert "T1 — Tỷ lệ công khai" in page and "75,0 %" in page
    assert "/reform/bct/evidence/S1?period=2025" in page
    evidence = client.get("/reform/bct/evidence/S1?period=2025").get_data(as_text=True)
    assert "GY-2025-000003" in evidence and "chưa trả lời" in evidence
    assert "GY-2025-000004" not in evidence  # due in 2026
    r3 = client.get("/reform/bct/evidence/R3?period=2025").get_data(as_text=True)
    assert "A3" in r3 and "chưa thực hiện" in r3
    t1 = client.get("/reform/bct/evidence/T1?period=2025").get_data(as_text=True)
    assert "1 quy định" in t1 and "A4" not in t1  # unpublished ones are only counted
    assert client.get("/reform/bct/evidence/X9").status_code == 404
    assert client.get("/reform/zzz").status_code == 404


def test_downloads_of_the_ranking_and_of_a_ministry(client, world):  # noqa: F811
    response = client.get("/reform/export.csv?period=2025")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["rank", "ministry", "ministry_code"]
    assert rows[1][2] == "bct" and rows[1][4] == "1"
    response = client.get("/reform/bct/export.csv?period=2025")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    t1 = next(row for row in rows if row[3] == "T1")
    assert (t1[5], t1[6], t1[7]) == ("3", "4", "0.75")
    assert client.get("/reform/export.xlsx?period=2025").data[:2] == b"PK"


def test_the_methodology_and_the_reported_figures(client, world):  # noqa: F811
    page = client.get("/reform/methodology").get_data(as_text=True)
    assert "Phiên bản" in page and "30 / 40 / 30" in page and "30/9" in page
    figures = client.get("/reform/figures").get_data(as_text=True)
    assert "143" in figures and "144" in figures  # printed total and the sum of its parts
    assert "1.029" in figures and "924" in figures
    assert "thiếu trong báo cáo" in figures
    assert "1977/QĐ-TTg" in figures
    # Phụ lục 1 III by kind: Bộ GTVT's 2,046 unpublished KTCN products, and the sums of the
    # eleven printed rows (the report's own total row is missing).
    assert "2.046" in figures and "9.549" in figures and "3.010" in figures
    assert "1.889" in figures and "352" in figures  # what cannot be checked, said plainly
    assert "p1_I_regs_cut_by_ministry" not in figures  # tables named for people, not files


def test_administrators_change_the_methodology(client, world, create_user, login):  # noqa: F811
    login(create_user("admin"))
    page = client.get("/admin/methodology").get_data(as_text=True)
    assert 'value="30"' in page
    bad = client.post(
        "/admin/methodology",
        data={
            "weight_transparency": "40",
            "weight_results": "40",
            "weight_satisfaction": "40",
            "target_regulations": "20",
            "target_cost": "20",
            "consultation_min_days": "30",
            "deadline_day": "31",
            "deadline_month": "2",
            "plan_first": "2021",
            "plan_last": "2030",
            "band_good": "80",
            "band_fair": "50",
            "note": "x",
        },
    )
    assert bad.status_code == 400 and "100" in bad.get_data(as_text=True)
    ok = client.post(
        "/admin/methodology",
        data={
            "weight_transparency": "40",
            "weight_results": "40",
            "weight_satisfaction": "20",
            "target_regulations": "20",
            "target_cost": "20",
            "consultation_min_days": "30",
            "deadline_day": "30",
            "deadline_month": "9",
            "plan_first": "2021",
            "plan_last": "2030",
            "band_good": "80",
            "band_fair": "50",
            "note": "Thử nghiệm trọng số mới.",
        },
    )
    assert ok.status_code in (302, 303)
    page = client.get("/reform/methodology").get_data(as_text=True)
    assert "40 / 40 / 20" in page and "Thử nghiệm trọng số mới." in page
    assert "phiên bản phương pháp 2" in client.get("/reform?period=2025").get_data(as_text=True)


def test_the_compute_command(app, world):  # noqa: F811
    result = app.test_cli_runner().invoke(args=["reform", "compute", "--period", "2025"])
    assert result.exit_code == 0, result.output
    assert "2025:" in result.output and "first bct" in result.output


def test_the_chart_library_is_the_vendored_release():
    folder = ROOT / "portal" / "static" / "vendor" / "chartjs"
    digest = hashlib.sha256((folder / "chart.umd.min.js").read_bytes()).hexdigest()
    assert digest in (folder / "README.md").read_text()
    assert "MIT" in (folder / "LICENSE.md").read_text()


def test_the_ministry_page_shows_the_reported_figures(client, reference):
    page = client.get("/ministries/bgtvt").get_data(as_text=True)
    assert "1977/QĐ-TTg" in page and "334 đã công khai, 2.449 chưa công khai" in page
    missing = client.get("/ministries/byt").get_data(as_text=True)
    assert "bảng của báo cáo dừng sau dòng 11" in missing


def test_a_fresh_portal_shows_2022_from_the_reported_figures(client, reference):
    """Before any regulation is imported, the 2021 and 2022 periods exist, and 2022 is
    computed from the report (marked as such) rather than the page falling back to this
    year."""
    page = client.get("/reform?period=2022").get_data(as_text=True)
    assert "?period=2021" in page
    assert "Bộ Giao thông vận tải" in page and "số liệu báo cáo" in page
    transport = client.get("/reform/bgtvt?period=2022").get_data(as_text=True)
    assert "số liệu báo cáo" in transport
    api = client.get("/api/v1/reform/scores?period=2022")
    assert api.status_code == 200


def test_evidence_lists_every_record_page_by_page(client, make_regulations):
    """Counts and lists behind an indicator are never cut: 130 unpublished regulations are
    counted as 130, and 130 published ones are listed over two pages."""
    rows = [regulation_row(f"NB-{n:03d}", ministry="bct", published="0") for n in range(130)]
    rows += [regulation_row(f"PB-{n:03d}", ministry="bct") for n in range(130)]
    make_regulations(*rows)
    year = index.periods()[0]
    first = client.get(f"/reform/bct/evidence/T1?period={year}").get_data(as_text=True)
    assert "130 quy định" in first and "NB-000" not in first
    assert "Bản ghi 1–100 trên tổng số 130" in first
    assert "PB-000" in first and "PB-129" not in first
    second = client.get(f"/reform/bct/evidence/T1?period={year}&page=2").get_data(as_text=True)
    assert "PB-129" in second and "PB-000" not in second
    assert client.get(f"/reform/bct/evidence/T1?period={year}&page=3").status_code == 404


@pytest.mark.parametrize(("total", "expected"), [(79.96, "good"), (79.94, "fair"), (49.95, "fair")])
def test_the_band_follows_the_total_as_it_is_shown(total, expected):
    assert index.band(total, methodology.DEFAULT_PARAMETERS) == expected
