"""Spelling corrections from the index vocabulary (portal.search.spelling)."""

from __future__ import annotations

import pytest

from portal.search import spelling
from portal.search.query import parse

VOCABULARY = spelling.build_vocabulary(
    {
        "giay": 50,
        "phep": 60,
        "lu": 5,
        "hanh": 40,
        "cong": 90,
        "chung": 12,
        "cung": 30,
        "van": 20,
        "phong": 25,
        "ngoai": 10,
        "nguoi": 45,
        "dang": 70,
        "ky": 70,
        "ho": 8,
        "kinh": 80,
        "doanh": 80,
        "toan": 9,
        "nam": 30,
        "2018": 3,
    },
    ["giấy", "phép", "lữ", "hành", "đăng", "đang", "ký", "hộ", "hồ", "toán", "toàn", "chứng"],
)


def corrected(text: str) -> list[str]:
    return list(spelling.corrections(parse(text), VOCABULARY))


@pytest.mark.parametrize(
    ("keys", "syllable"),
    [
        ("ddawng", "đăng"),
        ("kys", "ký"),
        ("hooj", "hộ"),
        ("toans", "toán"),
        ("nguwowif", "người"),
        ("hoaf", "hòa"),  # new-style tone placement
        ("thuyr", "thủy"),
        ("quyeets", "quyết"),
    ],
)
def test_telex_typed_without_the_input_method(keys, syllable):
    assert spelling.telex(keys) == syllable


@pytest.mark.parametrize("word", ["kinh", "phép", "2018", "a", "ww"])
def test_what_is_not_telex_is_left_alone(word):
    assert spelling.telex(word) in (None, word)


def test_doubled_swapped_and_missing_letters_are_corrected_cheapest_first():
    assert corrected("giay phepp lu hanhh")[0] == "giay phep lu hanh"
    assert "van phong ngoai" in corrected("van phong ngaoi")
    assert corrected("giay pep")[0] == "giay phep"


def test_two_syllables_typed_together_are_split():
    assert corrected("giayphep")[0] == "giay phep"


def test_telex_is_read_first_and_keeps_its_marks_when_the_index_has_them():
    assert corrected("ddawng kys hooj kinh doanh")[0] == "đăng ký hộ kinh doanh"


def test_marks_typed_with_a_typo_pick_the_closest_marked_spelling():
    assert corrected("giấy phépp")[0] == "giấy phép"


def test_numbers_citations_and_known_words_are_never_changed():
    assert corrected("kinh doanh nam 2019") == []  # 2019 is not a typo of 2018
    assert corrected("giay phep") == []
    assert corrected("NĐ 15/2019 giay phepp")[0] == "NĐ 15/2019 giay phep"


def test_noise_is_not_corrected():
    assert corrected("qqqqqq") == []
    assert corrected("xzq1 wvb2 kkq3 jjf4 ppl5 mmn6 ddq7") == []


def test_cohesion_counts_neighbouring_syllables_the_index_holds():
    held = {("cong", "chung"), ("phong", "cong"), ("van", "phong"), ("phong", "cong", "chung")}

    def adjacent(run):
        return tuple(run) in held

    assert spelling.cohesion("van phong cong chung", adjacent) == 4
    assert spelling.cohesion("van phong cong cong", adjacent) == 2
