"""SCIM Groups through HTTP: classes with their teachers and students as members, each change the class
use case of the tenant's product, authorized and audited; a refused change leaves the whole request
undone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.api.conftest import DemoTenant
from tests.api.scim_helpers import ERROR, GROUP, GROUP_EXT, audit, in_tenant, links, patch, scim_client

from homeroom.store import tables as t

pytestmark = pytest.mark.db
Demo = Callable[[str], DemoTenant]


def new_group(name: str, *members: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": [GROUP], "displayName": name, "members": [{"value": m} for m in members], **extra}


def class_count(tenant: DemoTenant) -> int:
    c = t.SchoolClass
    return in_tenant(tenant, lambda s, i: s.scalar(select(func.count()).where(c.tenant_id == i)) or 0)


def test_a_group_with_members_is_a_class_with_teachers_and_students(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    created = priya.post(
        "/Groups", json=new_group("Math 4C", "tomas_teacher", "sam_student", externalId="sis-c1")
    )
    assert created.status_code == 201, created.text
    body = created.json()
    class_id = body["id"]
    assert (body["displayName"], body["externalId"], body[GROUP_EXT]) == (
        "Math 4C",
        "sis-c1",
        {"school": "lincoln_elem"},
    )
    assert [m["value"] for m in body["members"]] == ["tomas_teacher", "sam_student"]
    assert body["members"][0] == {
        "value": "tomas_teacher",
        "$ref": "http://testserver/scim/v2/Users/tomas_teacher",
        "type": "User",
    }
    assert class_id in links(math, "tomas_teacher")["teaches"]
    assert class_id in links(math, "sam_student")["enrolled_in"]
    trail = audit(math)
    assert ("class.create", True, class_id, "priya_principal") in trail
    assert ("class.assign_teacher", True, "tomas_teacher", "priya_principal") in trail
    assert ("class.add_existing_student", True, "sam_student", "priya_principal") in trail
    user = priya.get("/Users/sam_student").json()
    assert {
        "value": class_id,
        "$ref": f"http://testserver/scim/v2/Groups/{class_id}",
        "display": "Math 4C",
        "type": "direct",
    } in user["groups"]


def test_patch_adds_and_removes_members_and_renames(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    added = priya.patch(
        "/Groups/math_4a", json=patch({"op": "add", "path": "members", "value": [{"value": "tara_teacher"}]})
    )
    assert added.status_code == 200, added.text
    assert [m["value"] for m in added.json()["members"]] == ["tara_teacher", "tomas_teacher", "sam_student"]
    removed = priya.patch(
        "/Groups/math_4a", json=patch({"op": "remove", "path": 'members[value eq "tomas_teacher"]'})
    )
    assert removed.status_code == 200, removed.text
    assert "math_4a" not in links(math, "tomas_teacher")["teaches"]
    entra = priya.patch(  # Microsoft Entra names the member to remove in `value`
        "/Groups/math_4a",
        json=patch({"op": "remove", "path": "members", "value": [{"value": "tara_teacher"}]}),
    )
    assert [m["value"] for m in entra.json()["members"]] == ["sam_student"]
    renamed = priya.patch(
        "/Groups/math_4a", json=patch({"op": "replace", "path": "displayName", "value": "4A"})
    )
    assert renamed.json()["displayName"] == "4A"
    assert renamed.headers["ETag"] == 'W/"5"'
    assert ("class.edit", True, "math_4a", "priya_principal") in audit(math)


def test_a_change_the_product_does_not_allow_undoes_the_whole_request(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    both = patch(
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "remove", "path": 'members[value eq "sam_student"]'},  # math has no class.remove_student
    )
    refused = priya.patch("/Groups/math_4a", json=both)
    assert refused.status_code == 403
    assert refused.json()["schemas"] == [ERROR]
    after = priya.get("/Groups/math_4a").json()
    assert (after["displayName"], after["meta"]["version"]) == ("", 'W/"1"')
    assert "math_4a" in links(math, "sam_student")["enrolled_in"]


def test_literacy_removes_students_and_deletes_groups(demo: Demo) -> None:
    literacy = demo("literacy")
    admin = scim_client(literacy, "priya_principal")
    removed = admin.patch("/Groups/robins", json=patch({"op": "replace", "path": "members", "value": []}))
    assert removed.status_code == 200, removed.text
    assert "members" not in removed.json()
    assert links(literacy, "sofia_student")["enrolled_in"] == set()
    assert admin.delete("/Groups/robins").status_code == 204
    assert admin.get("/Groups/robins").status_code == 404
    assert ("class.delete", True, "robins", "priya_principal") in audit(literacy)


def test_deleting_a_group_is_refused_where_the_product_keeps_classes(demo: Demo) -> None:
    math = demo("math")
    refused = scim_client(math, "priya_principal").delete("/Groups/math_4a")
    assert refused.status_code == 403
    assert ("class.delete", False, "math_4a", "priya_principal") in audit(math)
    assert class_count(math) == 3


def test_bad_members_are_invalid_values_and_create_nothing(demo: Demo) -> None:
    math = demo("math")
    before = class_count(math)
    priya = scim_client(math, "priya_principal")
    for member in ("no_such_user", "rosa_teacher"):  # missing; and at another school, which she cannot see
        refused = priya.post("/Groups", json=new_group("X", member))
        assert (refused.status_code, refused.json()["scimType"]) == (400, "invalidValue"), refused.text
    dana = scim_client(math, "dana_district")
    elsewhere = dana.post(
        "/Groups", json=new_group("X", "rosa_teacher", **{GROUP_EXT: {"school": "lincoln_elem"}})
    )
    assert elsewhere.status_code == 403  # the policy: she holds no role over lincoln_elem
    assert "rosa_teacher holds no role over" in elsewhere.json()["detail"]
    assert class_count(math) == before


def test_a_class_needs_a_school(demo: Demo) -> None:
    math = demo("math")
    dana = scim_client(math, "dana_district")  # works at a district: no default school
    missing = dana.post("/Groups", json=new_group("X"))
    assert (missing.status_code, missing.json()["scimType"]) == (400, "invalidValue")
    placed = dana.post("/Groups", json=new_group("Algebra 8", **{GROUP_EXT: {"school": "roosevelt_ms"}}))
    assert placed.status_code == 201, placed.text
    moved = dana.patch(
        f"/Groups/{placed.json()['id']}",
        json=patch({"op": "replace", "path": f"{GROUP_EXT}:school", "value": "lincoln_elem"}),
    )
    assert (moved.status_code, moved.json()["scimType"]) == (400, "mutability")
    hidden = scim_client(math, "priya_principal").post(
        "/Groups", json=new_group("X", **{GROUP_EXT: {"school": "roosevelt_ms"}})
    )
    assert hidden.status_code == 404


def test_groups_list_what_the_caller_may_see_and_filter(demo: Demo) -> None:
    math = demo("math")
    tomas = scim_client(math, "tomas_teacher")
    assert [g["id"] for g in tomas.get("/Groups").json()["Resources"]] == ["math_4a"]
    dana = scim_client(math, "dana_district")
    assert dana.get("/Groups").json()["totalResults"] == 3
    member = dana.get("/Groups", params={"filter": 'members[value eq "sofia_student"]'}).json()
    assert [g["id"] for g in member["Resources"]] == ["math_4b"]
    at = dana.get("/Groups", params={"filter": f'{GROUP_EXT}:school eq "roosevelt_ms"'}).json()
    assert [g["id"] for g in at["Resources"]] == ["algebra_7"]
    assert tomas.get("/Groups/math_4b").status_code == 403  # he knows of it, but may not manage it
    assert tomas.get("/Groups/algebra_7").status_code == 404


def test_district_license_creates_classes_but_not_memberships(demo: Demo) -> None:
    cedar = demo("district-license")
    priya = scim_client(cedar, "priya_principal")
    before = class_count(cedar)
    refused = priya.post("/Groups", json=new_group("Club", "emma_educator"))
    assert refused.status_code == 403  # no class.assign_teacher in this product: the class is not kept
    assert class_count(cedar) == before
    created = priya.post("/Groups", json=new_group("Club"))
    assert created.status_code == 201, created.text
    assert class_count(cedar) == before + 1
    assert [g["id"] for g in priya.get("/Groups").json()["Resources"]] == sorted(
        [created.json()["id"], "reading_club"]
    )


def test_no_groups_where_the_product_has_no_classes(demo: Demo) -> None:
    platform = scim_client(demo("assessment-platform"), "ada_admin")
    types = platform.get("/ResourceTypes").json()
    assert [r["id"] for r in types["Resources"]] == ["User"]
    missing = platform.get("/Groups")
    assert missing.status_code == 404
    assert missing.json()["schemas"] == [ERROR]
