"""Concurrent comment posts (issue 5; reliability guide T13).

Method: a fresh database (SQLite in WAL mode with BEGIN IMMEDIATE, or a fresh PostgreSQL
database) with the ministries, an open consultation and 20 verified members. gunicorn serves
the development configuration (CSRF on) with 4 worker processes. 20 client threads, one per
member, each sign in and then post 10 comments (200 in all) as fast as they can, each from a
freshly fetched form (its own idempotency key), over keep-alive connections. Every tenth post is
sent twice with the same key, as a double-click would. Afterwards the database must hold
exactly one comment per accepted post, none for refused ones, and no 500 may have occurred.

Usage: cd bench && ../.venv/bin/python concurrent_comments.py [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from catalogue import BIN, ROOT, flask, free_port

PASSWORD = "Mật khẩu của hội viên thử tải 2026"  # noqa: S105 (throw-away bench accounts)
PG_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
SETUP = """
from datetime import timedelta
from portal.accounts.services import create_user
from portal.consultation import services
from portal.regulations.services import local_today
from portal.ministries.models import Ministry
from portal.extensions import db
staff = create_user("canbo@bct.bench", {password!r}, "staff", ministry_code="bct")
ministry = db.session.scalar(db.select(Ministry).where(Ministry.code == "bct"))
draft = services.create_draft(staff, ministry, "Dự thảo thử tải", "decree", "", "")
consultation = services.open_consultation(staff, draft=draft, title="Thử tải", summary="x",
    opens_on=local_today(), closes_on=local_today() + timedelta(days=40))
for number in range({clients}):
    create_user(f"hoivien{{number}}@bench.vn", {password!r}, "member")
print(consultation.id)
"""


def in_app(env: dict, code: str) -> subprocess.CompletedProcess:
    """Run Python code inside the portal's app context (setup and checks)."""
    script = "from wsgi import app\nwith app.app_context():\n" + "".join(
        f"    {line}\n" for line in code.strip().splitlines()
    )
    return subprocess.run(
        [str(BIN / "python"), "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith(("session=", "__Host-session=")):
                self.cookie = value.split(";")[0]
        return response.status, text, dict(response.getheaders())


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def worker(port, number, consultation_id, posts, results, lock):
    client = Client(port)
    _status, page, _h = client.request("GET", "/account/sign-in")
    status, _page, _h = client.request(
        "POST",
        "/account/sign-in",
        {"email": f"hoivien{number}@bench.vn", "password": PASSWORD, "csrf_token": token(page)},
    )
    assert status in (302, 303), status
    for index in range(posts):
        _status, page, _h = client.request("GET", f"/consultations/{consultation_id}")
        key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
        body = {
            "csrf_token": token(page),
            "idempotency_key": key,
            "target": "",
            "body": f"Ý kiến số {index} của hội viên {number} — {uuid.uuid4().hex[:8]}",
        }
        started = time.perf_counter()
        status, _text, headers = client.request(
            "POST", f"/consultations/{consultation_id}/comments", body
        )
        elapsed = time.perf_counter() - started
        duplicate = None
        if index % 10 == 9:  # a double click: the same form again
            duplicate, _t, _h = client.request(
                "POST", f"/consultations/{consultation_id}/comments", body
            )
        with lock:
            results.append((number, index, status, duplicate, elapsed, body["body"]))


def baseline(port, requests, results, lock):
    """The same clients asking for /healthz (one trivial query): what queueing alone costs."""
    client = Client(port)
    for _ in range(requests):
        started = time.perf_counter()
        client.request("GET", "/healthz")
        with lock:
            results.append(time.perf_counter() - started)


def run(backend: str, clients: int, posts: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        database = f"portal_bench_comments_{uuid.uuid4().hex[:6]}"
        if backend == "postgres":
            subprocess.run(["psql", PG_ADMIN, "-qc", f'CREATE DATABASE "{database}"'], check=True)
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{database}"
        else:
            url = f"sqlite:///{directory / 'comments.db'}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PORTAL_CONFIG": "development",
            "FLASK_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "PORTAL_SEARCH_SYNC": "worker",
            "PORTAL_SEARCH_INDEX_DIR": str(directory / "index"),
            "PORTAL_AUTH_LIMITS": json.dumps({"sign_in_ip": 1000}),
        }
        try:
            flask(env, "db", "upgrade")
            flask(env, "demo", "load", "--reference-only")
            setup = in_app(env, SETUP.format(password=PASSWORD, clients=clients))
            consultation_id = int(setup.stdout.strip().splitlines()[-1])
            port = free_port()
            log = directory / "error.log"
            server = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-w",
                    str(workers),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--error-logfile",
                    str(log),
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                for _ in range(100):
                    try:
                        http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                            "GET", "/healthz"
                        )
                        break
                    except OSError:
                        time.sleep(0.1)
                time.sleep(1.5)
                results: list = []
                lock = threading.Lock()
                threads = [
                    threading.Thread(
                        target=worker, args=(port, n, consultation_id, posts, results, lock)
                    )
                    for n in range(clients)
                ]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                wall = time.perf_counter() - started
                health: list = []
                threads = [
                    threading.Thread(target=baseline, args=(port, posts, health, lock))
                    for _n in range(clients)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            finally:
                server.terminate()
                server.wait(timeout=20)
            check = in_app(
                env,
                (
                    "from portal.consultation.models import Comment\n"
                    "from portal.extensions import db\n"
                    "import json\n"
                    "print(json.dumps([c.body for c in db.session.scalars(db.select(Comment))]))\n"
                ),
            )
            stored = Counter(json.loads(check.stdout.strip().splitlines()[-1]))
        finally:
            if backend == "postgres":
                subprocess.run(
                    ["psql", PG_ADMIN, "-qc", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'],
                    check=False,
                )
        statuses = Counter(status for _n, _i, status, _d, _e, _b in results)
        duplicates = Counter(result[3] for result in results if result[3] is not None)
        accepted = [body for _n, _i, status, _d, _e, body in results if status in (302, 303)]
        refused = [body for _n, _i, status, _d, _e, body in results if status not in (302, 303)]
        latencies = sorted(elapsed * 1000 for *_rest, elapsed, _b in results)
        errors = log.read_text() if log.exists() else ""
        return {
            "backend": backend,
            "posts": len(results),
            "statuses": dict(statuses),
            "double_submits": dict(duplicates),
            "stored": sum(stored.values()),
            "accepted_stored_exactly_once": all(stored[body] == 1 for body in accepted),
            "refused_stored": sum(stored[body] for body in refused),
            "unexpected_rows": sum(stored.values()) - len(accepted),
            "server_errors_in_log": errors.count("Traceback"),
            "wall_s": round(wall, 2),
            "posts_per_s": round(len(results) / wall, 1),
            "post_latency_ms": {
                "median": round(statistics.median(latencies), 1),
                "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            },
            "baseline_healthz_ms": {
                "median": round(statistics.median(health) * 1000, 1),
                "p95": round(sorted(health)[int(0.95 * (len(health) - 1))] * 1000, 1),
            },
            "post_median_x_baseline": round(
                statistics.median(latencies) / (statistics.median(health) * 1000), 1
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    for backend in backends:
        print(json.dumps(run(backend, args.clients, args.posts, args.workers)))


if __name__ == "__main__":
    main()
