"""Custom roles through HTTP: create, view, edit, delete, grant, and every way of escalating refused.

June holds a custom role made by Ada that lets her create roles and read questions, nothing more. She may
create roles holding what she holds, at her org, and nothing beyond: not a permission she lacks, not a
wider scope, not by editing a role into more, not by editing or deleting a role that holds more. Granting
follows the same rule: Sal (sales administrator) grants roles made of sales permissions, not others.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import DemoTenant

pytestmark = pytest.mark.db
PROFILE = "assessment-platform"
API = "/api/v1"
PASSWORD = "june's long password"


def _role(client: TestClient, role_id: str, *grants: str | tuple[str, str], org: str = "acme") -> int:
    listed = [
        {"permission": g} if isinstance(g, str) else {"permission": g[0], "scope": g[1]} for g in grants
    ]
    body = {"id": role_id, "org": org, "name": role_id.replace("_", " "), "grants": listed}
    return client.post(f"{API}/roles", json=body).status_code


def _june(acme: DemoTenant) -> TestClient:
    """June: staff at acme holding only the custom role `role_maker` (role.create, role.view and
    question.view)."""
    ada = acme.login("ada_admin")
    assert _role(ada, "role_maker", "role.create", "role.view", "question.view") == 201
    body = {"kind": "staff", "username": "june", "role": "role_maker", "org": "acme", "password": PASSWORD}
    created = ada.post(f"{API}/users", json=body)
    assert created.status_code == 201, created.text
    return acme.login("june", PASSWORD)


def test_an_administrator_creates_views_edits_and_deletes_a_role(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    ada = acme.login("ada_admin")
    assert _role(ada, "reviewers", "question.view", ("test.view", "org")) == 201
    read = ada.get(f"{API}/roles/reviewers")
    assert read.json()["grants"] == [
        {"permission": "question.view", "scope": "org"},
        {"permission": "test.view", "scope": "org"},
    ]
    assert read.headers["ETag"] == '"1"'
    patch = {"name": "Reviewers", "grants": [{"permission": "question.edit"}]}
    assert ada.patch(f"{API}/roles/reviewers", json=patch).status_code == 428
    assert ada.patch(f"{API}/roles/reviewers", json=patch, headers={"If-Match": '"7"'}).status_code == 412
    edited = ada.patch(f"{API}/roles/reviewers", json=patch, headers={"If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["name"], edited.json()["version"]) == ("Reviewers", 2)
    assert edited.json()["grants"] == [{"permission": "question.edit", "scope": "org"}]
    listed = {r["id"] for r in ada.get(f"{API}/roles").json()["items"]}
    assert {"reviewers", "qa_lead"} <= listed
    at_acme = {r["id"]: r for r in ada.get(f"{API}/orgs/acme/roles").json()}
    assert at_acme["administrator"]["built_in"] is True
    assert at_acme["reviewers"]["org"] == "acme"
    assert ada.delete(f"{API}/roles/reviewers", headers={"If-Match": '"2"'}).status_code == 204
    assert ada.get(f"{API}/roles/reviewers").status_code == 404
    assert "reviewers" not in {r["id"] for r in ada.get(f"{API}/orgs/acme/roles").json()}


def test_a_granted_custom_role_grants_its_permissions_until_it_is_deleted(
    demo: Callable[[str], DemoTenant],
) -> None:
    acme = demo(PROFILE)
    june = _june(acme)
    assert june.get(f"{API}/questions/fractions_q1").status_code == 200
    assert (
        june.patch(
            f"{API}/questions/fractions_q1", json={"name": "x"}, headers={"If-Match": '"1"'}
        ).status_code
        == 403
    )
    ada = acme.login("ada_admin")
    assert ada.delete(f"{API}/roles/role_maker", headers={"If-Match": '"1"'}).status_code == 204
    assert june.get(f"{API}/questions/fractions_q1").status_code in (403, 404)
    regrant = ada.post(f"{API}/users/{_id(ada, 'june')}/roles", json={"role": "role_maker", "at": "acme"})
    assert regrant.status_code in (403, 404)  # a deleted role cannot be granted


def _id(client: TestClient, username: str) -> str:
    items = client.get(f"{API}/users", params={"kind": "staff", "limit": 500}).json()["items"]
    return str(next(u["id"] for u in items if u["username"] == username))


def test_nobody_creates_a_role_holding_more_than_they_hold(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    june = _june(acme)
    assert _role(june, "readers", "question.view") == 201
    refused = june.post(
        f"{API}/roles",
        json={"id": "editors", "org": "acme", "name": "Editors", "grants": [{"permission": "question.edit"}]},
    )
    assert refused.status_code == 403
    assert refused.json()["details"]["rule"] == "grant rule"
    assert _role(june, "wide_readers", ("question.view", "subtree")) == 403  # a wider scope than hers
    assert _role(june, "europe_readers", "question.view", org="acme_europe") in (403, 404)  # not her org
    assert _role(june, "sales", "sale.create") == 403
    assert _role(acme.login("sal_sales"), "sales", "sale.create") == 403  # no role.create at all
    ids = {r["id"] for r in acme.login("ada_admin").get(f"{API}/roles").json()["items"]}
    assert ids == {"qa_lead", "role_maker", "readers"}  # nothing refused was written


def test_nobody_edits_a_role_into_more_or_edits_a_role_that_holds_more(
    demo: Callable[[str], DemoTenant],
) -> None:
    acme = demo(PROFILE)
    june = _june(acme)
    assert _role(june, "readers", "question.view") == 201
    more = {"grants": [{"permission": "question.view"}, {"permission": "question.edit"}]}
    grown = june.patch(f"{API}/roles/readers", json=more, headers={"If-Match": '"1"'})
    assert grown.status_code == 403
    assert june.get(f"{API}/roles/readers").json()["grants"] == [
        {"permission": "question.view", "scope": "org"}
    ]
    renamed = june.patch(f"{API}/roles/qa_lead", json={"name": "Mine now"}, headers={"If-Match": '"1"'})
    assert renamed.status_code == 403  # qa_lead holds question.edit, which june lacks
    assert june.delete(f"{API}/roles/qa_lead", headers={"If-Match": '"1"'}).status_code == 403
    stripped = june.patch(
        f"{API}/roles/qa_lead",
        json={"grants": [{"permission": "question.view"}]},
        headers={"If-Match": '"1"'},
    )
    assert stripped.status_code == 403
    assert acme.login("ada_admin").get(f"{API}/roles/qa_lead").json()["version"] == 1


def test_granting_a_custom_role_follows_the_grant_rule(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    ada = acme.login("ada_admin")
    assert _role(ada, "order_desk", "sale.create", "sale.edit") == 201
    sal = acme.login("sal_sales")
    granted = sal.post(f"{API}/users/rita_reviewer/roles", json={"role": "order_desk", "at": "acme"})
    assert granted.status_code == 200, granted.text
    assert {"role": "order_desk", "org": "acme"} in granted.json()["roles"]
    refused = sal.post(f"{API}/users/rita_reviewer/roles", json={"role": "qa_lead", "at": "acme"})
    assert refused.status_code == 403
    assert refused.json()["details"]["rule"] == "R2"
    new_account = {"kind": "staff", "username": "qa2", "role": "qa_lead", "org": "acme", "password": "x" * 12}
    assert (
        sal.post(f"{API}/users", json=new_account).status_code == 403
    )  # user.create with the role: same rule
    roles = {(r["role"], r["org"]) for r in ada.get(f"{API}/users/rita_reviewer").json()["roles"]}
    assert roles == {("technical_reviewer", "acme"), ("order_desk", "acme")}


def test_role_input_is_checked(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    ada = acme.login("ada_admin")
    unknown = ada.post(
        f"{API}/roles", json={"org": "acme", "name": "X", "grants": [{"permission": "student.print_card"}]}
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_permission")
    assert _role(ada, "administrator", "question.view") == 409  # a built-in role's id
    assert _role(ada, "qa_lead", "question.view") == 409
    assert ada.post(f"{API}/roles", json={"org": "acme", "name": "X", "grants": []}).status_code == 422
    assert _role(ada, "ghosts", "question.view", org="nowhere") == 404
    assert acme.login("carl_creator").get(f"{API}/roles/qa_lead").status_code == 403
