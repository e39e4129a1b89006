"""The assessment platform's user, role and organization permissions through HTTP (Acme personas)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.api.conftest import DemoTenant

pytestmark = pytest.mark.db
PROFILE = "assessment-platform"


def test_an_administrator_creates_views_and_edits_users(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    ada = acme.login("ada_admin")
    body = {
        "kind": "staff",
        "username": "eve",
        "role": "editor",
        "org": "acme",
        "password": "a long password",
    }
    created = ada.post("/api/v1/users", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["account"]["roles"] == [{"role": "editor", "org": "acme"}]
    user = created.json()["account"]["id"]
    edited = ada.patch(f"/api/v1/users/{user}", json={"given_name": "Eve"}, headers={"If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    moved = ada.post(
        f"/api/v1/users/{user}/move", json={"to": "org:acme_europe"}, headers={"If-Match": '"2"'}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["roles"] == [{"role": "editor", "org": "acme_europe"}]


def test_a_content_creator_cannot_create_users(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    carl = acme.login("carl_creator")
    body = {
        "kind": "staff",
        "username": "mallory",
        "role": "administrator",
        "org": "acme",
        "password": "x" * 12,
    }
    response = carl.post("/api/v1/users", json=body)
    assert response.status_code == 403
    listed = acme.login("ada_admin").get("/api/v1/users", params={"kind": "staff", "limit": 500}).json()
    assert "mallory" not in {u["username"] for u in listed["items"]}
    assert "carl_creator" in {u["username"] for u in listed["items"]}


def test_an_administrator_creates_a_child_organization(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    ada = acme.login("ada_admin")
    created = ada.post("/api/v1/orgs", json={"kind": "organization", "name": "Acme Asia", "parent": "acme"})
    assert created.status_code == 201, created.text
    assert created.json()["parent"] == "acme"
