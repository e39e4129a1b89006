"""SCIM Users through HTTP, as the demo personas: create, read, replace, patch, deactivate, delete; the
placement defaults; ETags; SCIM errors that change nothing; authorization and audit of every write."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.api.conftest import DemoTenant
from tests.api.scim_helpers import (
    ERROR,
    SCIM_JSON,
    USER,
    USER_EXT,
    audit,
    links,
    new_user,
    patch,
    scim_client,
    token_of,
    user_row,
)

pytestmark = pytest.mark.db
Demo = Callable[[str], DemoTenant]


def test_a_plain_identity_provider_user_becomes_a_teacher_at_the_principals_school(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    created = priya.post("/Users", json=new_user("ada"))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == SCIM_JSON
    body = created.json()
    user_id = body["id"]
    assert created.headers["Location"] == f"http://testserver/scim/v2/Users/{user_id}"
    assert created.headers["ETag"] == body["meta"]["version"] == 'W/"1"'
    assert (body["userName"], body["userType"], body["active"]) == ("ada", "staff", True)
    assert body["emails"] == [{"value": "ada@example.org"}]
    assert body[USER_EXT] == {"org": "lincoln_elem", "role": "teacher"}
    assert links(math, user_id)["roles"] == {"teacher@lincoln_elem"}
    stored = user_row(math, user_id)
    assert stored is not None
    assert (stored["given_name"], stored["family_name"], stored["email"]) == (
        "Ada",
        "Lovelace",
        "ada@example.org",
    )
    assert ("staff.create", True, user_id, "priya_principal") in audit(math)


def test_a_student_is_created_at_a_school_with_an_external_id(demo: Demo) -> None:
    math = demo("math")
    dana = scim_client(math, "dana_district")
    payload = new_user("kid1", userType="Student", externalId="sis-42", **{USER_EXT: {"org": "roosevelt_ms"}})
    payload["schemas"].append(USER_EXT)
    created = dana.post("/Users", json=payload)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["userType"], body["externalId"], body[USER_EXT]["org"]) == (
        "student",
        "sis-42",
        "roosevelt_ms",
    )
    assert links(math, body["id"])["orgs"] == {"roosevelt_ms"}
    stored = user_row(math, body["id"])
    assert stored is not None
    assert (stored["kind"], stored["source_id"]) == ("student", "sis-42")
    found = dana.get("/Users", params={"filter": 'externalId eq "sis-42"'}).json()
    assert [r["id"] for r in found["Resources"]] == [body["id"]]


def test_roles_are_returned_when_asked_for(demo: Demo) -> None:
    priya = scim_client(demo("math"), "priya_principal")
    plain = priya.get("/Users/tomas_teacher").json()
    assert "roles" not in plain[USER_EXT]
    assert plain["groups"][0]["value"] == "math_4a"
    asked = priya.get("/Users/tomas_teacher", params={"attributes": f"{USER_EXT}:roles,userName"}).json()
    assert asked[USER_EXT] == {"roles": [{"value": "teacher", "org": "lincoln_elem"}]}
    assert asked["userName"] == "tomas_teacher"
    assert "name" not in asked


def test_patch_active_false_deactivates_and_ends_the_accounts_tokens(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    tomas_token = token_of(math, "tomas_teacher")
    assert scim_client(math, token=tomas_token).get("/Users/tomas_teacher").status_code == 200
    deactivated = priya.patch(
        "/Users/tomas_teacher", json=patch({"op": "replace", "path": "active", "value": False})
    )
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    assert deactivated.headers["ETag"] == 'W/"2"'
    stored = user_row(math, "tomas_teacher")
    assert stored is not None
    assert stored["status"] == "inactive"
    refused = scim_client(math, token=tomas_token).get("/Users/tomas_teacher")
    assert refused.status_code == 401
    assert refused.json()["schemas"] == [ERROR]
    assert ("staff.set_active", True, "tomas_teacher", "priya_principal") in audit(math)


def test_entra_style_patch_without_path(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    changed = priya.patch(
        "/Users/sam_student",
        json=patch({"op": "replace", "value": {"active": False, "name.givenName": "Samuel"}}),
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["active"], changed.json()["name"]["givenName"]) == (False, "Samuel")
    stored = user_row(math, "sam_student")
    assert stored is not None
    assert (stored["status"], stored["given_name"]) == ("inactive", "Samuel")


def test_put_replaces_and_keeps_what_homeroom_requires(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    replaced = priya.put(
        "/Users/sofia_student",
        json={"schemas": [USER], "userName": "sofia.s", "name": {"familyName": "Student"}, "active": True},
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert (body["userName"], body["userType"], body[USER_EXT]["org"]) == (
        "sofia.s",
        "student",
        "lincoln_elem",
    )
    assert body["name"] == {"familyName": "Student"}
    stored = user_row(math, "sofia_student")
    assert stored is not None
    assert (stored["username"], stored["given_name"], stored["email"]) == ("sofia.s", "", None)


def test_a_new_org_moves_a_student(demo: Demo) -> None:
    math = demo("math")
    dana = scim_client(math, "dana_district")
    moved = dana.patch(
        "/Users/sam_student",
        json=patch({"op": "replace", "path": f"{USER_EXT}:org", "value": "roosevelt_ms"}),
    )
    assert moved.status_code == 200, moved.text
    assert links(math, "sam_student") == {
        "roles": set(),
        "orgs": {"roosevelt_ms"},
        "teaches": set(),
        "enrolled_in": set(),
    }
    assert ("student.move", True, "sam_student", "dana_district") in audit(math)


def test_delete_soft_deletes_where_the_product_deletes(demo: Demo) -> None:
    literacy = demo("literacy")
    admin = scim_client(literacy, "priya_principal")
    created = admin.post("/Users", json=new_user("gone")).json()
    deleted = admin.delete(f"/Users/{created['id']}")
    assert deleted.status_code == 204
    assert admin.get(f"/Users/{created['id']}").status_code == 404
    stored = user_row(literacy, created["id"])
    assert stored is not None
    assert stored["deleted"] == "soft"
    assert ("staff.delete", True, created["id"], "priya_principal") in audit(literacy)


def test_delete_is_refused_where_the_product_only_deactivates(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    refused = priya.delete("/Users/tomas_teacher")
    assert refused.status_code == 403
    assert refused.json()["schemas"] == [ERROR]
    assert "staff.delete" in refused.json()["detail"]
    stored = user_row(math, "tomas_teacher")
    assert stored is not None
    assert stored["deleted"] == "none"
    assert ("staff.delete", False, "tomas_teacher", "priya_principal") in audit(math)


def test_etags_guard_every_write(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    read = priya.get("/Users/sam_student")
    assert read.headers["ETag"] == 'W/"1"'
    unchanged = priya.get("/Users/sam_student", headers={"If-None-Match": 'W/"1"'})
    assert unchanged.status_code == 304
    rename = patch({"op": "replace", "path": "name.givenName", "value": "Samuel"})
    assert priya.patch("/Users/sam_student", json=rename, headers={"If-Match": 'W/"1"'}).status_code == 200
    stale = priya.patch(
        "/Users/sam_student",
        json=patch({"op": "replace", "path": "name.givenName", "value": "Sammy"}),
        headers={"If-Match": 'W/"1"'},
    )
    assert stale.status_code == 412
    assert stale.json()["schemas"] == [ERROR]
    assert (
        priya.put("/Users/sam_student", json=new_user("sam"), headers={"If-Match": '"1"'}).status_code == 412
    )
    assert priya.delete("/Users/sam_student", headers={"If-Match": 'W/"1"'}).status_code == 412
    stored = user_row(math, "sam_student")
    assert stored is not None
    assert (stored["given_name"], stored["username"]) == ("Samuel", "sam_student")


@pytest.mark.parametrize(
    ("payload", "status", "scim_type"),
    [
        (new_user("priya_principal"), 409, "uniqueness"),
        (new_user("bad name"), 400, "invalidValue"),
        (new_user("ok", emails=[{"value": "not-an-address"}]), 400, "invalidValue"),
        ({"schemas": [USER], "name": {"givenName": "No username"}}, 400, "invalidValue"),
        (
            new_user("kid", userType="student", **{USER_EXT: {"org": "lincoln_elem", "role": "teacher"}}),
            400,
            "invalidValue",
        ),
    ],
    ids=["taken-username", "bad-username", "bad-email", "no-username", "student-with-role"],
)
def test_bad_input_is_a_scim_error_and_writes_nothing(
    demo: Demo, payload: dict[str, object], status: int, scim_type: str
) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    before = priya.get("/Users", params={"count": 0}).json()["totalResults"]
    refused = priya.post("/Users", json=payload)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"] == SCIM_JSON
    assert refused.json()["schemas"] == [ERROR]
    assert (refused.json()["status"], refused.json()["scimType"]) == (str(status), scim_type)
    assert priya.get("/Users", params={"count": 0}).json()["totalResults"] == before


def test_a_taken_external_id_is_a_uniqueness_error(demo: Demo) -> None:
    priya = scim_client(demo("math"), "priya_principal")
    assert priya.post("/Users", json=new_user("one", externalId="x-1")).status_code == 201
    clash = priya.post("/Users", json=new_user("two", externalId="x-1"))
    assert (clash.status_code, clash.json()["scimType"]) == (409, "uniqueness")
    renamed = priya.patch(
        "/Users/tomas_teacher", json=patch({"op": "replace", "path": "userName", "value": "one"})
    )
    assert (renamed.status_code, renamed.json()["scimType"]) == (409, "uniqueness")


def test_immutable_attributes_cannot_change(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    kind = priya.put("/Users/tomas_teacher", json=new_user("tomas_teacher", userType="student"))
    assert (kind.status_code, kind.json()["scimType"]) == (400, "mutability")
    role = priya.patch(
        "/Users/tomas_teacher",
        json=patch({"op": "replace", "path": f"{USER_EXT}:role", "value": "school_admin"}),
    )
    assert (role.status_code, role.json()["scimType"]) == (400, "mutability")
    assert links(math, "tomas_teacher")["roles"] == {"teacher@lincoln_elem"}
    stored = user_row(math, "tomas_teacher")
    assert stored is not None
    assert (stored["kind"], stored["username"]) == ("staff", "tomas_teacher")


def test_malformed_requests(demo: Demo) -> None:
    priya = scim_client(demo("math"), "priya_principal")
    syntax = priya.post("/Users", content=b"{not json", headers={"Content-Type": SCIM_JSON})
    assert (syntax.status_code, syntax.json()["scimType"]) == (400, "invalidSyntax")
    path = priya.patch(
        "/Users/sam_student", json=patch({"op": "replace", "path": 'emails[value eq "x"', "value": 1})
    )
    assert (path.status_code, path.json()["scimType"]) == (400, "invalidPath")
    target = priya.patch(
        "/Users/sam_student",
        json=patch({"op": "replace", "path": 'emails[value eq "no@x.org"].value', "value": "a@b.c"}),
    )
    assert (target.status_code, target.json()["scimType"]) == (400, "noTarget")
    required = priya.patch("/Users/sam_student", json=patch({"op": "remove", "path": "userName"}))
    assert required.status_code == 400
    assert required.json()["schemas"] == [ERROR]
    ignored = priya.patch(
        "/Users/sam_student", json=patch({"op": "replace", "path": "nickName", "value": "x"})
    )
    assert (ignored.status_code, ignored.headers["ETag"]) == (200, 'W/"1"')  # not kept: nothing changes
    media = priya.post("/Users", content=b"<user/>", headers={"Content-Type": "application/xml"})
    assert media.status_code == 415


def test_a_school_admin_cannot_provision_outside_its_school(demo: Demo) -> None:
    math = demo("math")
    priya = scim_client(math, "priya_principal")
    elsewhere = new_user("far", **{USER_EXT: {"org": "roosevelt_ms"}})
    refused = priya.post("/Users", json=elsewhere)
    assert refused.status_code == 404  # she may not know roosevelt_ms exists
    assert priya.get("/Users/rosa_teacher").status_code == 404
    hidden = priya.patch(
        "/Users/rosa_teacher", json=patch({"op": "replace", "path": "active", "value": False})
    )
    assert hidden.status_code == 404
    stored = user_row(math, "rosa_teacher")
    assert stored is not None
    assert stored["status"] == "active"
    assert priya.get("/Users", params={"filter": 'userName eq "far"'}).json()["totalResults"] == 0
    peer = priya.patch(
        "/Users/paul_principal", json=patch({"op": "replace", "path": "active", "value": False})
    )
    assert peer.status_code == 403  # a peer principal: visible, but R1 forbids


def test_a_teacher_token_may_not_create_staff(demo: Demo) -> None:
    math = demo("math")
    tomas = scim_client(math, "tomas_teacher")
    refused = tomas.post("/Users", json=new_user("helper"))
    assert refused.status_code == 403
    assert refused.json()["schemas"] == [ERROR]
    assert tomas.get("/Users", params={"filter": 'userName eq "helper"'}).json()["totalResults"] == 0
    assert [a for a in audit(math) if a[0] == "staff.create"] == [
        ("staff.create", False, "lincoln_elem", "tomas_teacher")
    ]


def test_students_have_no_scim_access(demo: Demo) -> None:
    sam = scim_client(demo("math"), "sam_student")
    refused = sam.get("/Users")
    assert refused.status_code == 403
    assert refused.json()["schemas"] == [ERROR]


def test_another_tenants_objects_are_not_found(demo: Demo) -> None:
    first, second = demo("math"), demo("math")
    created = scim_client(second, "priya_principal").post("/Users", json=new_user("only.there")).json()
    priya = scim_client(first, "priya_principal")
    assert priya.get(f"/Users/{created['id']}").status_code == 404
    gone = priya.delete(f"/Users/{created['id']}")
    assert gone.status_code == 404
    listed = priya.get("/Users", params={"filter": 'userName eq "only.there"'}).json()
    assert listed["totalResults"] == 0
    assert user_row(second, created["id"]) is not None
