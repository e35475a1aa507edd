"""Relevance over the sample catalogue: recall@10 of the expected regulations and MRR."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from portal.regulations.sample import load_sample
from portal.search.service import run_search
from tests.search.relevance_set import QUERIES


def evaluate(queries=QUERIES):
    """(recall@10, MRR, failures) with the service the /search page uses."""
    found_total = expected_total = 0
    reciprocal = 0.0
    failures = []
    for category, query, expected in queries:
        outcome = run_search(MultiDict({"q": query}), page=1, per_page=10)
        codes = [getattr(hit.obj, "code", None) for hit in outcome.hits]
        found = [code for code in expected if code in codes]
        found_total += len(found)
        expected_total += len(expected)
        ranks = [codes.index(code) + 1 for code in expected if code in codes]
        reciprocal += 1 / min(ranks) if ranks else 0.0
        if len(found) < len(expected):
            failures.append((category, query, sorted(set(expected) - set(found)), codes))
    return found_total / expected_total, reciprocal / len(queries), failures


def test_at_least_40_realistic_queries():
    assert len(QUERIES) >= 40
    assert {category for category, _q, _e in QUERIES} >= {
        "accent-less",
        "nfd",
        "upper",
        "abbreviation",
        "citation",
        "variant",
        "phrase",
        "typo",
    }
    assert sum(category == "typo" for category, _q, _e in QUERIES) >= 6


def test_recall_at_10_is_at_least_0_9(app):
    load_sample()
    with app.test_request_context("/search"):
        recall, mrr, failures = evaluate()
    assert recall >= 0.9, failures
    assert mrr >= 0.7, (mrr, failures)


def test_a_cited_document_comes_first_then_its_regulations(app):
    load_sample()
    with app.test_request_context("/search"):
        outcome = run_search(MultiDict({"q": "NĐ 15/2018"}), page=1, per_page=10)
    assert outcome.hits[0].entity == "document"
    assert outcome.hits[0].obj.number == "15/2018/NĐ-CP"
    assert all(hit.entity == "regulation" for hit in outcome.hits[1:])
