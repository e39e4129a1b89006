"""Custom roles through the services: create, view, list, edit, delete; granting goes through accounts.

* A custom role is `{id, name, org, grants: [(permission, scope)]}`; a grant without a scope takes the
  profile's canonical scope. Its permissions must be the profile's.
* **No escalation** is the policy's decision, never re-implemented here: creating checks `role.create` on
  the new role (the grant rule: the creator holds every pair at that scope or wider, at the role's org or
  above), editing checks it on the role as it is (whoever edits it could have created it) and again as it
  will be, deleting checks it on the role as it is. The role is written first and checked in the same unit
  of work, so a denial rolls the write back.
* Giving a custom role to an account is `role.grant` (POST /users/{id}/roles) or `user.create` with the
  role, both under the grant rule and P-PLACE (a custom role is held at its org or below, by staff).
* A deleted custom role grants nothing and cannot be granted (docs/decisions.md).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from homeroom.errors import Conflict, InvalidInput, InvalidProfile
from homeroom.policy.profiles import Profile, format_scope, parse_scope
from homeroom.policy.world import NOT_DELETED, PURGED, SOFT_DELETED, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import accessible_page, authorize, not_found, require_visible
from homeroom.store import custom_roles as store
from homeroom.store import tables as t
from homeroom.store.constraints import Request

CREATE: Final = "role.create"
VIEW: Final = "role.view"
MAX_GRANTS: Final = 300


@dataclass(frozen=True)
class GrantIn:
    permission: str
    scope: str | None = None  # None: the profile's canonical scope for the permission


@dataclass(frozen=True)
class RoleView:
    id: str
    name: str
    org: str | None  # None for built-in roles
    grants: tuple[tuple[str, str], ...]
    built_in: bool
    deleted: bool
    created_by: str | None
    version: int


@dataclass(frozen=True)
class NewRole:
    org: str
    name: str
    grants: Sequence[GrantIn]
    id: str | None = None


def create_role(access: Access, new: NewRole) -> RoleView:
    """A new custom role at `new.org`, if its creator holds every grant (`role.create`, grant rule)."""
    require_visible(access, Ref("org", new.org))
    role_id = new.id or f"role-{secrets.token_hex(5)}"
    if role_id in access.profile.roles or store.get_role(access.session, access.tenant_id, role_id):
        raise Conflict(f"a role {role_id!r} exists already", code="role_exists", details={"id": role_id})
    grants = normalized_grants(access.profile, new.grants)
    store.add_role(
        access.session,
        access.tenant_id,
        role_id,
        org=new.org,
        name=_name(new.name),
        created_by=access.actor,
        grants=grants,
    )
    ref = Ref("role", role_id)
    decision = authorize(access, CREATE, ref)
    details: dict[str, object] = {"org": new.org, "grants": [f"{p}@{s}" for p, s in grants]}
    audit.record(access, CREATE, ref, decision=decision, details=details)
    return read_role(access, role_id)


def normalized_grants(profile: Profile, given: Sequence[GrantIn]) -> list[tuple[str, str]]:
    """Each grant checked against the profile, with its scope written canonically; duplicates dropped."""
    if not 1 <= len(given) <= MAX_GRANTS:
        raise InvalidInput(f"a custom role needs 1 to {MAX_GRANTS} grants", code="invalid_grants")
    grants: dict[tuple[str, str], None] = {}
    for index, grant in enumerate(given):
        if grant.permission not in profile.permission_ids:
            raise InvalidInput(
                f"grants[{index}]: {grant.permission!r} is not a permission of profile {profile.id}",
                code="unknown_permission",
                details={"index": index, "permission": grant.permission},
            )
        text = grant.scope if grant.scope is not None else profile.canonical_scope(grant.permission)
        try:
            scope = parse_scope(text)
        except InvalidProfile as error:
            raise InvalidInput(
                f"grants[{index}]: {error.message}",
                code="invalid_scope",
                details={"index": index, "scope": text},
            ) from None
        if not scope:
            raise InvalidInput(f"grants[{index}]: a grant needs a scope, not '-'", code="invalid_scope")
        grants[(grant.permission, format_scope(scope))] = None
    return list(grants)


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput(
            "name must have 1 to 200 characters", code="invalid_name", details={"field": "name"}
        )
    return name


@dataclass(frozen=True)
class RoleChanges:
    name: str | None = None
    grants: Sequence[GrantIn] | None = None


def edit_role(access: Access, role_id: str, changes: RoleChanges, *, expected: int) -> RoleView:
    """Rename a custom role or replace its grants; the editor must hold what it holds before and after."""
    _require_role(access, role_id)
    ref = Ref("role", role_id)
    decision = authorize(access, CREATE, ref)
    details: dict[str, object] = {}
    if changes.grants is not None:
        grants = normalized_grants(access.profile, changes.grants)
        store.set_grants(access.session, access.tenant_id, role_id, grants)
        decision = authorize(access, CREATE, ref)
        details["grants"] = [f"{p}@{s}" for p, s in grants]
    values: dict[str, object] = {}
    if changes.name is not None:
        values["name"] = details["name"] = _name(changes.name)
    if not details:
        raise InvalidInput("nothing to change", code="empty_change")
    store.change_role(access.session, access.tenant_id, role_id, expected=expected, values=values)
    audit.record(access, "role.edit", ref, decision=decision, details=details)
    return read_role(access, role_id)


def delete_role(access: Access, role_id: str, *, expected: int) -> None:
    """Soft-delete a custom role: from then on it grants nothing and cannot be granted."""
    _require_role(access, role_id)
    ref = Ref("role", role_id)
    decision = authorize(access, CREATE, ref)
    store.change_role(
        access.session, access.tenant_id, role_id, expected=expected, values={"deleted": SOFT_DELETED}
    )
    audit.record(access, "role.delete", ref, decision=decision)


def get_role(access: Access, role_id: str) -> RoleView:
    """One custom role, for whoever may see it (`role.view`)."""
    _require_role(access, role_id)
    authorize(access, VIEW, Ref("role", role_id))
    return read_role(access, role_id)


def _require_role(access: Access, role_id: str) -> t.CustomRole:
    row = store.get_role(access.session, access.tenant_id, role_id)
    if row is None or row.deleted == PURGED:
        raise not_found(Ref("role", role_id))
    return row


def read_role(access: Access, role_id: str) -> RoleView:
    row = _require_role(access, role_id)
    return _view(row, store.grants_of(access.session, access.tenant_id, [role_id])[role_id])


def _view(row: t.CustomRole, grants: Sequence[tuple[str, str]]) -> RoleView:
    return RoleView(
        row.id,
        row.name,
        row.org_id,
        tuple(grants),
        built_in=False,
        deleted=row.deleted != NOT_DELETED,
        created_by=row.created_by,
        version=row.version,
    )


@dataclass(frozen=True)
class RolePage:
    items: list[RoleView]
    next_after: str | None


def list_roles(access: Access, *, after: str | None = None, limit: int = 50) -> RolePage:
    """The custom roles the caller may see (`role.view`, the SQL twin), in id order."""
    page = accessible_page(access, Request(access.actor, VIEW, "role"), after=after, limit=limit)
    rows = store.rows(access.session, access.tenant_id, list(page.ids))
    grants = store.grants_of(access.session, access.tenant_id, [r.id for r in rows])
    return RolePage([_view(r, grants[r.id]) for r in rows], page.next_after)


def roles_at(access: Access, org: str) -> list[RoleView]:
    """Every role that may be held at `org`: the profile's and the live custom roles of `org` and above."""
    authorize(access, VIEW, Ref("org", org))
    profile = access.profile
    built_in = [
        RoleView(
            role.id,
            role.name,
            None,
            tuple(
                (permission, format_scope(cells[role.id]))
                for permission, cells in sorted(profile.cells.items())
                if cells.get(role.id)
            ),
            built_in=True,
            deleted=False,
            created_by=None,
            version=0,
        )
        for role in profile.roles.values()
    ]
    custom = store.roles_held_at(access.session, access.tenant_id, org)
    grants = store.grants_of(access.session, access.tenant_id, [r.id for r in custom])
    return built_in + [_view(r, grants[r.id]) for r in custom]
