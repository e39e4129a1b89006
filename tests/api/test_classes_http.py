"""Classes through HTTP: lists, ETags and If-Match, 404 vs 403, rosters, the teacher gate, audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import DemoTenant

pytestmark = pytest.mark.db


def _denials(carol: TestClient) -> list[tuple[str, str | None, str]]:
    items = carol.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    return [(i["action"], i["target"], i["details"].get("rule", "")) for i in items if not i["allowed"]]


def test_a_teacher_lists_reads_and_renames_his_class(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    listed = tomas.get("/api/v1/classes").json()
    assert [c["id"] for c in listed["items"]] == ["math_4a"]
    assert listed["next_cursor"] is None
    got = tomas.get("/api/v1/classes/math_4a")
    assert got.headers["ETag"] == '"1"'
    assert (got.json()["teachers"], got.json()["students"]) == (["tomas_teacher"], ["sam_student"])
    renamed = tomas.patch("/api/v1/classes/math_4a", json={"name": "4A"}, headers={"If-Match": '"1"'})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.headers["ETag"]) == ("4A", '"2"')
    stale = tomas.patch("/api/v1/classes/math_4a", json={"status": "inactive"}, headers={"If-Match": '"1"'})
    assert (stale.status_code, stale.json()["code"]) == (412, "stale_version")
    blind = tomas.patch("/api/v1/classes/math_4a", json={"name": "X"})
    assert (blind.status_code, blind.json()["code"]) == (428, "precondition_required")
    assert tomas.get("/api/v1/classes/math_4a").json()["name"] == "4A"


def test_invisible_is_404_visible_but_forbidden_is_403(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    hidden = tomas.get("/api/v1/classes/algebra_7")
    assert (hidden.status_code, hidden.json()["detail"]) == (404, "there is no class 'algebra_7'")
    forbidden = tomas.patch("/api/v1/classes/math_4b", json={"name": "Mine"}, headers={"If-Match": '"1"'})
    assert (forbidden.status_code, forbidden.json()["details"]["rule"]) == (403, "scope")
    carol = math.login("carol_customer")
    assert carol.get("/api/v1/classes/math_4b").json()["name"] == ""
    assert ("class.edit", "class:math_4b", "scope") in _denials(carol)
    assert ("class.manage", "class:algebra_7", "scope") in _denials(carol)


def test_create_a_class(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    created = tomas.post("/api/v1/classes", json={"school": "lincoln_elem", "name": "Math 4C", "id": "m4c"})
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/api/v1/classes/m4c"
    assert created.headers["ETag"] == '"1"'
    assert created.json()["teachers"] == ["tomas_teacher"]
    assert [c["id"] for c in tomas.get("/api/v1/classes").json()["items"]] == ["m4c", "math_4a"]
    unknown = tomas.post("/api/v1/classes", json={"school": "lincoln_elem", "teacher": "x"})
    assert (unknown.status_code, unknown.json()["errors"][0]["location"]) == (422, "body.teacher")


def test_teachers_are_assigned_by_administrators(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    priya = math.login("priya_principal")
    added = priya.post("/api/v1/classes/math_4a/teachers", json={"teacher": "tara_teacher"})
    assert added.status_code == 200, added.text
    assert (added.json()["teachers"], added.headers["ETag"]) == (["tara_teacher", "tomas_teacher"], '"2"')
    removed = priya.delete("/api/v1/classes/math_4a/teachers/tomas_teacher")
    assert removed.json()["teachers"] == ["tara_teacher"]
    tara = math.login("tara_teacher")
    denied = tara.post("/api/v1/classes/math_4a/teachers", json={"teacher": "tara_teacher"})
    assert (denied.status_code, denied.json()["details"]["rule"]) == (403, "no grant")


def test_add_existing_and_new_students(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    existing = tomas.post("/api/v1/classes/math_4a/students", json={"student": "sofia_student"})
    assert existing.status_code == 200, existing.text
    assert existing.json()["created"] is False
    assert existing.json()["roster"]["students"] == ["sam_student", "sofia_student"]
    new = {"username": "newkid", "given_name": "New", "id": "new_kid", "password": "abcd"}
    created = tomas.post("/api/v1/classes/math_4a/students", json={"new": new})
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == "/api/v1/users/new_kid"
    assert (created.json()["student"], created.json()["created"]) == ("new_kid", True)
    assert tomas.get("/api/v1/users/new_kid").json()["enrolled_in"] == ["math_4a"]
    for body in ({}, {"student": "sam_student", "new": new}):
        response = tomas.post("/api/v1/classes/math_4a/students", json=body)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_the_teacher_gate_follows_the_school_setting(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    carol = math.login("carol_customer")
    closed = carol.put(
        "/api/v1/orgs/lincoln_elem/settings/teacher_student_creation",
        json={"value": False},
        headers={"If-Match": '"1"'},
    )
    assert closed.status_code == 200, closed.text
    tomas = math.login("tomas_teacher")
    denied = tomas.post("/api/v1/classes/math_4a/students", json={"new": {"username": "kid"}})
    assert denied.status_code == 403
    assert denied.json()["details"]["rule"] == "gate teacher_student_creation"
    assert tomas.get("/api/v1/classes/math_4a").json()["students"] == ["sam_student"]
    assert ("class.add_new_student", "class:math_4a", "gate teacher_student_creation") in _denials(carol)


def test_delete_the_inactive_students_of_a_class(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    response = dana.post("/api/v1/classes/algebra_7/delete-inactive-students")
    assert response.status_code == 200, response.text
    assert response.json() == {"deleted": ["omar_student"]}
    assert dana.get("/api/v1/classes/algebra_7").json()["students"] == []
    assert dana.post("/api/v1/classes/algebra_7/delete-inactive-students").json() == {"deleted": []}


def test_delete_a_class_and_remove_a_student(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("literacy").login("tomas_teacher")
    removed = tomas.delete("/api/v1/classes/bluebirds/students/sam_student")
    assert (removed.status_code, removed.json()["students"]) == (200, [])
    blind = tomas.delete("/api/v1/classes/bluebirds")
    assert blind.status_code == 428
    stale = tomas.delete("/api/v1/classes/bluebirds", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    deleted = tomas.delete("/api/v1/classes/bluebirds", headers={"If-Match": '"2"'})
    assert deleted.status_code == 204
    assert tomas.get("/api/v1/classes/bluebirds").status_code == 404


def test_a_profile_without_class_delete_forbids_it(demo: Callable[[str], DemoTenant]) -> None:
    priya = demo("math").login("priya_principal")
    denied = priya.delete("/api/v1/classes/math_4a", headers={"If-Match": '"1"'})
    assert (denied.status_code, denied.json()["details"]["rule"]) == (403, "unknown permission")
    assert priya.get("/api/v1/classes/math_4a").json()["deleted"] is False
