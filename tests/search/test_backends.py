"""The contract every search backend keeps (Whoosh always; PostgreSQL when tests run on it)."""

from __future__ import annotations

import os

import pytest

from portal.search.analysis import folded, phrase_shingles, syllables
from portal.search.backend import IndexEntry, make_eid
from portal.search.postgres_backend import PostgresBackend
from portal.search.whoosh_backend import WhooshBackend

BACKENDS = ["whoosh"] + (["postgres"] if os.environ.get("TEST_DATABASE_URL") else [])


def entry(number: int, title: str, body: str = "", citations=()) -> IndexEntry:
    title_exact, body_exact = syllables(title), syllables(body)
    exact = title_exact + body_exact
    return IndexEntry(
        eid=make_eid("regulation", number),
        f=folded(exact),
        t=folded(title_exact),
        e=exact,
        c=list(citations),
        runs=[folded(title_exact), folded(body_exact)],
    )


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    engine = WhooshBackend(tmp_path / "index") if request.param == "whoosh" else PostgresBackend()
    engine.clear()
    yield engine
    engine.clear()
    engine.close()


@pytest.fixture
def filled(backend):
    backend.index(
        [
            entry(
                1,
                "Đăng ký kinh doanh",
                "Hồ sơ đăng ký kinh doanh gồm giấy đề nghị.",
                ["15/2018/ND-CP", "decree:15/2018"],
            ),
            entry(2, "Dạng ký hiệu hàng hóa", "Kinh doanh đăng ký sau."),
            entry(3, "Vận tải đường thủy nội địa", "Giấy phép vận tải.", ["own:10/2020/ND-CP"]),
        ]
    )
    return backend


def eid(number: int) -> int:
    return make_eid("regulation", number)


def test_terms_are_folded_and_exact(filled):
    assert filled.term("f", "dang") == {eid(1), eid(2)}
    assert filled.term("f", "duong") == {eid(3)}  # Đ folds to d
    assert filled.term("e", "đăng") == {eid(1), eid(2)}
    assert filled.term("e", "dạng") == {eid(2)}
    assert filled.term("t", "kinh") == {eid(1)}
    assert filled.term("f", "khong-co") == frozenset()
    assert filled.term("c", "decree:15/2018") == {eid(1)}
    assert filled.term("c", "own:10/2020/ND-CP") == {eid(3)}


def test_phrases_respect_syllable_order_and_do_not_cross_title_and_body(filled):
    assert filled.phrase(["dang", "ky", "kinh", "doanh"]) == {eid(1)}
    assert filled.phrase(["kinh", "doanh", "dang", "ky"]) == {eid(2)}
    assert filled.phrase(["ky", "kinh"]) == {eid(1)}
    assert filled.phrase(["noi", "dia", "giay"]) == frozenset()  # title end + body start


def test_words_outside_the_phrase_runs_match_as_words_only(backend):
    """A regulation's code and legal basis are words of the entry, not phrase text."""
    basis = folded(syllables("Nghị định về nuôi ngọc trai"))
    item = entry(4, "Cấp phép thủy sản")
    item.f += basis
    backend.index([item])
    assert backend.term("f", "ngoc") == {eid(4)}
    assert backend.term("f", "trai") == {eid(4)}
    assert backend.phrase(["ngoc", "trai"]) == frozenset()


def test_each_entry_keeps_the_fingerprint_of_what_it_indexes(filled):
    stored = filled.fingerprints()
    assert set(stored) == {eid(1), eid(2), eid(3)}
    original = entry(3, "Vận tải đường thủy nội địa", "Giấy phép vận tải.", ["own:10/2020/ND-CP"])
    assert stored[eid(3)] == filled.fingerprint(original)
    changed = entry(2, "Thuốc thú y")
    assert stored[eid(2)] != filled.fingerprint(changed)
    filled.index([changed])
    assert filled.fingerprints()[eid(2)] == filled.fingerprint(changed)
    assert filled.fingerprints()[eid(3)] == stored[eid(3)]


def test_reindexing_replaces_and_deleting_removes(filled):
    before = filled.generation()
    filled.index([entry(2, "Thuốc thú y", "")])
    assert filled.generation() != before
    assert filled.term("f", "dang") == {eid(1)}
    assert filled.term("f", "thuoc") == {eid(2)}
    filled.delete([eid(1), eid(99)])
    assert filled.eids() == {eid(2), eid(3)}
    assert filled.size() == 2
    filled.clear()
    assert filled.eids() == set()
    assert filled.term("f", "thuoc") == frozenset()


def test_vocabulary_lists_the_tokens(filled):
    assert {"dang", "ky", "duong", "thuy"} <= set(filled.vocabulary("f"))
    assert {"đăng", "dạng", "đường"} <= set(filled.vocabulary("e"))
    counts = filled.frequencies("f")
    assert (counts["dang"], counts["duong"], counts["kinh"]) == (2, 1, 2)


def test_a_second_reader_sees_commits_from_another_instance(backend, tmp_path):
    other = WhooshBackend(backend.path) if isinstance(backend, WhooshBackend) else PostgresBackend()
    other.generation()
    backend.index([entry(7, "Cấp phép xây dựng")])
    other.generation()  # what the service calls before each search
    for _ in range(50):
        if other.term("f", "xay") == {eid(7)}:
            break
        import time

        time.sleep(0.05)
        other.generation()
    assert other.term("f", "xay") == {eid(7)}
    other.close()


def test_whoosh_reads_postings_by_block_exactly_as_its_generic_path(tmp_path):
    """The block reader (many postings per block, several segments, segments whose replaced
    and deleted entries are still listed until they merge) gives the same sets as Whoosh's own
    `docs_for_query`, and both are what was indexed."""
    from whoosh import query as wq

    engine = WhooshBackend(tmp_path / "blocks")
    engine.clear()
    words = ["giấy phép", "kinh doanh", "vận tải", "thực phẩm", "an toàn"]
    expected: dict[str, set[int]] = {}

    def add(numbers, title_of):
        engine.index([entry(n, title_of(n)) for n in numbers])
        for n in numbers:
            for token in folded(syllables(title_of(n))):
                expected.setdefault(token, set()).add(eid(n))

    def title(n: int) -> str:
        return f"{words[n % 5]} {words[(n * 7) % 5]} hàng hóa"

    for start in range(0, 900, 300):  # three commits: three segments
        add(range(start + 1, start + 301), title)
    # Replace 50 entries and delete 40 more: their old postings stay in older segments.
    engine.index([entry(n, "Thuốc thú y") for n in range(1, 51)])
    engine.delete([eid(n) for n in range(51, 91)])
    for token in expected:
        expected[token] -= {eid(n) for n in range(1, 91)}
    expected.setdefault("thuoc", set()).update(eid(n) for n in range(1, 51))

    searcher = engine._current()
    segments = [reader for reader, _offset in searcher.reader().leaf_readers()]
    assert len(segments) > 1 and any(reader.has_deletions() for reader in segments)

    def generic(query) -> frozenset[int]:
        found = {engine._eids[docnum] for docnum in searcher.docs_for_query(query)}
        return frozenset(found - {None})

    for token, entries in expected.items():
        assert engine.term("f", token) == generic(wq.Term("f", token)) == entries, token
    assert len(expected["hang"]) == 900 - 90  # long posting lists: many blocks per segment
    tokens = ["kinh", "doanh", "van", "tai"]  # the titles of numbers 91, 96, 101 …
    shingled = generic(wq.And([wq.Term("s", s) for s in phrase_shingles(tokens)]))
    assert engine.phrase(tokens) == shingled == {eid(n) for n in range(91, 901, 5)}
    engine.close()


def test_a_whoosh_searcher_being_read_survives_one_refresh(tmp_path):
    """A request thread may still read the searcher another thread has just replaced: it is
    closed at the next replacement, not at once."""
    engine = WhooshBackend(tmp_path / "refresh")
    engine.clear()
    engine.index([entry(1, "Đăng ký kinh doanh")])
    searcher, eids, _generation = engine._reading()
    other = WhooshBackend(engine.path)
    other.index([entry(2, "Kinh doanh vận tải")])
    engine._checked = 0.0  # as if REFRESH_EVERY had passed
    assert engine._reading()[0] is not searcher  # replaced: the new commit is seen
    assert engine.term("f", "kinh") == {eid(1), eid(2)}
    reader = searcher.reader()  # the replaced one still reads
    assert [eids[d] for d in reader.postings("f", "kinh").all_ids()] == [eid(1)]
    other.index([entry(3, "Kinh doanh dịch vụ")])
    engine._checked = 0.0
    engine._reading()  # a second replacement closes the first searcher
    assert searcher.is_closed
    engine.close()
    other.close()
