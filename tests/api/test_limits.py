"""Rate limits: JSON 429 with Retry-After, per address or per token, across workers (Redis)."""

from __future__ import annotations

import os
import uuid

import pytest

from portal import create_app
from portal.extensions import db
from tests.api.conftest import bearer

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def limited_app(app, database_url, **config):
    """Another worker on the same database, with the API limits switched on."""
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
        SEARCH_LOCK_FILE=app.config["SEARCH_LOCK_FILE"],
        RATELIMIT_ENABLED=True,
        API_READ_LIMIT="5 per minute",
        API_WRITE_LIMIT="2 per minute",
        **config,
    )


def _get(worker, path="/api/v1/fields", address="198.51.100.7", **kwargs):
    with worker.app_context():
        response = worker.test_client().get(path, environ_base={"REMOTE_ADDR": address}, **kwargs)
        db.session.remove()
        return response


def test_too_many_reads_get_a_json_429_with_retry_after(app, database_url, reference):
    db.session.remove()
    worker = limited_app(app, database_url, RATELIMIT_STORAGE_URI="memory://")
    answers = [_get(worker) for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert "Retry-After" not in answers[0].headers  # only a refusal tells the client to wait
    assert answers[0].headers["X-RateLimit-Limit"] == "5"
    assert answers[4].headers["X-RateLimit-Remaining"] == "0"
    refused = answers[5]
    body = refused.get_json()
    assert body["code"] == "rate_limited" and body["status"] == 429
    assert body["message"].startswith("Quá nhiều yêu cầu")
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Another address has its own budget; the web pages are not limited by the API's.
    assert _get(worker, address="203.0.113.9").status_code == 200
    assert _get(worker, "/regulations").status_code == 200
    with worker.app_context():
        db.engine.dispose()


def test_a_valid_token_has_its_own_budget_and_writes_have_theirs(
    app, database_url, make_token, reference
):
    _user, secret = make_token("staff", "bct")
    db.session.remove()
    worker = limited_app(app, database_url, RATELIMIT_STORAGE_URI="memory://")
    for _ in range(5):
        assert _get(worker).status_code == 200
    assert _get(worker).status_code == 429
    assert _get(worker, headers=bearer(secret)).status_code == 200  # same address, own budget
    with worker.app_context():
        client = worker.test_client()
        statuses = [
            client.post(
                "/api/v1/regulations?dry_run=1", json={"regulations": []}, headers=bearer(secret)
            ).status_code
            for _ in range(3)
        ]
        db.session.remove()
        db.engine.dispose()
    assert statuses == [422, 422, 429]


def _redis_reachable() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 (any failure means "not here")
        return False
    return True


def test_the_limit_holds_across_workers_sharing_redis(app, database_url, reference):
    """Two app instances are two gunicorn workers: the count lives in the shared Redis."""
    if not _redis_reachable():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis is required and not reachable at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    db.session.remove()
    prefix_config = {"RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}
    first = limited_app(app, database_url, RATELIMIT_STORAGE_URI=REDIS_URL, **prefix_config)
    second = limited_app(app, database_url, RATELIMIT_STORAGE_URI=REDIS_URL, **prefix_config)
    statuses = [_get(worker).status_code for worker in (first, second) * 3]
    assert statuses == [200] * 5 + [429]
    # The in-memory store, by contrast, lets each worker count alone.
    third = limited_app(app, database_url, RATELIMIT_STORAGE_URI="memory://")
    assert _get(third).status_code == 200
    for worker in (first, second, third):
        with worker.app_context():
            db.engine.dispose()


def test_a_broken_limit_store_lets_requests_through(app, database_url, reference):
    db.session.remove()
    worker = limited_app(app, database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert _get(worker).status_code == 200
    with worker.app_context():
        db.engine.dispose()
