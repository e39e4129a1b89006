"""Chart rows as HTTP cases: who may, who may not, the call, and what it changes.

A case runs its call as the allowed persona (expecting 2xx and a changed `effect`) and, on a fresh tenant,
as the denied persona (expecting 403 or 404 and the same `effect` as before). `effect` reads the state the
call changes, through the API as an administrator, so "changes the data" is checked, not assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi.testclient import TestClient
from httpx2 import Response
from tests.api.conftest import DemoTenant

Call = Callable[[TestClient], Response]
Effect = Callable[[TestClient], object]


@dataclass(frozen=True)
class Case:
    permission: str
    allowed: str
    denied: str
    call: Call
    effect: Effect | None = None  # None: a read; the allowed call's body is checked by `shows`
    shows: str | None = None  # a read must return this text
    observer: str = ""  # who reads the effect (default: the profile's top administrator)


def etag(client: TestClient, path: str) -> str:
    """The version the caller can read, or the first one (a caller who cannot read it still tries)."""
    return client.get(path).headers.get("ETag", '"1"')


def patch(path: str, body: dict[str, object]) -> Call:
    return lambda c: c.patch(path, json=body, headers={"If-Match": etag(c, path)})


def delete(path: str) -> Call:
    return lambda c: c.delete(path, headers={"If-Match": etag(c, path)})


def post(path: str, body: dict[str, object], *, versioned: str | None = None) -> Call:
    def call(c: TestClient) -> Response:
        headers = {"If-Match": etag(c, versioned)} if versioned else {}
        return c.post(path, json=body, headers=headers)

    return call


def put(path: str, body: dict[str, object]) -> Call:
    return lambda c: c.put(path, json=body)


def get(path: str) -> Call:
    return lambda c: c.get(path)


def field(path: str, *keys: str) -> Effect:
    """The value at `keys` of the JSON at `path` (None when the object is gone)."""

    def read(c: TestClient) -> object:
        response = c.get(path)
        if response.status_code != 200:
            return None
        value: object = response.json()
        for key in keys:
            value = value[key] if isinstance(value, dict) else None
        return value

    return read


def users_named(username: str) -> Effect:
    def read(c: TestClient) -> object:
        found = []
        for kind in ("student", "staff"):
            items = c.get("/api/v1/users", params={"kind": kind, "limit": 500}).json()["items"]
            found += [u["id"] for u in items if u["username"] == username]
        return found

    return read


def allowed_succeeds(tenant: DemoTenant, case: Case, admin: str) -> None:
    """The allowed persona's call succeeds and changes what `effect` reads (or shows what a read must)."""
    observer = tenant.login(case.observer or admin)
    before = case.effect(observer) if case.effect else None
    response = case.call(tenant.login(case.allowed))
    assert 200 <= response.status_code < 300, response.text
    if case.effect is None:
        assert case.shows is not None
        assert case.shows.encode() in response.content
    else:
        assert case.effect(observer) != before


def denied_changes_nothing(tenant: DemoTenant, case: Case, admin: str) -> None:
    """The denied persona's call answers 403 or 404 as a problem document and changes nothing."""
    observer = tenant.login(case.observer or admin)
    before = case.effect(observer) if case.effect else None
    response = case.call(tenant.login(case.denied))
    assert response.status_code in (403, 404), response.text
    assert response.headers["content-type"] == "application/problem+json"
    if case.effect is not None:
        assert case.effect(observer) == before
