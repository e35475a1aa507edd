"""API fixtures: the consultation world, JSON helpers and tokens."""

from __future__ import annotations

import pytest

from tests.consultation.conftest import world  # noqa: F401  (a fixture used by these tests)


def get_json(client, path, status=200, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == status, (path, response.status_code, response.data[:800])
    assert response.mimetype == "application/json", response.mimetype
    return response.get_json()


def walk(client, path):
    """Every item of a list, following `next` links; also the pages' totals."""
    items, totals, url = [], set(), path
    while url:
        data = get_json(client, url)
        items.extend(data["items"])
        totals.add(data["total"])
        url = data["next"]
    return items, totals


@pytest.fixture
def make_token(create_user):
    """`make_token(role, ministry)` → (user, secret) through the token service."""
    from portal.api.tokens import create_token

    def make(role="staff", ministry="bct", days=90, user=None):
        user = user or create_user(role, ministry=ministry if role == "staff" else None)
        _token, secret = create_token(user, "Hệ thống CSDL của Bộ", days)
        return user, secret

    return make


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
