"""Orgs and settings through HTTP: visibility, school groups, If-Match, inheritance, locks, setters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import DemoTenant

pytestmark = pytest.mark.db

CREATION = "teacher_student_creation"
GROUP = {"kind": "school_group", "parent": "maple_valley", "name": "Elementary", "schools": ["lincoln_elem"]}


def _setting(client: TestClient, org: str, key: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/orgs/{org}/settings")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = next(i for i in response.json()["items"] if i["key"] == key)
    return found


def _put(client: TestClient, org: str, body: dict[str, object]) -> Any:
    url = f"/api/v1/orgs/{org}/settings/{CREATION}"
    return client.put(url, json=body, headers={"If-Match": client.get(url).headers["ETag"]})


def test_a_teacher_sees_his_school_and_the_orgs_above(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    first = tomas.get("/api/v1/orgs", params={"limit": 2}).json()
    rest = tomas.get("/api/v1/orgs", params={"cursor": first["next_cursor"]}).json()
    assert [o["id"] for o in (*first["items"], *rest["items"])] == [
        "lincoln_elem",
        "maple_valley",
        "northwind",
    ]
    assert rest["next_cursor"] is None
    school = tomas.get("/api/v1/orgs/lincoln_elem")
    assert (school.json()["kind"], school.json()["parent"], school.headers["ETag"]) == (
        "school",
        "maple_valley",
        '"1"',
    )
    assert tomas.get("/api/v1/orgs/roosevelt_ms").status_code == 404


def test_school_groups_are_created_edited_and_deleted(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    created = dana.post("/api/v1/orgs", json={**GROUP, "id": "elem"})
    assert created.status_code == 201, created.text
    assert (created.headers["Location"], created.headers["ETag"]) == ("/api/v1/orgs/elem", '"1"')
    assert created.json()["schools"] == ["lincoln_elem"]
    edited = dana.patch(
        "/api/v1/orgs/elem", json={"schools": ["lincoln_elem", "roosevelt_ms"]}, headers={"If-Match": '"1"'}
    )
    assert (edited.json()["schools"], edited.headers["ETag"]) == (["lincoln_elem", "roosevelt_ms"], '"2"')
    assert dana.delete("/api/v1/orgs/elem").status_code == 428
    assert dana.delete("/api/v1/orgs/elem", headers={"If-Match": '"1"'}).status_code == 412
    assert dana.delete("/api/v1/orgs/elem", headers={"If-Match": '"2"'}).status_code == 204
    assert dana.get("/api/v1/orgs/elem").status_code == 404


def test_only_organizations_and_school_groups_are_created(demo: Callable[[str], DemoTenant]) -> None:
    carol = demo("math").login("carol_customer")
    district = carol.post("/api/v1/orgs", json={"kind": "district", "parent": "northwind"})
    assert (district.status_code, district.json()["code"]) == (422, "org_kind_not_creatable")
    planet = carol.post("/api/v1/orgs", json={"kind": "planet", "parent": "northwind"})
    assert (planet.status_code, planet.json()["code"]) == (422, "invalid_input")
    priya = demo("math").login("priya_principal")
    denied = priya.post("/api/v1/orgs", json=GROUP)
    assert (denied.status_code, denied.json()["details"]["rule"]) == (403, "no grant")


def test_school_information_needs_its_permissions(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    priya = math.login("priya_principal")
    denied = priya.patch("/api/v1/orgs/lincoln_elem", json={"name": "Mine"}, headers={"If-Match": '"1"'})
    assert (denied.status_code, denied.json()["details"]["rule"]) == (403, "no grant")
    dana = math.login("dana_district")
    renamed = dana.patch("/api/v1/orgs/lincoln_elem", json={"name": "Lincoln"}, headers={"If-Match": '"1"'})
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Lincoln")
    blind = dana.patch("/api/v1/orgs/lincoln_elem", json={"name": "L"})
    assert blind.status_code == 428
    stale = dana.patch("/api/v1/orgs/lincoln_elem", json={"name": "L"}, headers={"If-Match": '"1"'})
    assert (stale.status_code, stale.json()["code"]) == (412, "stale_version")
    assert dana.get("/api/v1/orgs/lincoln_elem").json()["name"] == "Lincoln"


def test_settings_inherit_override_and_lock(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    carol, tomas = math.login("carol_customer"), math.login("tomas_teacher")
    default = _setting(tomas, "lincoln_elem", CREATION)
    assert (default["value"], default["source"], default["set_by"]) == (
        True,
        None,
        "org.set_teacher_student_creation",
    )
    assert _put(carol, "maple_valley", {"value": False}).status_code == 200
    assert (_setting(tomas, "lincoln_elem", CREATION)["source"]) == "maple_valley"
    override = _put(carol, "lincoln_elem", {"value": True})
    assert (override.json()["value"], override.json()["source"], override.headers["ETag"]) == (
        True,
        "lincoln_elem",
        '"2"',
    )
    assert _put(carol, "maple_valley", {"value": False, "locked": True}).status_code == 200
    locked = _setting(tomas, "lincoln_elem", CREATION)
    assert (locked["value"], locked["source"], locked["locked_at"]) == (False, "maple_valley", "maple_valley")
    refused = _put(carol, "lincoln_elem", {"value": True})
    assert (refused.status_code, refused.json()["code"]) == (409, "setting_locked")
    assert refused.json()["details"]["locked_at"] == "maple_valley"


def test_setting_writes_need_the_setter(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    dana = math.login("dana_district")
    denied = dana.put(f"/api/v1/orgs/lincoln_elem/settings/{CREATION}", json={"value": False})
    assert (denied.status_code, denied.json()["details"]["rule"]) == (403, "no grant")
    carol = math.login("carol_customer")
    url = f"/api/v1/orgs/lincoln_elem/settings/{CREATION}"
    assert carol.put(url, json={"value": "no"}).json()["code"] == "invalid_setting"
    assert _setting(carol, "lincoln_elem", CREATION)["value"] is True
    audit = carol.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    assert any(
        (i["action"], i["target"], i["allowed"])
        == ("org.set_teacher_student_creation", "org:lincoln_elem", False)
        for i in audit
    )


def test_a_put_may_name_its_version_a_delete_must(demo: Callable[[str], DemoTenant]) -> None:
    carol = demo("math").login("carol_customer")
    url = f"/api/v1/orgs/lincoln_elem/settings/{CREATION}"
    blind = carol.put(url, json={"value": False})
    assert (blind.status_code, blind.headers["ETag"]) == (200, '"2"')
    stale = carol.put(url, json={"value": True}, headers={"If-Match": '"1"'})
    assert (stale.status_code, stale.json()["code"]) == (412, "stale_version")
    assert carol.delete(url).status_code == 428
    assert carol.delete(url, headers={"If-Match": '"1"'}).status_code == 412
    assert carol.delete(url, headers={"If-Match": '"2"'}).json()["source"] is None
    assert carol.delete(url, headers={"If-Match": '"3"'}).json()["code"] == "setting_not_set"


def test_a_school_override_is_removed(demo: Callable[[str], DemoTenant]) -> None:
    carol = demo("math").login("carol_customer")
    url = f"/api/v1/orgs/roosevelt_ms/settings/{CREATION}"
    removed = carol.delete(url, headers={"If-Match": '"1"'})
    assert removed.status_code == 200, removed.text
    assert (removed.json()["value"], removed.json()["source"], removed.headers["ETag"]) == (True, None, '"2"')


def test_license_configuration_is_not_settable_through_the_api(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("district-license").login("dana_district")
    url = "/api/v1/orgs/cedar_falls/settings/manual_account_creation"
    denied = dana.put(url, json={"value": False}, headers={"If-Match": '"1"'})
    assert (denied.status_code, denied.json()["code"]) == (403, "setting_not_settable")
    assert "command line" in denied.json()["detail"]
    assert _setting(dana, "cedar_falls", "manual_account_creation")["value"] is True


def test_one_setting_carries_the_org_s_etag(demo: Callable[[str], DemoTenant]) -> None:
    carol = demo("math").login("carol_customer")
    one = carol.get(f"/api/v1/orgs/roosevelt_ms/settings/{CREATION}")
    assert (one.json()["value"], one.json()["source"], one.headers["ETag"]) == (False, "roosevelt_ms", '"1"')
    assert carol.patch(
        "/api/v1/orgs/roosevelt_ms", json={"name": "R"}, headers={"If-Match": '"1"'}
    ).is_success
    assert carol.get(f"/api/v1/orgs/roosevelt_ms/settings/{CREATION}").headers["ETag"] == '"2"'
    unknown = carol.get("/api/v1/orgs/roosevelt_ms/settings/colour")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "setting_not_found")
    tomas = demo("math").login("tomas_teacher")
    assert tomas.get(f"/api/v1/orgs/roosevelt_ms/settings/{CREATION}").status_code == 404
