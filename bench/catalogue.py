"""Catalogue benchmark: bulk import of N regulations and list/detail latency over HTTP.

Method (results go to docs/benchmarks.md):

1. A fresh SQLite database in a temp dir is upgraded to head and given the ministries.
2. `flask demo generate --count N --output` writes N synthetic regulations in the import format.
3. `flask regulations import` loads the file, timed end to end (process start included), on a
   fresh database each run. Baseline in the same run: Python's csv module reading the same file.
4. gunicorn (1 worker, 1 thread: a single client, warm) serves that database. One client sends
   requests one at a time over keep-alive HTTP: every query class gets a warm-up, then `reps`
   samples per round, several rounds. Baseline in the same run: `/healthz` (one trivial query).

Usage: .venv/bin/python bench/catalogue.py [--count 20000] [--rounds 3] [--reps 40]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
    )


def bench_env(directory: Path, database: Path) -> dict:
    """The portal as production runs it, in the temp dir: the search index is kept by a
    separate worker (`flask search worker`), so neither the import nor the web server index
    anything here (the search benchmarks measure indexing); bulk files go to the temp dir."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_CONFIG": "development",
        "FLASK_SECRET_KEY": "bench-catalogue-secret-key-0123456789-abcdefghij",
        "PORTAL_SEARCH_SYNC": "worker",
        "PORTAL_SEARCH_BACKEND": "whoosh",
        "PORTAL_SEARCH_INDEX_DIR": str(directory / "search-index"),
        "PORTAL_SEARCH_LOCK_FILE": str(directory / "search-index.lock"),
        "PORTAL_EXPORT_DIR": str(directory / "exports"),
    }


def fresh_database(directory: Path, name: str) -> dict:
    env = bench_env(directory, directory / name)
    flask(env, "db", "upgrade")
    flask(env, "demo", "load", "--reference-only")
    return env


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_import(directory: Path, count: int, rounds: int) -> dict:
    data_file = directory / "synthetic.csv"
    env = fresh_database(directory, "generate.db")
    flask(env, "demo", "generate", "--count", str(count), "--output", str(data_file))
    import_seconds, parse_seconds = [], []
    for run in range(rounds):
        env = fresh_database(directory, f"import-{run}.db")
        started = time.perf_counter()
        result = flask(env, "regulations", "import", str(data_file))
        import_seconds.append(time.perf_counter() - started)
        assert f"{count} quy định mới" in result.stdout, result.stdout
        started = time.perf_counter()
        with data_file.open(encoding="utf-8-sig", newline="") as handle:
            rows = sum(1 for _ in csv.reader(handle))
        parse_seconds.append(time.perf_counter() - started)
        assert rows == count + 1
    return {
        "rows": count,
        "import_seconds": import_seconds,
        "import_median_s": statistics.median(import_seconds),
        "rows_per_second": count / statistics.median(import_seconds),
        "csv_parse_median_s": statistics.median(parse_seconds),
        "database": str(directory / f"import-{rounds - 1}.db"),
    }


def query_classes(env: dict) -> dict[str, list[str]]:
    """URLs per class, drawn from the loaded data (fixed seed)."""
    import sqlite3

    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        codes = [
            row[0]
            for row in connection.execute(
                "SELECT code FROM regulation WHERE published = 1 ORDER BY code"
            )
        ]
        documents = [
            row[0]
            for row in connection.execute("SELECT number FROM legal_document ORDER BY id LIMIT 200")
        ]
        fields = [row[0] for row in connection.execute("SELECT slug FROM field")]
    rng = random.Random(68)
    ministries = ["byt", "bgtvt", "bct", "btc", "bkhdt", "nhnn", "bnnptnt", "btttt"]
    kinds = ["procedure", "condition", "report", "inspection"]
    return {
        "baseline /healthz": ["/healthz"],
        "list, no filter": ["/regulations", "/regulations?page=7", "/regulations?sort=title"],
        "list, kind + ministry": [
            f"/regulations?kind={rng.choice(kinds)}&ministry={rng.choice(ministries)}"
            for _ in range(20)
        ],
        "list, 3 filters + page 3": [
            f"/regulations?kind={rng.choice(kinds)}&ministry={rng.choice(ministries)}"
            f"&status=in_force&page=3&per_page=10"
            for _ in range(20)
        ],
        "list, field + sort by cost": [
            f"/regulations?field={rng.choice(fields)}&sort=cost" for _ in range(20)
        ],
        "list, legal document": [
            "/regulations?" + urlencode({"document": rng.choice(documents)}) for _ in range(20)
        ],
        "regulation detail": [f"/regulations/{rng.choice(codes)}" for _ in range(60)],
        "home (institutional space)": ["/"],
    }


@contextmanager
def serve(env: dict):
    """gunicorn (1 worker, 1 thread) on a free port with this environment; yields the port
    once it accepts connections, and stops the whole process group afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "1",
            "--threads",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
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
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def measure_http(env: dict, rounds: int, reps: int) -> dict:
    with serve(env) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(url: str) -> float:
            started = time.perf_counter()
            connection.request("GET", url, headers={"Accept-Language": "vi"})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            assert response.status == 200, (url, response.status)
            return elapsed * 1000

        classes = query_classes(env)
        results: dict[str, dict] = {}
        for name, urls in classes.items():
            for url in urls[:5]:
                get(url)  # warm-up: caches, statement cache, page cache
            per_round = []
            for _round in range(rounds):
                samples = [get(urls[i % len(urls)]) for i in range(reps)]
                per_round.append(samples)
            all_samples = [s for samples in per_round for s in samples]
            results[name] = {
                "median_ms": statistics.median(all_samples),
                "p95_ms": percentile(all_samples, 0.95),
                "round_medians_ms": [statistics.median(s) for s in per_round],
                "round_p95s_ms": [percentile(s, 0.95) for s in per_round],
                "samples": len(all_samples),
            }
        baseline = results["baseline /healthz"]["median_ms"]
        for values in results.values():
            values["ratio_to_baseline"] = values["median_ms"] / baseline
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
        directory = Path(tmp)
        imported = measure_import(directory, args.count, args.rounds)
        print(f"import: {[round(x, 1) for x in imported['import_seconds']]} s", flush=True)
        env = bench_env(directory, Path(imported["database"]))
        http_results = measure_http(env, args.rounds, args.reps)
    report = {
        "count": args.count,
        "import": imported,
        "http": http_results,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"catalogue-{args.count}.json").write_text(json.dumps(report, indent=2))

    lines = io.StringIO()
    print(
        f"Import of {args.count:,} rows: median {imported['import_median_s']:.1f} s "
        f"({imported['rows_per_second']:,.0f} rows/s) over {args.rounds} runs "
        f"{[round(s, 1) for s in imported['import_seconds']]}; csv parse baseline "
        f"{imported['csv_parse_median_s']:.2f} s",
        file=lines,
    )
    print("\n| query class | median ms | p95 ms | round p95s ms | × baseline |", file=lines)
    print("|---|---|---|---|---|", file=lines)
    for name, values in http_results.items():
        print(
            f"| {name} | {values['median_ms']:.1f} | {values['p95_ms']:.1f} | "
            f"{', '.join(f'{v:.1f}' for v in values['round_p95s_ms'])} | "
            f"{values['ratio_to_baseline']:.1f} |",
            file=lines,
        )
    print(lines.getvalue())


if __name__ == "__main__":
    main()
