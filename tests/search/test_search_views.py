"""What a visitor sees at /search."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.regulations.models import Regulation
from portal.regulations.services import upsert_document
from portal.search.backend import make_eid
from portal.search.documents import regulation_entry
from tests.conftest import regulation_row
from tests.regulations.test_views import text_of


def result_codes(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'href="/regulations/([A-Za-z0-9.-]+)"', html)


@pytest.fixture
def world(make_regulations):
    upsert_document(
        "15/2018/NĐ-CP",
        title="Nghị định quy định chi tiết Luật An toàn thực phẩm",
        issued_date=date(2018, 2, 2),
    )
    db.session.commit()
    make_regulations(
        regulation_row(
            "A-1",
            ministry="bkhdt",
            field="Đăng ký doanh nghiệp",
            title="Đăng ký thành lập doanh nghiệp tư nhân",
            legal_basis="01/2021/NĐ-CP",
        ),
        regulation_row(
            "A-2",
            ministry="bkhdt",
            field="Đăng ký doanh nghiệp",
            kind="report",
            title="Báo cáo dạng ký hiệu doanh nghiệp",
            legal_basis="01/2021/NĐ-CP",
        ),
        regulation_row(
            "B-1",
            ministry="byt",
            field="An toàn thực phẩm",
            title="Đăng ký bản công bố sản phẩm thực phẩm bảo vệ sức khỏe",
            legal_basis="15/2018/NĐ-CP Điều 7",
        ),
        regulation_row(
            "B-2",
            ministry="byt",
            field="An toàn thực phẩm",
            kind="inspection",
            title="Kiểm tra nhà nước về an toàn thực phẩm nhập khẩu",
            legal_basis="15/2018/NĐ-CP Điều 13",
        ),
        regulation_row(
            "H-1",
            ministry="byt",
            published="0",
            field="An toàn thực phẩm",
            title="Thủ tục đăng ký bí mật chưa công khai",
            legal_basis="15/2018/NĐ-CP",
        ),
        regulation_row(
            "T-1",
            ministry="bgtvt",
            field="Vận tải",
            title="Cấp phép vận tải đường thủy nội địa",
            legal_basis="10/2020/NĐ-CP",
        ),
    )


def test_accent_less_upper_case_and_nfd_queries_find_accented_text(client, world):
    for query in (
        "dang ky thanh lap",
        "ĐĂNG KÝ THÀNH LẬP",
        unicodedata.normalize("NFD", "đăng ký thành lập"),
        "duong thuy",
    ):
        codes = result_codes(client.get("/search", query_string={"q": query}))
        assert codes and codes[0] in ("A-1", "T-1"), (query, codes)


def test_correct_diacritics_rank_exact_matches_first(client, world):
    codes = result_codes(client.get("/search?q=đăng ký"))
    assert codes.index("A-1") < codes.index("A-2")  # A-2 has "dạng ký"
    assert set(codes) >= {"A-1", "A-2", "B-1"}


def test_phrases_respect_order(client, world):
    assert result_codes(client.get('/search?q="thành lập doanh nghiệp"')) == ["A-1"]
    assert result_codes(client.get('/search?q="doanh nghiệp thành lập"')) == []


def test_citation_finds_the_document_first_then_its_regulations(client, world):
    html = client.get("/search?q=NĐ 15/2018").get_data(as_text=True)
    first = html.index('href="/documents/15-2018-nd-cp"')
    assert first < html.index('href="/regulations/B-1"')
    assert set(result_codes(client.get("/search?q=nghị định 15/2018"))) == {"B-1", "B-2"}


def test_unpublished_regulations_never_show_even_if_the_index_holds_them(app, client, world):
    hidden = db.session.scalar(select(Regulation).where(Regulation.code == "H-1"))
    app.extensions["search"].index([regulation_entry(hidden)])  # a stale or careless index
    assert make_eid("regulation", hidden.id) in app.extensions["search"].eids()
    for query in ("bí mật", "bi mat cong khai", "NĐ 15/2018", "đăng ký"):
        response = client.get("/search", query_string={"q": query})
        body = response.get_data(as_text=True)
        assert "H-1" not in body and "bí mật chưa công khai" not in body, query
    response = client.get("/search?q=an toàn thực phẩm")
    assert "3 kết quả" in text_of(response)  # B-1, B-2 and Nghị định 15/2018/NĐ-CP
    assert result_codes(response) == ["B-1", "B-2"] or result_codes(response) == ["B-2", "B-1"]


def test_search_follows_publication_changes_at_once(client, world):
    """What search may show is cached per data version (portal.search.catalogue): hiding,
    showing again and deleting a regulation must each change that version."""

    def codes() -> set[str]:
        return set(result_codes(client.get("/search?q=an toàn thực phẩm")))

    assert codes() == {"B-1", "B-2"}
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "B-1"))
    regulation.published = False
    db.session.commit()
    assert codes() == {"B-2"}
    regulation.published = True
    db.session.commit()
    assert codes() == {"B-1", "B-2"}
    db.session.delete(db.session.scalar(select(Regulation).where(Regulation.code == "B-2")))
    db.session.commit()
    assert codes() == {"B-1"}


def test_facets_count_and_combine(client, world):
    html = client.get("/search?q=doanh nghiệp").get_data(as_text=True)
    assert re.search(r"Bộ Kế hoạch và Đầu tư <span class=\"count\">\(2\)</span>", html)
    filtered = client.get("/search?q=doanh nghiệp&kind=report")
    assert result_codes(filtered) == ["A-2"]
    assert "1 kết quả" in text_of(filtered)
    both = client.get("/search?q=thực phẩm&ministry=byt&kind=inspection")
    assert result_codes(both) == ["B-2"]
    documents = client.get("/search?q=15/2018/NĐ-CP&type=document")
    assert result_codes(documents) == []
    assert 'href="/documents/15-2018-nd-cp"' in documents.get_data(as_text=True)


def test_zero_results_offer_spelling_and_dropping_filters(client, world):
    page = client.get("/search?q=thuc pham&ministry=bgtvt").get_data(as_text=True)
    assert "Tìm lại không dùng bộ lọc" in page or "Search again without filters" in page
    typo = client.get("/search?q=thuc phamm&correct=0").get_data(as_text=True)
    assert "Không có kết quả cho “thuc phamm”" in typo
    suggestions = re.search(r"Có phải bạn muốn tìm.*?</p>", typo, re.S)
    assert suggestions and 'href="/search?q=thuc+pham&amp;correct=0"' in suggestions.group(0)


def test_a_misspelt_query_shows_the_results_of_its_correction(client, world):
    response = client.get("/search?q=dang ky thanh lapp doanh nghiepp")
    page = text_of(response)
    assert "Kết quả cho “dang ky thanh lap doanh nghiep”." in page
    assert "Tìm chính xác “dang ky thanh lapp doanh nghiepp”" in page
    assert result_codes(response) == ["A-1"]
    html = response.get_data(as_text=True)
    exact = re.search(r'<a href="([^"]+)">Tìm chính xác', html).group(1).replace("&amp;", "&")
    assert "correct=0" in exact
    # The text exactly as typed finds nothing, and the correction is offered as a link.
    as_typed = client.get(exact)
    assert "Không có kết quả cho “dang ky thanh lapp doanh nghiepp”" in text_of(as_typed)
    assert result_codes(as_typed) == []
    assert "dang ky thanh lap doanh nghiep</a>" in as_typed.get_data(as_text=True)


def test_a_query_that_finds_something_is_never_corrected(client, world):
    # "dạng" is a real word; it must not be "corrected" to the commoner "đăng".
    response = client.get("/search?q=dạng ký hiệu")
    assert result_codes(response) == ["A-2"]
    assert "Kết quả cho" not in text_of(response)


def test_corrections_keep_the_marks_typed_and_read_telex(client, world):
    marked = client.get("/search?q=vận tảii đường thủy")
    assert "Kết quả cho “vận tải đường thủy”." in text_of(marked)
    assert result_codes(marked) == ["T-1"]
    # Telex typed with the input method off: đăng ký thành lập.
    telex = client.get("/search?q=ddawng kys thanhf laapj doanh nghiep")
    assert "Kết quả cho “đăng ký thành lập doanh nghiep”." in text_of(telex)
    assert result_codes(telex) == ["A-1"]


def test_a_correction_is_applied_only_if_it_finds_something_under_the_filters(client, world):
    # Corrected, "van tai" finds T-1 (Bộ Giao thông vận tải), but not with the health ministry:
    # the page says nothing was found and offers the correction and dropping the filter.
    response = client.get("/search?q=van taii&ministry=byt")
    page = text_of(response)
    assert "Không có kết quả cho “van taii”" in page and "Kết quả cho “van tai”" not in page
    assert result_codes(response) == []
    html = response.get_data(as_text=True)
    assert re.search(r"Có phải bạn muốn tìm:.*van tai</a>", html, re.S)


def test_corrections_never_reveal_unpublished_words(client, world):
    # "bí mật" is only in the unpublished H-1: no correction, no suggestion leads to it.
    for query in ("bi matt cong khai", "bí mậtt"):
        response = client.get("/search", query_string={"q": query})
        html = response.get_data(as_text=True)
        assert "Kết quả cho" not in html and "Có phải bạn muốn tìm" not in html, query
        assert "bi mat" not in html.replace(query, "") and "bí mật" not in html.replace(query, "")
        assert result_codes(response) == []


def test_the_correction_notice_in_english(client, world):
    response = client.get("/search?q=van taii", headers={"Accept-Language": "en"})
    page = text_of(response)
    assert "Showing results for “van tai”." in page
    assert "Search exactly for “van taii”" in page
    assert result_codes(response) == ["T-1"]


def test_snippets_mark_the_words_and_escape_everything_else(client, make_regulations):
    make_regulations(
        regulation_row(
            "X-1",
            title="<script>alert(1)</script> giấy phép",
            content="Nội dung <img src=x onerror=alert(1)> giấy phép",
        )
    )
    html = client.get("/search?q=giay phep").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>giấy phép</mark>" in html


def test_sort_and_pagination_stay_in_the_url(client, make_regulations):
    make_regulations(
        *[regulation_row(f"P-{n:02d}", title=f"Cấp giấy phép số {n}") for n in range(25)]
    )
    first = client.get("/search?q=giay phep&per_page=10")
    text = text_of(first)
    assert "25 kết quả" in text or "25 results" in text
    html = first.get_data(as_text=True)
    assert "page=2" in html and "q=giay+phep" in html
    assert len(result_codes(client.get("/search?q=giay phep&per_page=10&page=3"))) == 5
    assert client.get("/search?q=giay phep&per_page=10&page=4").status_code == 404
    assert client.get("/search?q=giay phep&sort=date").status_code == 200


def test_long_queries_are_cut_with_a_notice(client, world):
    page = text_of(client.get("/search", query_string={"q": "doanh nghiệp " * 100}))
    assert "200" in page


def test_english_page(client, world):
    response = client.get("/search?q=vận tải", headers={"Accept-Language": "en"})
    assert "1 result for “vận tải”" in text_of(response)
    assert "Narrow the results" in text_of(response)


def test_the_user_guide_states_the_query_limits_in_both_languages(client):
    from portal.search.query import MAX_CHARS, MAX_TERMS

    vi = text_of(client.get("/guide"))
    assert f"tối đa {MAX_CHARS} ký tự và {MAX_TERMS} từ đầu tiên" in vi
    en = text_of(client.get("/guide", headers={"Accept-Language": "en"}))
    assert f"at most its first {MAX_CHARS} characters and {MAX_TERMS} words" in en
    # The limits the guide states are the ones the search applies.
    words = " ".join(f"tu{n}" for n in range(MAX_TERMS + 4))
    page = text_of(client.get("/search", query_string={"q": words}))
    assert f"Chỉ {MAX_TERMS} từ đầu tiên của nội dung tìm kiếm được sử dụng." in page
    page = text_of(client.get("/search", query_string={"q": "doanh nghiệp " * MAX_CHARS}))
    assert f"rút gọn còn {MAX_CHARS} ký tự đầu tiên" in page
