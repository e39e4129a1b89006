"""The authorization service through HTTP: check and batch check answer as `decide` does, and every write
between two checks shows in the next answer (the tenant snapshot is keyed by revision), on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.api.conftest import DemoTenant

from homeroom.policy import Facts, decide
from homeroom.policy.world import Check
from homeroom.scenarios.demo import demo_scenario
from homeroom.services.logins import issue_service_token
from homeroom.store import credentials
from homeroom.store import tables as t
from homeroom.store.orgs import move_org
from homeroom.store.settings import set_setting

pytestmark = pytest.mark.db
CHECK = "/api/v1/authz/check"
BATCH = "/api/v1/authz/check-batch"


def _tenant_id(tenant: DemoTenant) -> int:
    with tenant.homeroom.sessions.begin() as session:
        found = session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant.name))
    assert found is not None
    return found


def _service(tenant: DemoTenant) -> TestClient:
    """A client holding the tenant's service token (it may ask about any account)."""
    with tenant.homeroom.sessions.begin() as session:
        token = issue_service_token(session, _tenant_id(tenant), "authz", datetime.now(UTC)).token
    client = tenant.anonymous()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _body(check: Check) -> dict[str, str]:
    body = {"actor": check.actor, "permission": check.permission, "target": str(check.target)}
    if check.role is not None:
        body["role"] = check.role
    for name, ref in (("to", check.to), ("from", check.from_), ("at", check.at)):
        if ref is not None:
            body[name] = str(ref)
    return body


def _allowed(client: TestClient, actor: str, permission: str, target: str) -> bool:
    response = client.post(CHECK, json={"actor": actor, "permission": permission, "target": target})
    assert response.status_code == 200, response.text
    allowed: bool = response.json()["allowed"]
    return allowed


def test_every_demo_check_answers_as_decide(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    scenario = demo_scenario("math")
    facts = Facts(scenario.world, scenario.profile)
    client = _service(math)
    for expected in scenario.checks:
        response = client.post(CHECK, json=_body(expected.check))
        assert response.status_code == 200, response.text
        decision = decide(expected.check, facts)
        assert response.json() == {
            "allowed": expected.expect == "allow",
            "code": decision.code,
            "reason": decision.reason.message,
        }, str(expected.check)


def test_a_batch_answers_in_order_as_single_checks(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    checks = [e.check for e in demo_scenario("math").checks]
    checks += [Check("nobody", "student.edit", checks[0].target), *reversed(checks)]
    client = _service(math)
    singles = [client.post(CHECK, json=_body(c)).json() for c in checks]
    batch = client.post(BATCH, json={"checks": [_body(c) for c in checks]})
    assert batch.status_code == 200, batch.text
    assert batch.json()["decisions"] == singles
    assert [d["allowed"] for d in singles].count(True) not in (0, len(singles))


def test_writes_between_checks_show_in_the_next_answer(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    client = _service(math)
    tenant_id = _tenant_id(math)
    rosa = ("rosa_teacher", "student.create", "class:algebra_7")
    dana = ("dana_district", "student.edit", "user:omar_student")
    assert not _allowed(client, *rosa)  # her school turned teacher creation off
    assert _allowed(client, *dana)
    with math.homeroom.sessions.begin() as session:
        set_setting(session, tenant_id, "roosevelt_ms", "teacher_student_creation", value=True)
    assert _allowed(client, *rosa)
    with math.homeroom.sessions.begin() as session:  # the school leaves the district
        move_org(session, tenant_id, "roosevelt_ms", None)
    assert not _allowed(client, *dana)
    with math.homeroom.sessions.begin() as session:
        move_org(session, tenant_id, "roosevelt_ms", "maple_valley")
    assert _allowed(client, *dana)


def _bearer(tenant: DemoTenant, persona: str) -> TestClient:
    token = tenant.login(persona).post("/api/v1/auth/tokens", json={"name": "gradebook"}).json()["token"]
    client = tenant.anonymous()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_a_revoked_token_and_a_deactivated_account_are_refused_at_once(
    demo: Callable[[str], DemoTenant],
) -> None:
    math = demo("math")
    tomas, tara = _bearer(math, "tomas_teacher"), _bearer(math, "tara_teacher")
    assert _allowed(tomas, "tomas_teacher", "student.edit", "user:sam_student")
    assert _allowed(tara, "tara_teacher", "student.edit", "user:sofia_student")
    tenant_id = _tenant_id(math)
    with math.homeroom.sessions.begin() as session:
        credentials.end_all(session, tenant_id, "tomas_teacher", now=datetime.now(UTC))
        session.execute(
            update(t.User)
            .where(t.User.tenant_id == tenant_id, t.User.id == "tara_teacher")
            .values(status="inactive")
        )
    for client, actor, target in (
        (tomas, "tomas_teacher", "sam_student"),
        (tara, "tara_teacher", "sofia_student"),
    ):
        refused = client.post(
            CHECK, json={"actor": actor, "permission": "student.edit", "target": f"user:{target}"}
        )
        assert refused.status_code == 401, refused.text
        assert refused.json()["code"] == "unauthenticated"
