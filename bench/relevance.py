"""Relevance of /search over the sample catalogue: recall@10 and MRR for the query set in
tests/search/relevance_set.py, per category and overall, on a fresh SQLite database.

Usage: .venv/bin/python bench/relevance.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="bench-relevance-") as tmp:
        os.environ.update(
            DATABASE_URL=f"sqlite:///{tmp}/relevance.db",
            PORTAL_SEARCH_SYNC="inline",
            PORTAL_SEARCH_BACKEND=os.environ.get("PORTAL_SEARCH_BACKEND", "whoosh"),
            PORTAL_SEARCH_INDEX_DIR=f"{tmp}/index",
            PORTAL_SEARCH_LOCK_FILE=f"{tmp}/index.lock",
        )
        from flask_migrate import upgrade

        from portal import create_app
        from portal.regulations.sample import load_sample
        from tests.search.relevance_set import QUERIES
        from tests.search.test_relevance import evaluate

        app = create_app("development")
        with app.app_context():
            upgrade()
            load_sample()
        with app.test_request_context("/search"):
            recall, mrr, failures = evaluate()
            by_category = defaultdict(list)
            for query in QUERIES:
                by_category[query[0]].append(query)
            print(f"{len(QUERIES)} queries: recall@10 {recall:.3f}, MRR {mrr:.3f}")
            print("| category | queries | recall@10 | MRR |")
            print("|---|---|---|---|")
            for category, queries in by_category.items():
                r, m, _f = evaluate(queries)
                print(f"| {category} | {len(queries)} | {r:.3f} | {m:.3f} |")
            for failure in failures:
                print("missed:", failure)


if __name__ == "__main__":
    main()
