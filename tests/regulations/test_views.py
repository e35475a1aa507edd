"""What a visitor sees in the catalogue pages."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.regulations.models import Regulation
from portal.regulations.services import add_relation, local_today, record_event, upsert_document
from tests.conftest import regulation_row


def text_of(response) -> str:
    """The page as a reader sees it: tags removed, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def catalogue(make_regulations):
    make_regulations(
        regulation_row(
            "BYT-TTHC-001",
            ministry="byt",
            field="Dược phẩm",
            title="Cấp chứng chỉ hành nghề dược",
            legal_basis="54/2017/NĐ-CP Điều 24",
        ),
        regulation_row(
            "BYT-YCDK-001",
            ministry="byt",
            kind="condition",
            field="Dược phẩm",
            title="Điều kiện kinh doanh thuốc",
            legal_basis="105/2016/QH13 Điều 33",
            time_hours="",
            cost_vnd="",
            frequency="",
            subjects="",
        ),
        regulation_row(
            "BYT-TTHC-002",
            ministry="byt",
            published="0",
            field="Dược phẩm",
            title="Thủ tục bí mật chưa công khai",
            legal_basis="54/2017/NĐ-CP",
        ),
        regulation_row(
            "BGTVT-TTHC-001",
            ministry="bgtvt",
            field="Vận tải đường bộ",
            title="Cấp Giấy phép kinh doanh vận tải bằng xe ô tô",
            legal_basis="10/2020/NĐ-CP Điều 18",
        ),
        regulation_row(
            "BGTVT-CAM-001",
            ministry="bgtvt",
            kind="prohibition",
            status="draft",
            field="Vận tải đường bộ",
            title="Cấm chở quá tải trọng",
            legal_basis="",
            time_hours="",
            cost_vnd="",
            frequency="",
            subjects="",
        ),
    )


def test_list_shows_published_regulations_with_total(client, catalogue):
    page = text_of(client.get("/regulations"))
    assert "1–4 / 4" in page or "Showing 1–4 of 4 regulations" in page
    assert "Cấp chứng chỉ hành nghề dược" in page
    assert "Thủ tục bí mật chưa công khai" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=procedure", {"BYT-TTHC-001", "BGTVT-TTHC-001"}),
        ("kind=TTHC&kind=YCĐK", {"BYT-TTHC-001", "BYT-YCDK-001", "BGTVT-TTHC-001"}),
        ("ministry=byt", {"BYT-TTHC-001", "BYT-YCDK-001"}),
        ("ministry=byt&kind=condition", {"BYT-YCDK-001"}),
        ("status=draft", {"BGTVT-CAM-001"}),
        ("status=dự thảo&ministry=bgtvt", {"BGTVT-CAM-001"}),
        ("field=duoc-pham", {"BYT-TTHC-001", "BYT-YCDK-001"}),
        ("document=54/2017/NĐ-CP", {"BYT-TTHC-001"}),
        ("document=54/2017/nd-cp&kind=procedure", {"BYT-TTHC-001"}),
        ("ministry=bgtvt&field=van-tai-duong-bo&status=in_force", {"BGTVT-TTHC-001"}),
        ("ministry=byt&status=abolished", set()),
    ],
)
def test_filters_combine_and_live_in_the_url(client, catalogue, query, expected):
    response = client.get("/regulations?" + query)
    assert response.status_code == 200
    codes = set(re.findall(r'href="/regulations/([A-Z0-9-]+)"', response.get_data(as_text=True)))
    assert codes == expected


def _panel_counts(html: str) -> tuple[dict[str, int], dict[str, int]]:
    """The counts the filter panel shows beside each kind and each status."""
    kinds = {
        code: int(count)
        for code, count in re.findall(
            r'id="kind-(\w+)"[^>]*>\s*<label[^>]*>[^<]*<span class="count">\((\d+)\)', html
        )
    }
    statuses = {
        code: int(count)
        for code, count in re.findall(r'<option value="(\w+)"[^>]*>[^<(]*\((\d+)\)</option>', html)
        if code in {"in_force", "draft", "abolished"}
    }
    return kinds, statuses


@pytest.mark.parametrize(
    ("query", "total", "kinds", "statuses"),
    [
        # Nothing chosen: every published regulation, by kind and by status.
        ("", 4, {"procedure": 2, "condition": 1, "prohibition": 1}, {"in_force": 3, "draft": 1}),
        # A kind: the kind facet ignores it (other kinds stay choosable), the status facet
        # counts within it.
        (
            "kind=procedure",
            2,
            {"procedure": 2, "condition": 1, "prohibition": 1},
            {"in_force": 2, "draft": 0},
        ),
        # A status: the reverse.
        (
            "status=draft",
            1,
            {"procedure": 0, "condition": 0, "prohibition": 1},
            {"in_force": 3, "draft": 1},
        ),
        # Both, with a ministry that narrows both facets.
        (
            "ministry=bgtvt&kind=procedure&status=in_force",
            1,
            {"procedure": 1, "condition": 0, "prohibition": 0},
            {"in_force": 1, "draft": 0},
        ),
    ],
)
def test_filter_panel_counts_follow_the_other_filters(
    client, catalogue, query, total, kinds, statuses
):
    response = client.get("/regulations?" + query, headers={"Accept-Language": "en"})
    shown_kinds, shown_statuses = _panel_counts(response.get_data(as_text=True))
    assert {code: shown_kinds.get(code, 0) for code in kinds} == kinds
    assert {code: shown_statuses.get(code, 0) for code in statuses} == statuses
    assert f"of {total} regulations" in text_of(response)


def test_unknown_filter_values_are_explained_not_fatal(client, catalogue):
    page = text_of(client.get("/regulations?ministry=xyz&kind=law&status=soon&sort=__class__"))
    assert "There is no ministry with the code “xyz”" in page or "xyz" in page
    assert page.count("ignored") >= 3 or page.count("bỏ qua") >= 3


def test_pagination_shows_total_and_keeps_filters(client, make_regulations):
    make_regulations(*[regulation_row(f"P-{n:03d}", ministry="byt") for n in range(1, 26)])
    first = client.get("/regulations?ministry=byt&per_page=10")
    html = first.get_data(as_text=True)
    assert "page=2" in html and "ministry=byt" in html
    third = text_of(client.get("/regulations?ministry=byt&per_page=10&page=3"))
    assert "21–25" in third and "25" in third
    assert client.get("/regulations?ministry=byt&per_page=10&page=4").status_code == 404


def test_sorting_by_cost_puts_the_costliest_first(client, make_regulations):
    make_regulations(
        regulation_row("CHEAP", subjects="10"),
        regulation_row("DEAR", subjects="100000"),
        regulation_row("NONE", time_hours="", cost_vnd="", frequency="", subjects=""),
    )
    html = client.get("/regulations?sort=cost").get_data(as_text=True)
    order = re.findall(r'href="/regulations/(CHEAP|DEAR|NONE)"', html)
    assert order == ["DEAR", "CHEAP", "NONE"]


def test_detail_shows_basis_cost_and_history(client, catalogue):
    document, _changed = upsert_document(
        "10/2020/NĐ-CP", title="Nghị định về kinh doanh vận tải", issued_date=date(2020, 1, 17)
    )
    amending, _ = upsert_document("47/2022/NĐ-CP", title="Nghị định sửa đổi")
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "BGTVT-TTHC-001"))
    record_event(
        regulation,
        "simplified",
        local_today(),
        document=amending,
        note="Bỏ yêu cầu nộp bản sao có chứng thực.",
        changes={"cost_vnd": 1000000},
    )
    db.session.commit()
    response = client.get("/regulations/BGTVT-TTHC-001")
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert 'href="/documents/10-2020-nd-cp"' in html
    assert "Điều 18" in page and "Nghị định về kinh doanh vận tải" in page
    # (16 h × 43,750 + 1,000,000) × 0.2 × 300 = 102,000,000 VND
    assert "102,000,000 VND" in page or "102.000.000 đồng" in page
    assert "Bỏ yêu cầu nộp bản sao có chứng thực." in page
    assert 'href="/documents/47-2022-nd-cp"' in html
    assert local_today().strftime("%d/%m/%Y") in page
    assert document.number in page


def test_unpublished_regulations_are_never_shown_to_the_public(client, catalogue):
    assert client.get("/regulations/BYT-TTHC-002").status_code == 404
    for url in (
        "/regulations",
        "/regulations?published=0",
        "/regulations?ministry=byt",
        "/documents/54-2017-nd-cp",
        "/fields/duoc-pham",
        "/ministries/byt",
        "/regulations/export.csv",
        "/",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "BYT-TTHC-002" not in body, url
        assert "bí mật" not in body, url
    workbook = load_workbook(io.BytesIO(client.get("/regulations/export.xlsx").data))
    codes = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert "BYT-TTHC-002" not in codes and "BYT-TTHC-001" in codes


def test_the_public_sees_how_many_regulations_each_ministry_left_unpublished(client, catalogue):
    page = text_of(client.get("/ministries/byt"))
    assert re.search(r"(1 regulation of this ministry has not been published|1 quy định)", page)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="warning-text">1</span>', home)


def test_case_insensitive_codes_redirect_to_the_canonical_page(client, catalogue):
    response = client.get("/regulations/byt-tthc-001")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/regulations/BYT-TTHC-001")
    assert client.get("/ministries/BYT").status_code == 301


def test_document_page_lists_regulations_and_relations_both_ways(client, catalogue):
    law, _ = upsert_document("105/2016/QH13", title="Luật Dược")
    decree, _ = upsert_document("54/2017/NĐ-CP", title="Nghị định hướng dẫn Luật Dược")
    amending, _ = upsert_document("155/2018/NĐ-CP", title="Nghị định sửa đổi điều kiện kinh doanh")
    add_relation(decree, "guides", law)
    add_relation(amending, "amends", decree)
    db.session.commit()
    page = text_of(client.get("/documents/54-2017-nd-cp"))
    assert "Cấp chứng chỉ hành nghề dược" in page
    assert "Guides Law 105/2016/QH13" in page or "Hướng dẫn Luật 105/2016/QH13" in page
    assert (
        "Amended by Decree 155/2018/NĐ-CP" in page
        or "Được sửa đổi, bổ sung bởi Nghị định 155/2018/NĐ-CP" in page
    )
    law_page = text_of(client.get("/documents/105-2016-qh13"))
    assert "54/2017/NĐ-CP" in law_page
    assert client.get("/documents/khong-co").status_code == 404


def test_ministry_and_field_pages_count_by_kind(client, catalogue):
    html = client.get("/ministries/bgtvt").get_data(as_text=True)
    assert 'href="/regulations?kind=procedure&amp;ministry=bgtvt">1</a>' in html
    assert 'href="/regulations?kind=prohibition&amp;ministry=bgtvt">1</a>' in html
    field = client.get("/fields/duoc-pham").get_data(as_text=True)
    assert 'href="/regulations?kind=condition&amp;field=duoc-pham">1</a>' in field
    assert client.get("/fields/khong-co").status_code == 404
    assert "Dược phẩm" in text_of(client.get("/fields"))


@pytest.mark.parametrize(
    "url",
    [
        "/regulations",
        "/regulations/BYT-TTHC-001",
        "/documents",
        "/documents/54-2017-nd-cp",
        "/ministries",
        "/ministries/byt",
        "/fields",
        "/fields/duoc-pham",
        "/guide",
        "/about-data",
    ],
)
def test_every_page_has_breadcrumbs_back_home(client, catalogue, url):
    html = client.get(url).get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert crumbs, url
    assert 'href="/"' in crumbs.group(1)
    assert 'aria-current="page"' in crumbs.group(1)


def test_csv_export_is_the_filtered_list_with_bom_and_safe_cells(client, make_regulations):
    make_regulations(
        regulation_row("X-1", ministry="byt", title='=HYPERLINK("http://x","y")'),
        regulation_row("X-2", ministry="bgtvt"),
    )
    response = client.get("/regulations/export.csv?ministry=byt")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["code", "kind", "title"]
    assert [row[0] for row in rows[1:]] == ["X-1"]
    assert rows[1][2] == '\'=HYPERLINK("http://x","y")'


def test_home_page_shows_the_institutional_space_and_counts(client, catalogue):
    page = text_of(client.get("/"))
    year = date.today().year
    assert str(year) in page
    assert "Institutional space" in page or "Không gian thể chế" in page
    # three published regulations in force, documents: 54/2017, 105/2016, 10/2020
    table = re.search(r"space-heading.*?</table>", client.get("/").get_data(as_text=True), re.S)
    cells = re.findall(r'<td class="num">([^<]+)<', table.group(0))
    assert cells[:3] == ["3", "3", "2"]


def test_what_only_an_unpublished_regulation_mentions_stays_private(client, make_regulations):
    make_regulations(
        regulation_row("OPEN-1", ministry="byt", field="Dược phẩm", legal_basis="54/2017/NĐ-CP"),
        regulation_row(
            "HIDDEN-1",
            ministry="byt",
            published="0",
            field="Lĩnh vực bí mật mới",
            legal_basis="99/2026/TT-BYT Điều 1",
        ),
    )
    for url in (
        "/fields",
        "/regulations",
        "/documents",
        "/ministries/byt",
        "/",
        "/search?q=bi+mat",
        "/search?q=99/2026/TT-BYT",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "bí mật" not in body, url
        assert "99/2026" not in body or "99/2026/TT-BYT”" in body, url  # echoed query only
    assert client.get("/fields/linh-vuc-bi-mat-moi").status_code == 404
    assert client.get("/documents/99-2026-tt-byt").status_code == 404
    page = client.get("/regulations?document=99/2026/TT-BYT").get_data(as_text=True)
    assert "HIDDEN-1" not in page
    search = client.get("/search?q=99/2026/TT-BYT").get_data(as_text=True)
    assert "/documents/99-2026-tt-byt" not in search


def test_document_list_counts_each_regulation_once(client, make_regulations):
    make_regulations(
        regulation_row("TWICE", legal_basis="54/2017/NĐ-CP Điều 5; 54/2017/NĐ-CP Điều 6")
    )
    html = client.get("/documents").get_data(as_text=True)
    row = re.search(r'href="/documents/54-2017-nd-cp".*?</tr>', html, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1"]


def test_document_totals_follow_publication_at_once(client, make_regulations):
    """The public document counts are kept per catalogue version: a document cited only by a
    regulation that is then unpublished leaves the totals (web and API) at once, and returns
    when the regulation is published again."""
    make_regulations(
        regulation_row("ONLY", ministry="byt", legal_basis="54/2017/NĐ-CP"),
        regulation_row("OTHER", ministry="bgtvt", legal_basis="10/2020/NĐ-CP"),
    )

    def totals() -> tuple[int, int, int]:
        api = client.get("/api/v1/documents").get_json()["total"]
        decrees = client.get("/api/v1/documents?type=decree").get_json()["total"]
        page = text_of(client.get("/documents", headers={"Accept-Language": "en"}))
        shown = int(re.search(r"of (\d+)", page).group(1))
        return api, decrees, shown

    assert totals() == (2, 2, 2)
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "ONLY"))
    regulation.published = False
    db.session.commit()
    assert totals() == (1, 1, 1)
    regulation.published = True
    db.session.commit()
    assert totals() == (2, 2, 2)
