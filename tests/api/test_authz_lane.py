"""The check routes' fast lane (api/lanes.py): every request answered through it is answered byte for byte
as the FastAPI routes answer it without the lane, valid or not, on both databases; what the lane does not
take reaches the routes with its body; and the pre-encoded answers are exactly `DecisionOut`'s JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.types import Message, Receive, Scope, Send
from tests.api.conftest import DemoTenant

from homeroom.api import lanes
from homeroom.api.app import create_app
from homeroom.api.routes import authz
from homeroom.scenarios.demo import demo_scenario
from homeroom.services.logins import issue_service_token
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t

pytestmark = pytest.mark.db
CHECK = "/api/v1/authz/check"
BATCH = "/api/v1/authz/check-batch"
Request = tuple[str, dict[str, str], bytes]


def _without_lane(homeroom: Homeroom) -> FastAPI:
    app = create_app(homeroom=homeroom)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not lanes.CheckLane]
    return app


def _body(check: Any) -> dict[str, str]:
    body = {"actor": check.actor, "permission": check.permission, "target": str(check.target)}
    for name, ref in (("to", check.to), ("from", check.from_), ("at", check.at)):
        if ref is not None:
            body[name] = str(ref)
    if check.role is not None:
        body["role"] = check.role
    return body


def _tokens(tenant: DemoTenant) -> tuple[str, str]:
    """The tenant's service token, and an API token of one of its teachers."""
    with tenant.homeroom.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant.name))
        assert tenant_id is not None
        service = issue_service_token(session, tenant_id, "lane", datetime.now(UTC)).token
    own = tenant.login("tomas_teacher").post("/api/v1/auth/tokens", json={"name": "lane"}).json()["token"]
    return service, own


def _corpus(service: str, own: str) -> list[Request]:
    checks = [_body(e.check) for e in demo_scenario("math").checks]
    first = checks[0]
    as_service = {"Authorization": f"Bearer {service}", "Content-Type": "application/json"}
    as_tomas = {**as_service, "Authorization": f"Bearer {own}"}

    def ask(body: object, headers: dict[str, str] = as_service, path: str = CHECK) -> Request:
        return path, headers, json.dumps(body).encode()

    corpus = [ask(c) for c in checks]
    corpus += [
        ask({"checks": checks}, path=BATCH),
        ask({"checks": checks * 2}, path=BATCH),  # over this app's limit of 50
        ask({"checks": []}, path=BATCH),
        ask({"checks": [first, {"actor": "x"}]}, path=BATCH),
        ask({"checks": checks[:2], "more": 1}, path=BATCH),
        ask({**first, "actor": "tomas_teacher"}, as_tomas),
        ask({**first, "actor": "sam_student"}, as_tomas),  # not_your_account
        ask(first, {"Content-Type": "application/json"}),  # no credentials
        ask(first, {**as_service, "Authorization": "Bearer hr_unknown"}),
        ask(first, {**as_service, "Authorization": "Basic abc"}),
        ask(first, {**as_service, "Cookie": "homeroom_session=unknown"}),
        ask({**first, "extra": 1}),
        ask({**first, "target": "nothing"}),
        ask({**first, "actor": 5}),
        ask({**first, "actor": f" {first['actor']} "}),
        ask({**first, "actor": "nobody"}),
        ask({**first, "from": "class:math_4a", "to": "class:math_4b"}),
        ask({**first, "from_": "class:math_4a"}),
        ask(first, {**as_service, "Content-Type": "application/json; charset=utf-8"}),
        ask(first, {**as_service, "Content-Type": "application/merge-patch+json"}),
        ask(first, {**as_service, "Content-Type": "text/plain"}),
        ask(first, {"Authorization": as_service["Authorization"]}),
        (CHECK, as_service, b"{"),
        (CHECK, as_service, b""),
        (CHECK, as_service, b"[]"),
        (CHECK, as_service, json.dumps(first).encode("utf-16")),
        (CHECK, as_service, b"\xef\xbb\xbf" + json.dumps(first).encode()),
        (CHECK, as_service, b"x" * (2 * 1024 * 1024)),
        (CHECK + "/", as_service, json.dumps(first).encode()),
    ]
    return corpus


def _answer(client: TestClient, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
    path, headers, content = request
    response = client.post(path, headers={**headers, "X-Request-ID": "same"}, content=content)
    return response.status_code, list(response.headers.items()), response.content


def test_the_lane_answers_every_request_as_the_routes_do(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    homeroom = math.homeroom
    small = Homeroom(
        homeroom.settings.model_copy(update={"max_batch_checks": 50}),
        homeroom.engine,
        homeroom.sessions,
        homeroom.passwords,
    )
    with_lane = TestClient(create_app(homeroom=small), follow_redirects=False)
    routes_only = TestClient(_without_lane(small), follow_redirects=False)
    answers = []
    for request in _corpus(*_tokens(math)):
        answer = _answer(with_lane, request)
        assert answer == _answer(routes_only, request), request[:2]
        answers.append(answer[0])
    assert {200, 401, 403, 413, 422, 307} <= set(answers)


def test_the_lane_takes_valid_json_and_hands_the_rest_to_the_routes(api: FastAPI) -> None:
    paths = lanes.lane_paths(api)
    assert set(paths) == {CHECK, BATCH}
    reached: list[bytes] = []

    async def routes(_scope: Scope, receive: Receive, send: Send) -> None:
        reached.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    lane = lanes.CheckLane(routes, paths=paths)

    def post(body: bytes, content_type: bytes = b"application/json") -> int:
        sent: list[Message] = []
        scope = {
            "type": "http",
            "method": "POST",
            "path": CHECK,
            "app": api,
            "state": {"request_id": "r"},
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        asyncio.run(lane(scope, receive, send))
        status: int = sent[0]["status"]
        return status

    valid = json.dumps({"actor": "a", "permission": "student.view", "target": "user:b"}).encode()
    assert post(valid) == 401  # answered by the lane: no credentials
    assert reached == []
    assert post(b"{") == 299
    assert post(valid, b"text/plain") == 299
    assert reached == [b"{", valid]


def test_answers_are_the_json_of_the_response_models() -> None:
    messages = ["plain", 'quote " and \\ backslash', "ünïcødé ✓ 🙂", "control \x01\x1f\n\t", ""]
    decisions = [
        SimpleNamespace(allowed=i % 2 == 0, code=f"role@org:scope{i}", reason=SimpleNamespace(message=m))
        for i, m in enumerate(messages)
    ]
    for decision in decisions:
        expected = authz.DecisionOut(
            allowed=decision.allowed, code=decision.code, reason=decision.reason.message
        ).model_dump_json()
        assert authz.decision_json(decision) == expected.encode()  # type: ignore[arg-type]
    batch = authz.BatchOut(decisions=[authz._out(d) for d in decisions])  # type: ignore[arg-type]
    assert authz.decisions_json(decisions) == batch.model_dump_json().encode()  # type: ignore[arg-type]
