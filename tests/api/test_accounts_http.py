"""Accounts through HTTP: ETags and If-Match, 404 vs 403, unknown fields, problem details, audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.api.conftest import DemoTenant

pytestmark = pytest.mark.db


def test_a_teacher_reads_and_edits_his_student(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    got = tomas.get("/api/v1/users/sam_student")
    assert got.status_code == 200
    assert got.headers["ETag"] == '"1"'
    edited = tomas.patch(
        "/api/v1/users/sam_student", json={"given_name": "Samuel"}, headers={"If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["given_name"] == "Samuel"
    assert edited.headers["ETag"] == '"2"'
    stale = tomas.patch("/api/v1/users/sam_student", json={"given_name": "Sam"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["code"] == "stale_version"
    assert tomas.get("/api/v1/users/sam_student").json()["given_name"] == "Samuel"


def test_updates_need_if_match(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    response = tomas.patch("/api/v1/users/sam_student", json={"given_name": "X"})
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"


def test_invisible_is_404_visible_but_forbidden_is_403(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    hidden = tomas.get("/api/v1/users/sofia_student")
    missing = tomas.get("/api/v1/users/no_such_user")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == "there is no user 'sofia_student'"
    priya = math.login("priya_principal")
    forbidden = priya.patch(
        "/api/v1/users/paul_principal", json={"status": "inactive"}, headers={"If-Match": '"1"'}
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["details"]["rule"] == "R1"


def test_unknown_fields_are_rejected(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    response = tomas.patch(
        "/api/v1/users/sam_student", json={"given_name": "X", "kind": "staff"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.kind"


def test_students_cannot_reach_the_manager(demo: Callable[[str], DemoTenant]) -> None:
    sam = demo("math").login("sam_student")
    response = sam.get("/api/v1/users/sam_student")
    assert response.status_code == 403
    assert response.json()["code"] == "no_manager_access"
    assert sam.get("/api/v1/auth/me").json()["id"] == "sam_student"


def test_csrf_is_required_for_cookie_writes(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    del tomas.headers["X-CSRF-Token"]
    response = tomas.patch("/api/v1/users/sam_student", json={"given_name": "X"}, headers={"If-Match": '"1"'})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_list_is_the_twin_and_paginates(demo: Callable[[str], DemoTenant]) -> None:
    priya = demo("math").login("priya_principal")
    first = priya.get("/api/v1/users", params={"kind": "student", "limit": 1}).json()
    assert len(first["items"]) == 1
    second = priya.get(
        "/api/v1/users", params={"kind": "student", "limit": 1, "cursor": first["next_cursor"]}
    )
    ids = [first["items"][0]["id"], *(i["id"] for i in second.json()["items"])]
    assert ids == ["sam_student", "sofia_student"]
    assert second.json()["next_cursor"] is None
