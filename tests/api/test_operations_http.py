"""Operations through HTTP: export credits, products and pathways, class settings, the parent portal,
assessments and benchmark windows. Allowed calls change the data; denied ones answer 403 (visible) or 404
(invisible), change nothing and are audited; stale If-Match answers 412."""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from tests.api.conftest import DemoTenant
from tests.services.prek2 import WORLD

from homeroom.policy import registry
from homeroom.scenarios.tenants import DEMO_PASSWORD
from homeroom.services.passwords import hash_password
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t
from homeroom.store.assessments import add_assessment
from homeroom.store.parent_portal import NewRegistration, add_registration
from homeroom.store.worlds import write_world

pytestmark = pytest.mark.db
T = TypeVar("T")
Demo = Callable[[str], DemoTenant]


def _in(tenant: DemoTenant, query: Callable[[Session, int], T]) -> T:
    """Run `query(session, tenant_id)` in the tenant's database, committed."""
    with tenant.homeroom.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant.name))
        assert tenant_id is not None
        return query(session, tenant_id)


def _audit(tenant: DemoTenant) -> list[tuple[str, bool, str | None]]:
    a = t.AuditEntry
    return _in(
        tenant,
        lambda s, i: [
            tuple(r) for r in s.execute(select(a.action, a.allowed, a.target_id).where(a.tenant_id == i))
        ],
    )


def _balances(tenant: DemoTenant) -> dict[str, int]:
    b = t.CreditBalance
    query = select(b.holder_type, b.holder_id, b.balance)
    return _in(
        tenant, lambda s, i: {f"{k}:{h}": int(n) for k, h, n in s.execute(query.where(b.tenant_id == i))}
    )


def test_credits_are_funded_passed_allocated_and_read(demo: Demo) -> None:
    cedar = demo("district-license")
    dana, priya = cedar.login("dana_district"), cedar.login("priya_principal")
    funded = dana.post("/api/v1/orgs/cedar_falls/credits", json={"amount": 50, "note": "PO-1"})
    assert funded.status_code == 201, funded.text
    assert funded.json()["balance"] == 50
    passed = dana.post(
        "/api/v1/orgs/oak_elem/credits", json={"amount": 10, "note": "term", "from_org": "cedar_falls"}
    )
    assert passed.status_code == 201, passed.text
    given = priya.post("/api/v1/users/sam_student/credits", json={"amount": 3, "from_org": "oak_elem"})
    assert given.status_code == 201, given.text
    assert given.json()["entries"][0]["counterpart"] == "org:oak_elem"
    assert priya.get("/api/v1/users/sam_student/credits").json()["balance"] == 3
    first = priya.get("/api/v1/orgs/oak_elem/credits", params={"limit": 1}).json()
    assert (first["balance"], [e["delta"] for e in first["entries"]]) == (7, [-3])
    rest = priya.get(
        "/api/v1/orgs/oak_elem/credits", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert [e["delta"] for e in rest["entries"]] == [10]
    assert rest["entries"][0]["at"].endswith("Z")  # UTC, whichever database stored it
    assert _balances(cedar) == {"org:cedar_falls": 40, "org:oak_elem": 7, "user:sam_student": 3}


def test_credit_denials_change_nothing_and_are_audited(demo: Demo) -> None:
    cedar = demo("district-license")
    cedar.login("dana_district").post("/api/v1/orgs/cedar_falls/credits", json={"amount": 5, "note": "PO-1"})
    priya = cedar.login("priya_principal")
    forbidden = priya.post("/api/v1/orgs/cedar_falls/credits", json={"amount": 5, "note": "x"})
    assert forbidden.status_code == 403
    hidden = priya.post("/api/v1/users/sofia_student/credits", json={"amount": 1, "from_org": "oak_elem"})
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "user_not_found"
    pool = priya.post("/api/v1/users/sam_student/credits", json={"amount": 1, "from_org": "cedar_falls"})
    assert (pool.status_code, pool.json()["code"]) == (403, "pool_out_of_scope")
    too_much = cedar.login("dana_district").post(
        "/api/v1/users/sam_student/credits", json={"amount": 6, "from_org": "cedar_falls"}
    )
    assert (too_much.status_code, too_much.json()["code"]) == (409, "insufficient_credits")
    sneaky = priya.post(
        "/api/v1/users/sam_student/credits", json={"amount": 1, "from_org": "oak_elem", "balance": 9}
    )
    assert sneaky.status_code == 422
    assert _balances(cedar) == {"org:cedar_falls": 5}
    denied = [x for x in _audit(cedar) if not x[1]]
    assert ("billing.transact", False, "cedar_falls") in denied
    assert ("export_credit.allocate", False, "sofia_student") in denied
    assert ("export_credit.allocate", False, "sam_student") in denied
    assert cedar.login("emma_educator").get("/api/v1/orgs/pine_high/credits").status_code == 404


def test_products_and_pathways(demo: Demo) -> None:
    maple = demo("math")
    tomas = maple.login("tomas_teacher")
    put = tomas.put("/api/v1/users/sam_student/products/math_facts")
    assert put.status_code == 200, put.text
    assert [p["id"] for p in put.json()["products"]] == ["math_facts"]
    assert (
        tomas.put("/api/v1/users/sam_student/pathway", json={"pathway": "grade_4"}).json()["pathway"]
        == "grade_4"
    )
    read = tomas.get("/api/v1/users/sam_student/products").json()
    assert ([p["id"] for p in read["products"]], read["pathway"]) == (["math_facts"], "grade_4")
    assert tomas.delete("/api/v1/users/sam_student/products/math_facts").json()["products"] == []
    assert tomas.put("/api/v1/users/sofia_student/products/math_facts").status_code == 404
    unknown = tomas.put("/api/v1/users/sam_student/products/espanol")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_product")
    p = t.StudentProduct
    assert _in(maple, lambda s, i: list(s.scalars(select(p.product).where(p.tenant_id == i)))) == []
    assert ("student.assign_product", False, "sofia_student") in _audit(maple)


def test_class_settings_with_if_match(demo: Demo) -> None:
    maple = demo("math")
    tomas = maple.login("tomas_teacher")
    got = tomas.get("/api/v1/classes/math_4a/settings")
    assert (got.status_code, got.headers["ETag"], got.json()["calculator"]) == (200, '"1"', True)
    body = {"calculator": False, "goals": [{"skill": "fractions", "target": 4}]}
    assert tomas.patch("/api/v1/classes/math_4a/settings", json=body).status_code == 428
    changed = tomas.patch("/api/v1/classes/math_4a/settings", json=body, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert (changed.headers["ETag"], changed.json()["goals"]) == (
        '"2"',
        [{"skill": "fractions", "target": 4}],
    )
    stale = tomas.patch(
        "/api/v1/classes/math_4a/settings", json={"calculator": True}, headers={"If-Match": '"1"'}
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "stale_version")
    assert tomas.get("/api/v1/classes/math_4a/settings").json()["calculator"] is False
    other = tomas.patch(
        "/api/v1/classes/math_4b/settings", json={"calculator": False}, headers={"If-Match": '"1"'}
    )
    assert other.status_code == 403
    rosa = maple.login("rosa_teacher")
    hidden = rosa.patch(
        "/api/v1/classes/math_4a/settings", json={"calculator": True}, headers={"If-Match": '"2"'}
    )
    assert hidden.status_code == 404
    assert tomas.get("/api/v1/classes/math_4a/settings").json()["calculator"] is False
    assert ("class.set_calculator", False, "math_4b") in _audit(maple)
    motivation = maple.login("carol_customer").post(
        "/api/v1/classes/math_4a/motivation", json={"program": "star_tokens", "active": True}
    )
    assert motivation.status_code == 403  # not a math permission


def _prek2_login(api: FastAPI, homeroom: Homeroom, persona: str) -> TestClient:
    name = f"t-{uuid.uuid4().hex[:12]}"
    with homeroom.sessions.begin() as session:
        tenant_id = write_world(session, WORLD, registry.profile("math-prek2"), tenant=name)
        session.execute(
            update(t.User)
            .where(t.User.tenant_id == tenant_id, t.User.id == persona)
            .values(username=persona, password_hash=hash_password(homeroom.passwords, DEMO_PASSWORD))
        )
    client = TestClient(api)
    signed = client.post(
        "/api/v1/auth/login", json={"tenant": name, "username": persona, "password": DEMO_PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return client


def test_prek2_motivational_programs(api: FastAPI, homeroom: Homeroom) -> None:
    carol = _prek2_login(api, homeroom, "carol_customer")
    started = carol.post("/api/v1/classes/k_a/motivation", json={"program": "star_tokens", "active": True})
    assert started.status_code == 200, started.text
    assert (started.json()["motivation"], started.headers["ETag"]) == ({"star_tokens": True}, '"2"')
    assert carol.get("/api/v1/classes/k_a/settings").json()["motivation"] == {"star_tokens": True}
    tomas = _prek2_login(api, homeroom, "tomas_teacher")
    assert (
        tomas.post(
            "/api/v1/classes/k_a/motivation", json={"program": "star_tokens", "active": True}
        ).status_code
        == 403
    )
    reassigned = tomas.post("/api/v1/assessments/bm1/reassign")
    assert (reassigned.status_code, reassigned.json()["state"]) == (200, "assigned")
    denied = tomas.post("/api/v1/assessments/bm1/invalidate")
    assert (denied.status_code, denied.json()["details"]["rule"]) == (403, "P-BENCH-N")


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def test_parent_portal_logo_upload(demo: Demo) -> None:
    maple = demo("math")
    carol = maple.login("carol_customer")
    image = _png()
    put = carol.put(
        "/api/v1/orgs/maple_valley/parent-portal/logo", content=image, headers={"Content-Type": "image/png"}
    )
    assert put.status_code == 200, put.text
    assert (put.json()["media_type"], put.json()["size"]) == ("image/png", len(image))
    got = carol.get("/api/v1/orgs/maple_valley/parent-portal/logo")
    assert (got.content, got.headers["content-type"]) == (image, "image/png")
    fake = carol.put(
        "/api/v1/orgs/northwind/parent-portal/logo", content=b"<svg/>", headers={"Content-Type": "image/png"}
    )
    assert (fake.status_code, fake.json()["code"]) == (422, "unsupported_media_type")
    big = carol.put(
        "/api/v1/orgs/northwind/parent-portal/logo",
        content=image + b"\x00" * (1024 * 1024),
        headers={"Content-Type": "image/png"},
    )
    assert big.status_code == 413
    dana = maple.login("dana_district")
    denied = dana.put(
        "/api/v1/orgs/maple_valley/parent-portal/logo", content=image, headers={"Content-Type": "image/png"}
    )
    assert denied.status_code == 403
    logos = _in(
        maple,
        lambda s, i: list(
            s.scalars(select(t.ParentPortalLogo.org_id).where(t.ParentPortalLogo.tenant_id == i))
        ),
    )
    assert logos == ["maple_valley"]
    assert ("parent_portal.upload_logo", False, "maple_valley") in _audit(maple)


def test_parent_registrations(demo: Demo) -> None:
    maple = demo("math")
    at = datetime(2026, 9, 1, tzinfo=UTC)
    new = NewRegistration("r1", "lincoln_elem", "Pat", "Parent", "pat@example.org", at, "sam_student")
    _in(maple, lambda s, i: add_registration(s, i, new))
    listed = maple.login("carol_customer").get("/api/v1/orgs/northwind/parent-registrations")
    assert listed.status_code == 200, listed.text
    assert [(r["id"], r["email"]) for r in listed.json()["items"]] == [("r1", "pat@example.org")]
    assert (
        maple.login("priya_principal").get("/api/v1/orgs/lincoln_elem/parent-registrations").status_code
        == 403
    )
    assert ("parent_registration.view", True, "northwind") in _audit(maple)


def test_benchmarks_through_http(demo: Demo) -> None:
    maple = demo("math")
    tomas = maple.login("tomas_teacher")
    created = tomas.put("/api/v1/users/sam_student/benchmarks/1")
    assert created.status_code == 201, created.text
    assessment: dict[str, Any] = created.json()
    assert created.headers["Location"] == f"/api/v1/assessments/{assessment['id']}"
    assert tomas.put("/api/v1/users/sam_student/benchmarks/1").status_code == 200
    path = f"/api/v1/assessments/{assessment['id']}"
    assert tomas.get(path).headers["ETag"] == '"1"'
    invalid = tomas.post(f"{path}/invalidate", headers={"If-Match": '"1"'})
    assert (invalid.status_code, invalid.json()["state"], invalid.headers["ETag"]) == (
        200,
        "invalidated",
        '"2"',
    )
    stale = tomas.post(f"{path}/reassign", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert tomas.get(path).json()["state"] == "invalidated"
    assert tomas.delete("/api/v1/users/sam_student/benchmarks/1").status_code == 428
    assert (
        tomas.delete("/api/v1/users/sam_student/benchmarks/1", headers={"If-Match": '"2"'}).status_code == 204
    )
    listed = tomas.get("/api/v1/users/sam_student/assessments").json()
    assert [(a["id"], a["state"]) for a in listed] == [(assessment["id"], "unassigned")]
    assert [h["event"] for h in listed[0]["history"]] == ["assigned", "invalidated", "unassigned"]
    assert tomas.put("/api/v1/users/sofia_student/benchmarks/1").status_code == 404
    assert tomas.put("/api/v1/users/sam_student/benchmarks/9").status_code == 422


def test_assessments_of_invisible_students_are_not_found(demo: Demo) -> None:
    maple = demo("math")
    _in(
        maple,
        lambda s, i: add_assessment(s, i, "pt9", kind="pretest", number=None, student_id="sofia_student"),
    )
    tomas = maple.login("tomas_teacher")
    for response in (tomas.get("/api/v1/assessments/pt9"), tomas.post("/api/v1/assessments/pt9/reassign")):
        assert response.status_code == 404
        assert response.json()["detail"] == "there is no assessment 'pt9'"
    assert maple.login("tara_teacher").post("/api/v1/assessments/pt9/reassign").status_code == 200
    assert ("pretest.reassign", False, "pt9") in _audit(maple)


def test_benchmark_windows(demo: Demo) -> None:
    riverbend = demo("literacy")
    dana = riverbend.login("dana_district")
    window = {"window_start": "2026-09-14", "window_end": "2026-09-25"}
    made = dana.post("/api/v1/benchmark-schedules", json={"target": "org:riverbend", **window})
    assert made.status_code == 201, made.text
    listed = dana.get("/api/v1/benchmark-schedules", params={"target": "org:riverbend"}).json()
    assert [s["id"] for s in listed] == [made.json()["id"]]
    tomas = riverbend.login("tomas_teacher")
    assert (
        tomas.post("/api/v1/benchmark-schedules", json={"target": "org:hill_school", **window}).status_code
        == 403
    )
    assert (
        tomas.post("/api/v1/benchmark-schedules", json={"target": "user:sam_student", **window}).status_code
        == 422
    )
    backwards = {"window_start": "2026-09-25", "window_end": "2026-09-14"}
    bad = dana.post("/api/v1/benchmark-schedules", json={"target": "org:riverbend", **backwards})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_window")
    s = t.BenchmarkSchedule
    assert len(_in(riverbend, lambda x, i: list(x.scalars(select(s.id).where(s.tenant_id == i))))) == 1
