"""Vietnamese analysis and query parsing: pure functions, no database."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.search.analysis import canonical_syllable, folded, phrase_shingles, shingles, syllables
from portal.search.query import (
    MAX_CHARS,
    MAX_TERMS,
    Alternatives,
    Citation,
    Phrase,
    Term,
    parse,
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("hoá", "hóa"),
        ("loạ", "lọa"),
        ("quý", "quý"),
        ("hoàng", "hoàng"),
        ("toán", "toán"),
        ("thuận", "thuận"),
        ("hòa", "hòa"),
    ],
)
def test_old_and_new_tone_placement_agree(old, new):
    assert canonical_syllable(old) == new


def test_syllables_are_nfc_lowercase_and_fold_d():
    nfd = unicodedata.normalize("NFD", "ĐĂNG KÝ Kinh doanh Hoà")
    assert syllables(nfd) == ["đăng", "ký", "kinh", "doanh", "hòa"]
    assert folded(syllables("Đường thủy nội địa")) == ["duong", "thuy", "noi", "dia"]
    assert syllables("168/2017/NĐ-CP, Điều 5") == ["168", "2017", "nđ", "cp", "điều", "5"]


def test_shingles_keep_syllable_order():
    tokens = ["kinh", "doanh", "dang", "ky"]
    assert shingles(tokens) == [
        "kinh_doanh",
        "doanh_dang",
        "dang_ky",
        "kinh_doanh_dang",
        "doanh_dang_ky",
    ]
    assert phrase_shingles(["dang", "ky"]) == ["dang_ky"]
    assert phrase_shingles(["dang", "ky", "kinh", "doanh"]) == ["dang_ky_kinh", "ky_kinh_doanh"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("15/2018/NĐ-CP", "15/2018/ND-CP"),
        ("Nghị định 15/2018/NĐ-CP", "15/2018/ND-CP"),
        ("15/2018/nd-cp", "15/2018/ND-CP"),
        ("Thông tư 05/2019/TT-BKHCN", "05/2019/TT-BKHCN"),
        ("NĐ 15/2018", "decree:15/2018"),
        ("nghị định 15/2018", "decree:15/2018"),
        ("nghi dinh so 15/2018", "decree:15/2018"),
        ("TT 05/2019", "circular:5/2019"),
        ("Luật 59/2020", "law:59/2020"),
        ("1977/QĐ-TTg", "1977/QD-TTG"),
        ("QCVN 06:2022/BXD", "QCVN06:2022/BXD"),
    ],
)
def test_legal_citations_are_recognised(text, key):
    parsed = parse(text)
    assert parsed.clauses == [Citation(key, parsed.clauses[0].label)]


def test_citation_and_words_combine():
    parsed = parse("thực phẩm NĐ 15/2018")
    assert Citation("decree:15/2018", "15/2018") in parsed.clauses
    assert Term("thực", "thuc") in parsed.clauses


def test_abbreviations_expand_both_ways():
    forward = parse("TTHC đất đai")
    assert isinstance(forward.clauses[0], Alternatives)
    options = forward.clauses[0].options
    assert Term("tthc", "tthc") in options
    assert any(
        isinstance(o, Phrase) and o.folded == ["thu", "tuc", "hanh", "chinh"] for o in options
    )
    backward = parse("thu tuc hanh chinh dat dai")
    assert isinstance(backward.clauses[0], Alternatives)
    assert backward.clauses[0].options == options
    assert parse("ĐKKD").clauses == parse("dkkd").clauses == parse("điều kiện kinh doanh").clauses


def test_quoted_phrases_and_unbalanced_quotes():
    parsed = parse('"kinh doanh xăng dầu" tại')
    assert parsed.clauses[0] == Phrase(
        (Term("kinh", "kinh"), Term("doanh", "doanh"), Term("xăng", "xang"), Term("dầu", "dau"))
    )
    assert parse('"kinh doanh').clauses == [Term("kinh", "kinh"), Term("doanh", "doanh")]
    assert parse("“đăng ký”").clauses[0] == Phrase((Term("đăng", "dang"), Term("ký", "ky")))


def test_long_queries_are_cut_with_a_notice():
    parsed = parse("thuế " * 500)
    assert len(parsed.text) <= MAX_CHARS
    assert parsed.notices
    many = parse(" ".join(f"từ{n}" for n in range(40)))
    assert len(many.clauses) == MAX_TERMS
    assert any("16" in str(notice) for notice in many.notices)


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "(",
        "((((",
        ")",
        "AND",
        "OR OR",
        "NOT",
        "a AND",
        "*",
        "*a",
        "?",
        "title:",
        "nope:x",
        "a:b:c",
        "^",
        "a~x",
        "{a TO b]",
        "\\",
        "issued:[x TO y]",
        "issued:2020-13-45",
        "\x00",
        "\u200b\u202e",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "a" * 10_000,
        "\ud800",
        "👨‍👩‍👧‍👦🇻🇳",
        "NĐ 99999/9999",
        "15//NĐ-CP",
        "/",
        "//",
        "đ" * 300,
    ],
)
def test_the_crash_list_never_raises(text):
    parsed = parse(text)
    assert len(parsed.text) <= MAX_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses(text):
    parsed = parse(text)
    assert len(parsed.clauses) <= MAX_TERMS
