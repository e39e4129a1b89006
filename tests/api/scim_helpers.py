"""SCIM test helpers: a persona's SCIM client (an API token issued through the REST API), SCIM payloads,
and reads of the tenant's rows and audit entries straight from its database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.api.conftest import DemoTenant

from homeroom.store import tables as t

T = TypeVar("T")
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
USER_EXT = "urn:homeroom:scim:schemas:extension:2.0:User"
GROUP_EXT = "urn:homeroom:scim:schemas:extension:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = "application/scim+json"


def token_of(tenant: DemoTenant, persona: str) -> str:
    """A fresh API token of the persona's account."""
    response = tenant.login(persona).post("/api/v1/auth/tokens", json={"name": "scim"})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def scim_client(tenant: DemoTenant, persona: str | None = None, *, token: str | None = None) -> TestClient:
    """A client of /scim/v2 carrying the persona's token (or `token`; neither: unauthenticated)."""
    secret = token or (token_of(tenant, persona) if persona else None)
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return TestClient(tenant.api, base_url="http://testserver/scim/v2", headers=headers)


def new_user(user_name: str, **extra: Any) -> dict[str, Any]:
    """A plain identity-provider user: what Okta or Entra send without a Homeroom mapping."""
    return {
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": f"{user_name}@example.org", "type": "work", "primary": True}],
        "active": True,
        **extra,
    }


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


def in_tenant(tenant: DemoTenant, query: Callable[[Session, int], T]) -> T:
    """Run `query(session, tenant_id)` in the tenant's database."""
    with tenant.homeroom.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant.name))
        assert tenant_id is not None
        return query(session, tenant_id)


def audit(tenant: DemoTenant) -> list[tuple[str, bool, str | None, str | None]]:
    """(action, allowed, target id, actor) of each audit entry, in order."""
    a = t.AuditEntry
    statement = select(a.action, a.allowed, a.target_id, a.actor_id).order_by(a.seq)
    return in_tenant(tenant, lambda s, i: [tuple(r) for r in s.execute(statement.where(a.tenant_id == i))])  # type: ignore[misc]


def user_row(tenant: DemoTenant, user_id: str) -> dict[str, Any] | None:
    """The account's stored columns (None when there is none)."""

    def read(session: Session, tenant_id: int) -> dict[str, Any] | None:
        row = session.get(t.User, (tenant_id, user_id))
        if row is None:
            return None
        keys = ("kind", "status", "deleted", "username", "given_name", "family_name", "email", "source_id")
        return {key: getattr(row, key) for key in keys}

    return in_tenant(tenant, read)


def links(tenant: DemoTenant, user_id: str) -> dict[str, set[str]]:
    """The account's role assignments (`role@org`), home orgs, classes taught and attended."""

    def read(session: Session, tenant_id: int) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        ra = t.RoleAssignment
        found["roles"] = {
            f"{r}@{o}"
            for r, o in session.execute(
                select(ra.role, ra.org_id).where(ra.tenant_id == tenant_id, ra.user_id == user_id)
            )
        }
        for name, table, column in (
            ("orgs", t.UserOrg, t.UserOrg.org_id),
            ("teaches", t.Teaching, t.Teaching.class_id),
            ("enrolled_in", t.Enrollment, t.Enrollment.class_id),
        ):
            statement = select(column).where(table.tenant_id == tenant_id, table.user_id == user_id)
            found[name] = set(session.scalars(statement))
        return found

    return in_tenant(tenant, read)
