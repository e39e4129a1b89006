"""Signing in: throttling, revocation on deactivation and deletion, API tokens, invitations, lost updates."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.api.conftest import DemoTenant

pytestmark = pytest.mark.db
LOGIN = "/api/v1/auth/login"


def _login(tenant: DemoTenant, username: str, password: str, address: str = "testclient") -> int:
    client = tenant.anonymous()
    client.headers["X-Forwarded-For"] = address  # ignored: the address is the connection's
    body = {"tenant": tenant.name, "username": username, "password": password}
    return client.post(LOGIN, json=body).status_code


def test_wrong_passwords_are_throttled_per_account(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    statuses = [_login(math, "tomas_teacher", "wrong password") for _ in range(5)]
    assert statuses == [401] * 5
    blocked = math.anonymous().post(
        LOGIN, json={"tenant": math.name, "username": "tomas_teacher", "password": "homeroom-demo"}
    )
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert int(blocked.headers["Retry-After"]) > 0
    assert _login(math, "tara_teacher", "homeroom-demo") == 200  # other accounts are unaffected


def test_unknown_tenant_and_user_look_like_a_wrong_password(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    client = math.anonymous()
    a = client.post(LOGIN, json={"tenant": "no-such-tenant", "username": "x", "password": "y"})
    b = client.post(LOGIN, json={"tenant": math.name, "username": "nobody", "password": "y"})
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_deactivation_ends_sessions_and_tokens_at_once(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tara = math.login("tara_teacher")
    token = tara.post("/api/v1/auth/tokens", json={"name": "gradebook"}).json()["token"]
    bearer = math.anonymous()
    bearer.headers["Authorization"] = f"Bearer {token}"
    assert bearer.get("/api/v1/auth/me").status_code == 200
    priya = math.login("priya_principal")
    version = priya.get("/api/v1/users/tara_teacher").headers["ETag"]
    off = priya.patch(
        "/api/v1/users/tara_teacher", json={"status": "inactive"}, headers={"If-Match": version}
    )
    assert off.status_code == 200, off.text
    assert tara.get("/api/v1/auth/me").status_code == 401
    assert bearer.get("/api/v1/auth/me").status_code == 401
    assert _login(math, "tara_teacher", "homeroom-demo") == 401


def test_tokens_are_shown_once_and_revocable(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    issued = tomas.post("/api/v1/auth/tokens", json={"name": "sync"}).json()
    assert issued["token"].startswith("hr_")
    listed = tomas.get("/api/v1/auth/tokens").json()
    assert [t["id"] for t in listed] == [issued["id"]]
    assert "token" not in listed[0]
    bearer = math.anonymous()
    bearer.headers["Authorization"] = f"Bearer {issued['token']}"
    assert bearer.get("/api/v1/users/sam_student").status_code == 200
    assert tomas.delete(f"/api/v1/auth/tokens/{issued['id']}").status_code == 204
    assert bearer.get("/api/v1/users/sam_student").status_code == 401


def test_an_invitation_sets_up_the_account_once(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    priya = math.login("priya_principal")
    body = {
        "kind": "staff",
        "username": "nina",
        "given_name": "Nina",
        "role": "teacher",
        "org": "lincoln_elem",
        "invite": True,
    }
    created = priya.post("/api/v1/users", json=body)
    assert created.status_code == 201, created.text
    invitation = created.json()["invitation"]["token"]
    assert created.json()["account"]["status"] == "invited"
    assert _login(math, "nina", "anything at all") == 401
    accept = math.anonymous().post(
        "/api/v1/auth/invitations/accept", json={"token": invitation, "password": "a good password"}
    )
    assert accept.status_code == 204, accept.text
    assert _login(math, "nina", "a good password") == 200
    again = math.anonymous().post(
        "/api/v1/auth/invitations/accept", json={"token": invitation, "password": "another password"}
    )
    assert again.status_code == 401


def test_concurrent_writers_never_lose_an_update(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    writers = [math.login("priya_principal") for _ in range(6)]
    version = writers[0].get("/api/v1/users/sofia_student").headers["ETag"]

    def write(index: int) -> int:
        response = writers[index].patch(
            "/api/v1/users/sofia_student",
            json={"family_name": f"Writer{index}"},
            headers={"If-Match": version},
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(write, range(6)))
    assert sorted(statuses) == [200] + [412] * 5
    winner = statuses.index(200)
    final = writers[0].get("/api/v1/users/sofia_student")
    assert final.json()["family_name"] == f"Writer{winner}"
    assert final.headers["ETag"] == '"2"'
