"""Sign-in rate limits across gunicorn workers (reliability guide T15).

Method: a fresh SQLite database (WAL) with one member account; gunicorn serves it with 4 worker
processes in the development configuration (CSRF on, as in production). Each attempt opens a
new connection, fetches the sign-in form (cookie and CSRF token) and posts a wrong password,
so that the attempts are spread over the workers. The access log records which worker answered.
Then the right password is tried while the account is locked. The limit holds across workers if
exactly `limit` attempts are answered 400 and every later one 429, whichever worker answers.

Usage: .venv/bin/python bench/auth_limits.py [--attempts 30] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from catalogue import BIN, ROOT, flask, free_port

PASSWORD = "Mật khẩu đúng của hội viên 2026"  # noqa: S105 (a throw-away bench account)
EMAIL = "hoivien@thuysan.vn"


def attempt(port: int, password: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    connection.request("GET", "/account/sign-in")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urlencode({"email": EMAIL, "password": password, "csrf_token": token})
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    connection.request(
        "POST",
        "/account/sign-in",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    status = connection.getresponse().status
    connection.close()
    return status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{directory / 'limits.db'}",
            "PORTAL_CONFIG": "development",
            "FLASK_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "PORTAL_SEARCH_SYNC": "inline",
            "PORTAL_SEARCH_INDEX_DIR": str(directory / "index"),
        }
        flask(env, "db", "upgrade")
        flask(env, "demo", "load", "--reference-only")
        flask(env, "users", "create", "--email", EMAIL, "--role", "member", "--password", PASSWORD)
        port = free_port()
        log = directory / "access.log"
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                str(log),
                "--access-logformat",
                "%(p)s %(m)s %(U)s %(s)s",
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
            time.sleep(1)
            statuses = [attempt(port, "mật khẩu sai") for _ in range(args.attempts)]
            right_password = attempt(port, PASSWORD)
        finally:
            server.terminate()
            server.wait(timeout=10)
        posts = [line.split() for line in log.read_text().splitlines() if " POST " in line]
        by_worker = Counter((pid, status) for pid, _m, _u, status in posts)
        result = {
            "attempts": args.attempts,
            "workers": args.workers,
            "statuses": Counter(statuses),
            "first_429_at": statuses.index(429) + 1 if 429 in statuses else None,
            "right_password_while_locked": right_password,
            "workers_that_answered_posts": len({pid for pid, *_ in posts}),
            "per_worker": {f"{pid} {status}": n for (pid, status), n in sorted(by_worker.items())},
        }
        print(json.dumps(result, indent=2, default=dict))


if __name__ == "__main__":
    main()
