"""Search benchmark: build and query both backends on N synthetic regulations, with SQLite FTS5
on the same corpus and queries as the baseline.

Method (results go to docs/benchmarks.md):

1. A fresh SQLite database gets N synthetic regulations (`flask demo generate`, seed 68) with
   SEARCH_SYNC=worker so that the import does not index; a fresh PostgreSQL database gets the
   same rows.
2. `flask search reindex` builds the Whoosh index (on the SQLite data) and the PostgreSQL index
   (search_entry); build time, throughput and size are recorded.
3. Baseline: an FTS5 table over the same title and content, folded in Python (đ → d, because
   FTS5's remove_diacritics does not fold it), queried with quoted terms joined by AND, and the
   same filters and facet counts done in SQL.
4. Latency per query class, single client, warm: in-process (the service behind /search, facets
   included) and over HTTP through gunicorn (1 worker, 1 thread). Repeated queries hit the
   per-process caches (posting sets and scored results, keyed by index generation), so the
   in-process run is also done with the caches off (PORTAL_SEARCH_CACHE_BUDGET=0): what a
   query nobody has asked before costs. Each class has 5 queries; a
   warm-up pass, then `rounds` rounds of `reps` passes. p50 and p95 over all samples, the p95 of
   each round, and the ratio of our p50 to the FTS5 p50 on the same queries.
5. Memory: resident set size of the gunicorn worker after the HTTP run.

Usage: .venv/bin/python bench/search.py --sizes 20000 [100000] [--rounds 3 --reps 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")

CLASSES = {
    "one word": ["xăng", "rượu", "vàng", "hóa", "quảng"],
    "three words": ["cấp giấy phép", "giấy chứng nhận", "khu kinh tế", "dịch vụ việc", "hồ sơ hợp"],
    "phrase": [
        '"kinh doanh xăng dầu"',
        '"an toàn thực phẩm"',
        '"khu kinh tế"',
        '"dịch vụ kế toán"',
        '"thương mại điện tử"',
    ],
    "accent-less": [
        "kinh doanh xang dau",
        "dang ky hoat dong",
        "giay phep kinh doanh",
        "thuoc thu y",
        "dich vu ke toan",
    ],
    "citation": [],  # filled from the data
    "filters": [],  # words + ministry + kind, filled below
    "broad + facets": ["giấy", "doanh nghiệp", "hồ sơ", "kinh doanh", "cơ quan"],
}
FILTERS = [
    ("giấy phép", "byt", "procedure"),
    ("điều kiện", "bct", "condition"),
    ("kiểm tra", "btc", "inspection"),
    ("báo cáo", "bgtvt", "report"),
    ("kinh doanh", "nhnn", "procedure"),
]


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(per_round: list[list[float]]) -> dict:
    samples = [s for r in per_round for s in r]
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
        "round_p95_ms": [percentile(r, 0.95) for r in per_round],
        "samples": len(samples),
    }


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------ set-up


def prepare(size: int, workdir: Path) -> dict:
    data_file = workdir / f"synthetic-{size}.csv"
    sqlite_env = {
        **os.environ,
        "PORTAL_CONFIG": "development",
        "PORTAL_SEARCH_SYNC": "worker",
        "DATABASE_URL": f"sqlite:///{workdir / f'bench-{size}.db'}",
        "PORTAL_SEARCH_BACKEND": "whoosh",
        "PORTAL_SEARCH_INDEX_DIR": str(workdir / f"whoosh-{size}"),
        "PORTAL_SEARCH_LOCK_FILE": str(workdir / f"whoosh-{size}.lock"),
    }
    flask(sqlite_env, "db", "upgrade")
    flask(sqlite_env, "demo", "load", "--reference-only")
    flask(sqlite_env, "demo", "generate", "--count", str(size), "--output", str(data_file))
    flask(sqlite_env, "regulations", "import", str(data_file))

    pg_name = f"portal_bench_{size}_{os.getpid()}"
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {pg_name}"], check=True)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {pg_name}"], check=True)
    pg_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_name
    pg_env = {**sqlite_env, "DATABASE_URL": pg_url, "PORTAL_SEARCH_BACKEND": "postgres"}
    flask(pg_env, "db", "upgrade")
    flask(pg_env, "demo", "load", "--reference-only")
    flask(pg_env, "regulations", "import", str(data_file))
    return {"sqlite": sqlite_env, "postgres": pg_env, "pg_name": pg_name}


def build(env: dict) -> dict:
    started = time.perf_counter()
    output = flask(env, "search", "reindex").stdout
    seconds = time.perf_counter() - started
    last = output.strip().splitlines()[-1]  # "whoosh: 20400 entries indexed in 61.2 s."
    entries = int(last.split(":")[1].split()[0])
    return {"seconds": seconds, "entries": entries, "entries_per_second": entries / seconds}


def fill_classes(sqlite_env: dict) -> dict[str, list]:
    path = sqlite_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        numbers = [
            row[0]
            for row in connection.execute(
                "SELECT d.number FROM legal_document d JOIN legal_basis b ON b.document_id = d.id "
                "GROUP BY d.id HAVING count(*) BETWEEN 3 AND 400 ORDER BY d.id LIMIT 40"
            )
        ]
    rng = random.Random(68)
    picks = rng.sample(numbers, 5)
    classes = {name: list(queries) for name, queries in CLASSES.items()}
    classes["citation"] = [
        f"NĐ {n.split('/')[0]}/{n.split('/')[1]}" if "NĐ" in n else n for n in picks
    ]
    classes["filters"] = [{"q": q, "ministry": m, "kind": k} for q, m, k in FILTERS]
    return classes


def as_args(query) -> dict:
    return query if isinstance(query, dict) else {"q": query}


# ------------------------------------------------------------------------------ measuring


def measure_in_process(env: dict, classes: dict, rounds: int, reps: int) -> dict:
    """The /search service (facets, visibility and the page's rows included), in a child
    process that has the benchmark's environment."""
    spec = json.dumps({"classes": classes, "rounds": rounds, "reps": reps})
    output = subprocess.run(
        [sys.executable, __file__, "--child"],
        input=spec,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def child_in_process() -> None:
    spec = json.loads(sys.stdin.read())
    sys.path.insert(0, str(ROOT))
    from werkzeug.datastructures import MultiDict

    from portal import create_app
    from portal.search.service import run_search

    app = create_app("development")
    results = {}
    with app.test_request_context("/search"):
        for name, queries in spec["classes"].items():
            for query in queries:
                run_search(MultiDict(as_args(query)), 1, 20)
            per_round = []
            for _ in range(spec["rounds"]):
                samples = []
                for _ in range(spec["reps"]):
                    for query in queries:
                        started = time.perf_counter()
                        run_search(MultiDict(as_args(query)), 1, 20)
                        samples.append((time.perf_counter() - started) * 1000)
                per_round.append(samples)
            results[name] = summarise(per_round)
    print(json.dumps(results))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_http(env: dict, classes: dict, rounds: int, reps: int) -> tuple[dict, float]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "1",
            "--threads",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def get(query) -> float:
            url = "/search?" + urlencode(as_args(query))
            started = time.perf_counter()
            connection.request("GET", url, headers={"Accept-Language": "vi"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, (url, response.status)
            return (time.perf_counter() - started) * 1000

        results = {}
        for name, queries in classes.items():
            for query in queries:
                get(query)
            per_round = [[get(q) for _ in range(reps) for q in queries] for _ in range(rounds)]
            results[name] = summarise(per_round)
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        memory = max((rss_mb(int(pid)) for pid in workers), default=0.0)
        return results, memory
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


# ------------------------------------------------------------------------------ FTS5 baseline


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def fts5_baseline(sqlite_env: dict, classes: dict, rounds: int, reps: int) -> dict:
    path = sqlite_env["DATABASE_URL"].removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    connection.create_function("fold", 1, fold, deterministic=True)
    started = time.perf_counter()
    connection.executescript(
        "DROP TABLE IF EXISTS bench_fts;"
        "CREATE VIRTUAL TABLE bench_fts USING fts5(title, body, content='',"
        " tokenize='unicode61 remove_diacritics 2');"
        "INSERT INTO bench_fts(rowid, title, body) SELECT id, fold(title),"
        " fold(content || ' ' || coalesce((SELECT group_concat(d.number, ' ') FROM legal_basis b"
        " JOIN legal_document d ON d.id = b.document_id WHERE b.regulation_id = regulation.id),"
        " '')) FROM regulation;"
    )
    build_seconds = time.perf_counter() - started

    def match_expression(text: str) -> str:
        text = fold(text)
        if text.startswith('"'):
            return '"' + text.strip('"').replace('"', "") + '"'
        words = list("".join(c if c.isalnum() else " " for c in text).split())
        return " AND ".join(f'"{w}"' for w in words)

    def run(query) -> None:
        args = as_args(query)
        expression = match_expression(args["q"])
        where, params = ["r.published = 1"], [expression]
        if "ministry" in args:
            where.append("r.ministry_id = (SELECT id FROM ministry WHERE code = ?)")
            params.append(args["ministry"])
        if "kind" in args:
            where.append("r.kind = ?")
            params.append(args["kind"])
        joined = (
            f"FROM bench_fts JOIN regulation r ON r.id = bench_fts.rowid "
            f"WHERE bench_fts MATCH ? AND {' AND '.join(where)}"
        )
        # Counts run the MATCH once in a subquery: joined, SQLite may evaluate it per row.
        base = (
            f"FROM regulation r WHERE r.id IN (SELECT rowid FROM bench_fts WHERE bench_fts "
            f"MATCH ?) AND {' AND '.join(where)}"
        )
        connection.execute(
            f"SELECT r.id {joined} ORDER BY bm25(bench_fts, 3.0, 1.0) LIMIT 20", params
        ).fetchall()
        connection.execute(f"SELECT count(*) {base}", params).fetchall()
        for column in ("kind", "ministry_id", "field_id", "status"):
            connection.execute(
                f"SELECT r.{column}, count(*) {base} GROUP BY r.{column}", params
            ).fetchall()

    results = {"build_seconds": build_seconds}
    for name, queries in classes.items():
        for query in queries:
            run(query)
        per_round = []
        for _ in range(rounds):
            samples = []
            for _ in range(reps):
                for query in queries:
                    started = time.perf_counter()
                    run(query)
                    samples.append((time.perf_counter() - started) * 1000)
            per_round.append(samples)
        results[name] = summarise(per_round)
    connection.execute("DROP TABLE bench_fts")
    connection.close()
    return results


# ------------------------------------------------------------------------------ report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    report: dict = {"rounds": args.rounds, "reps": args.reps, "sizes": {}}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        for size in args.sizes:
            workdir = Path(tmp)
            envs = prepare(size, workdir)
            classes = fill_classes(envs["sqlite"])
            entry: dict = {"classes": {k: [str(q) for q in v] for k, v in classes.items()}}
            backends = [("whoosh", envs["sqlite"])]
            if not args.skip_postgres:
                backends.append(("postgres", envs["postgres"]))
            for name, env in backends:
                print(f"[{size}] building {name} …", flush=True)
                built = build(env)
                if name == "whoosh":
                    built["index_bytes"] = du(Path(env["PORTAL_SEARCH_INDEX_DIR"]))
                else:
                    built["index_bytes"] = int(
                        subprocess.run(
                            [
                                "psql",
                                env["DATABASE_URL"].replace("+psycopg", ""),
                                "-Atc",
                                "SELECT pg_total_relation_size('search_entry')",
                            ],
                            capture_output=True,
                            text=True,
                            check=True,
                        ).stdout.strip()
                    )
                print(f"[{size}] {name} in-process …", flush=True)
                in_process = measure_in_process(env, classes, args.rounds, args.reps)
                uncached = measure_in_process(
                    {**env, "PORTAL_SEARCH_CACHE_BUDGET": "0"}, classes, args.rounds, args.reps
                )
                print(f"[{size}] {name} HTTP …", flush=True)
                http_results, memory = measure_http(env, classes, args.rounds, args.reps)
                entry[name] = {
                    "build": built,
                    "in_process": in_process,
                    "http": http_results,
                    "in_process_uncached": uncached,
                    "worker_rss_mb": memory,
                }
                (out / f"search-{size}.json").write_text(json.dumps(entry, indent=2))
            print(f"[{size}] FTS5 baseline …", flush=True)
            entry["fts5"] = fts5_baseline(envs["sqlite"], classes, args.rounds, args.reps)
            subprocess.run(
                [
                    "psql",
                    PG_ADMIN,
                    "-qc",
                    f"DROP DATABASE IF EXISTS {envs['pg_name']} WITH (FORCE)",
                ],
                check=False,
            )
            report["sizes"][size] = entry
            (out / f"search-{size}.json").write_text(json.dumps(entry, indent=2))
    print(markdown(report))


def markdown(report: dict) -> str:
    lines = []
    for size, entry in report["sizes"].items():
        lines.append(f"\n### {size:,} regulations\n")
        for name in ("whoosh", "postgres"):
            if name not in entry:
                continue
            built = entry[name]["build"]
            lines.append(
                f"- {name}: build {built['seconds']:.1f} s ({built['entries_per_second']:.0f} "
                f"entries/s), index {built['index_bytes'] / 1e6:.1f} MB, worker RSS "
                f"{entry[name]['worker_rss_mb']:.0f} MB"
            )
        lines.append(f"- FTS5 baseline build {entry['fts5']['build_seconds']:.1f} s\n")
        header = "| class | FTS5 p50/p95 |"
        rule = "|---|---|"
        for name in ("whoosh", "postgres"):
            if name in entry:
                header += (
                    f" {name} in-process p50/p95 | {name} HTTP p50/p95 (round p95s) |"
                    f" {name} ÷ FTS5 (p50) |"
                )
                rule += "---|---|---|"
        lines += [header, rule]
        for cls in entry["fts5"]:
            if cls == "build_seconds":
                continue
            base = entry["fts5"][cls]
            row = f"| {cls} | {base['p50_ms']:.1f} / {base['p95_ms']:.1f} |"
            for name in ("whoosh", "postgres"):
                if name in entry:
                    ip, ht = entry[name]["in_process"][cls], entry[name]["http"][cls]
                    rounds = ", ".join(f"{v:.0f}" for v in ht["round_p95_ms"])
                    row += (
                        f" {ip['p50_ms']:.1f} / {ip['p95_ms']:.1f} | {ht['p50_ms']:.1f} / "
                        f"{ht['p95_ms']:.1f} ({rounds}) | {ip['p50_ms'] / base['p50_ms']:.1f}× |"
                    )
            lines.append(row)
    return "\n".join(lines)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_in_process()
    else:
        main()
