"""API benchmark: /api/v1 list and detail latency over HTTP at N regulations (SQLite).

Targets (issue 7): at 20,000 regulations, single client, SQLite: p95 ≤ 30 ms for a regulation's
detail and ≤ 60 ms for every list.

Method (results go to docs/benchmarks.md):

1. A fresh SQLite database in a temp dir is upgraded to head and given the ministries
   (`flask db upgrade`, `flask demo load --reference-only`).
2. `flask demo generate --count N --output FILE` writes N synthetic regulations (seed 68) and
   `flask regulations import FILE` loads them; `flask search reindex` builds the Whoosh index in
   the temp dir so that `q=` works. PORTAL_SEARCH_SYNC=worker: the server never indexes.
3. gunicorn (1 worker, 1 thread) serves that database. The API's read limit (300 per minute per
   address) is raised to 1,000,000 per minute so that one fast client is not answered 429; the
   limiter still runs, so its cost is in the figures.
4. One client sends requests one at a time over one keep-alive connection. Query classes, their
   parameters drawn with a fixed seed from the data: a regulation's detail (a different
   published code for every request), the first list page, lists filtered by ministry and kind,
   pages about 200 deep (cursors taken from the `next` links of a walk through the whole list),
   lists with `q=` (accented and accent-less Vietnamese), /documents and /ministries. Baseline
   in the same run: `/healthz` (one trivial query).
5. Every class gets a warm-up, then `rounds` rounds; in each round every class is sampled
   `reps` times in turn, so that a noisy moment on the shared machine hits every class, not one.
   Reported: median, p95 and max over all samples, the median and p95 of each round, and the
   median as a multiple of the baseline's.
6. The walk through the list is timed too (median of the first and of the last pages): keyset
   pagination should cost the same at any depth. The search classes are run a second time on a
   server with the search caches off (PORTAL_SEARCH_CACHE_BUDGET=0): what a query nobody has
   asked before costs.

Any answer other than 200 stops the run with the URL, the status and the start of the body.

Usage: .venv/bin/python bench/api.py [--count 20000] [--rounds 3] [--reps 40]
(the raw figures are written to bench/results/api-N.json)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalogue import ROOT, flask, percentile, serve  # noqa: E402
from catalogue import bench_env as catalogue_env  # noqa: E402

API = "/api/v1"
DETAIL_TARGET_MS = 30.0
LIST_TARGET_MS = 60.0
DEEP_PAGE = 200  # pages of 50: the middle of 20,000 regulations
KINDS = ["procedure", "condition", "report", "inspection", "standard", "prohibition"]
SEARCH_ACCENTED = ["giấy phép kinh doanh", "an toàn thực phẩm", "vận tải hành khách"]
SEARCH_PLAIN = ["giay phep kinh doanh", "an toan thuc pham", "van tai hanh khach"]


class UnexpectedStatus(Exception):
    pass


# ------------------------------------------------------------------------------ set-up


def bench_env(directory: Path) -> dict:
    # The API's read limit (300 per minute per address) would answer one fast client 429.
    return {
        **catalogue_env(directory, directory / "api.db"),
        "PORTAL_API_READ_LIMIT": "1000000 per minute",
    }


def prepare(directory: Path, count: int) -> tuple[dict, dict]:
    env = bench_env(directory)
    data_file = directory / "synthetic.csv"
    steps: dict[str, float] = {}

    def step(name: str, *args: str) -> str:
        started = time.perf_counter()
        output = flask(env, *args).stdout
        steps[name] = time.perf_counter() - started
        print(f"  {name}: {steps[name]:.1f} s", flush=True)
        return output

    step("db upgrade", "db", "upgrade")
    step("demo load --reference-only", "demo", "load", "--reference-only")
    step("demo generate", "demo", "generate", "--count", str(count), "--output", str(data_file))
    output = step("regulations import", "regulations", "import", str(data_file))
    assert f"{count} quy định mới" in output, output
    output = step("search reindex", "search", "reindex")
    steps["search reindex output"] = output.strip().splitlines()[-1]
    return env, steps


def catalogue_facts(env: dict) -> dict:
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        published = [
            row[0]
            for row in connection.execute(
                "SELECT code FROM regulation WHERE published = 1 ORDER BY code"
            )
        ]
        ministries = [
            row[0]
            for row in connection.execute(
                "SELECT DISTINCT m.code FROM regulation r JOIN ministry m ON m.id = r.ministry_id"
                " WHERE r.published = 1 ORDER BY m.code"
            )
        ]
        total = connection.execute("SELECT count(*) FROM regulation").fetchone()[0]
    return {"published": published, "ministries": ministries, "total": total}


# ------------------------------------------------------------------------------ HTTP


@contextmanager
def server(env: dict):
    with serve(env) as port:
        yield Client(port)


class Client:
    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, url: str) -> tuple[float, bytes]:
        """Milliseconds to the last byte of the body, and the body; anything but 200 stops."""
        started = time.perf_counter()
        self.connection.request("GET", url, headers={"Accept-Language": "vi"})
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise UnexpectedStatus(f"{url}: {response.status} {body[:500]!r}")
        return elapsed, body


def local(link: str) -> str:
    """The path and query of an absolute `next` link."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def walk(client: Client, depth: int, published: int) -> dict:
    """Follow `next` from the first page to `depth + 20` pages; checks the order as it goes."""
    url, page_ms, links, codes = f"{API}/regulations?limit=50", [], [], []
    for _ in range(5):
        client.get(url)  # warm-up, so that the first pages are not the process's first requests
    for _ in range(depth + 20):
        elapsed, body = client.get(url)
        data = json.loads(body)
        assert data["total"] == published, (data["total"], published)
        page_ms.append(elapsed)
        codes.extend(item["code"] for item in data["items"])
        if not data["next"]:
            break
        url = local(data["next"])
        links.append(url)  # links[k] is page k + 2
    assert codes == sorted(set(codes)), "the walk saw a code twice or out of order"
    return {
        "pages": len(page_ms),
        "first_20_median_ms": statistics.median(page_ms[:20]),
        "last_20_median_ms": statistics.median(page_ms[-20:]),
        "deep_links": links[depth - 12 : depth + 8],  # pages depth-10 … depth+9
        "page_ms": page_ms,
    }


def query_classes(facts: dict, deep_links: list[str], rounds: int, reps: int) -> dict:
    """Per class: a few warm-up URLs and the URLs sampled (cycled), drawn with seed 68."""
    rng = random.Random(68)
    samples = rounds * reps
    detail = rng.sample(facts["published"], min(len(facts["published"]), samples + 5))
    filtered = [
        f"{API}/regulations?" + urlencode({"ministry": rng.choice(facts["ministries"]), "kind": k})
        for k in (rng.choice(KINDS) for _ in range(45))
    ]
    search = {
        "list, q= accented": SEARCH_ACCENTED,
        "list, q= accent-less": SEARCH_PLAIN,
    }
    classes = {
        "baseline /healthz": (["/healthz"] * 5, ["/healthz"]),
        "detail": (
            [f"{API}/regulations/{code}" for code in detail[:5]],
            [f"{API}/regulations/{code}" for code in detail[5:]],
        ),
        "list, first page": ([f"{API}/regulations"] * 5, [f"{API}/regulations"]),
        "list, ministry + kind": (filtered[:5], filtered[5:]),
        f"list, page ~{DEEP_PAGE} (cursor)": (deep_links[:5], deep_links[5:]),
    }
    for name, queries in search.items():
        urls = [f"{API}/regulations?" + urlencode({"q": q}) for q in queries]
        classes[name] = (urls, urls)
    classes["documents, first page"] = ([f"{API}/documents"] * 5, [f"{API}/documents"])
    classes["ministries"] = ([f"{API}/ministries"] * 5, [f"{API}/ministries"])
    return classes


def summarise(per_round: list[list[float]], sizes: list[int], urls: list[str]) -> dict:
    samples = [s for r in per_round for s in r]
    by_url: dict[str, list[float]] = {}
    if len(set(urls)) <= 5:
        reps = len(per_round[0])
        for number, samples_of_round in enumerate(per_round):
            for i, sample in enumerate(samples_of_round):
                by_url.setdefault(urls[(number * reps + i) % len(urls)], []).append(sample)
    return {
        "by_url_median_p95_ms": {
            url: [statistics.median(values), percentile(values, 0.95)]
            for url, values in by_url.items()
        },
        "median_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples),
        "round_medians_ms": [statistics.median(r) for r in per_round],
        "round_p95s_ms": [percentile(r, 0.95) for r in per_round],
        "samples": len(samples),
        "median_body_bytes": statistics.median(sizes),
    }


def measure(client: Client, classes: dict, rounds: int, reps: int) -> dict:
    for warmup, _urls in classes.values():
        for url in warmup:
            client.get(url)
    per_round: dict[str, list[list[float]]] = {name: [] for name in classes}
    sizes: dict[str, list[int]] = {name: [] for name in classes}
    for number in range(rounds):
        for name, (_warmup, urls) in classes.items():
            samples = []
            for i in range(reps):
                elapsed, body = client.get(urls[(number * reps + i) % len(urls)])
                samples.append(elapsed)
                sizes[name].append(len(body))
            per_round[name].append(samples)
        print(f"  round {number + 1} of {rounds} done", flush=True)
    results = {name: summarise(per_round[name], sizes[name], classes[name][1]) for name in classes}
    baseline = results["baseline /healthz"]["median_ms"]
    for name, values in results.items():
        values["ratio_to_baseline"] = values["median_ms"] / baseline
        values["distinct_urls"] = len(set(classes[name][1]))
        if name.startswith("baseline"):
            values["target_p95_ms"] = None
        else:
            values["target_p95_ms"] = DETAIL_TARGET_MS if name == "detail" else LIST_TARGET_MS
        target = values["target_p95_ms"]
        values["verdict"] = (
            "" if target is None else "PASS" if values["p95_ms"] <= target else "FAIL"
        )
    return results


# ------------------------------------------------------------------------------ report


def table(results: dict) -> str:
    lines = [
        "| class | URLs | median ms | p95 ms | max ms | round medians | round p95s "
        "| × baseline | target p95 | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, v in results.items():
        target = f"≤ {v['target_p95_ms']:.0f}" if v["target_p95_ms"] else "—"
        lines.append(
            f"| {name} | {v['distinct_urls']} | {v['median_ms']:.1f} | {v['p95_ms']:.1f} | "
            f"{v['max_ms']:.1f} | {', '.join(f'{x:.1f}' for x in v['round_medians_ms'])} | "
            f"{', '.join(f'{x:.1f}' for x in v['round_p95s_ms'])} | "
            f"{v['ratio_to_baseline']:.1f} | {target} | {v['verdict']} |"
        )
    for name, v in results.items():
        if name.startswith("list, q="):
            for url, (median, p95) in v["by_url_median_p95_ms"].items():
                lines.append(f"    {name}: {unquote(url)} median {median:.1f}, p95 {p95:.1f} ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=40)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        directory = Path(tmp)
        print(f"Preparing {args.count:,} regulations in {directory}", flush=True)
        env, steps = prepare(directory, args.count)
        facts = catalogue_facts(env)
        published = len(facts["published"])
        depth = min(DEEP_PAGE, max(12, published // 50 - 10))
        try:
            print("Cached server (1 worker, 1 thread)", flush=True)
            with server(env) as client:
                walked = walk(client, depth, published)
                classes = query_classes(facts, walked["deep_links"], args.rounds, args.reps)
                results = measure(client, classes, args.rounds, args.reps)
            print("Search caches off (PORTAL_SEARCH_CACHE_BUDGET=0)", flush=True)
            uncached_classes = {
                name: urls
                for name, urls in classes.items()
                if name.startswith(("baseline", "list, q="))
            }
            with server({**env, "PORTAL_SEARCH_CACHE_BUDGET": "0"}) as client:
                uncached = measure(client, uncached_classes, args.rounds, args.reps)
        except UnexpectedStatus as error:
            sys.exit(f"Unexpected answer, stopping: {error}")
    load = os.getloadavg()
    report = {
        "count": args.count,
        "published": published,
        "rounds": args.rounds,
        "reps": args.reps,
        "setup_seconds": steps,
        "walk": {key: value for key, value in walked.items() if key != "deep_links"},
        "http": results,
        "http_search_caches_off": uncached,
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
            "load_average_at_end": load,
        },
        "wall_seconds": time.perf_counter() - started,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"api-{args.count}.json").write_text(json.dumps(report, indent=2))

    print(
        f"\n{args.count:,} regulations, {published:,} published; {args.rounds} rounds × "
        f"{args.reps} requests per class; load average at the end "
        f"{', '.join(f'{x:.2f}' for x in load)}"
    )
    print(
        f"Walk through the list, {walked['pages']} pages of 50: median of the first 20 pages "
        f"{walked['first_20_median_ms']:.1f} ms, of the last 20 "
        f"{walked['last_20_median_ms']:.1f} ms"
    )
    print("\n" + table(results))
    print("\nSearch caches off (PORTAL_SEARCH_CACHE_BUDGET=0), same server settings:\n")
    print(table(uncached))
    summary = {
        "count": args.count,
        "http": {
            name: {
                key: round(value, 2) if isinstance(value, float) else value
                for key, value in values.items()
                if key in ("median_ms", "p95_ms", "max_ms", "ratio_to_baseline", "verdict")
            }
            for name, values in results.items()
        },
        "search_caches_off": {
            name: {"median_ms": round(v["median_ms"], 2), "p95_ms": round(v["p95_ms"], 2)}
            for name, v in uncached.items()
        },
        "walk_first_last_20_median_ms": [
            round(walked["first_20_median_ms"], 2),
            round(walked["last_20_median_ms"], 2),
        ],
    }
    print("\n" + json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
