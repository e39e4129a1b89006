"""Orgs: list and view the orgs one may see; create organizations and school groups; edit a school's
information and status, or a school group's name and member schools; delete a school group. Each use
case authorizes, validates, writes and audits in the caller's unit of work.

Districts and schools come from rostering or the command line, never from these use cases. Seeing an org
is structural (policy/visibility.py): the subtrees of the actor's role assignments and the orgs above them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from homeroom.errors import InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.world import SOFT_DELETED, Org, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, not_found, require_visible
from homeroom.store import tables as t
from homeroom.store.accounts import policy_user
from homeroom.store.orgs import add_org, group_members, orgs_by_id, set_group_members, visible_org_ids
from homeroom.store.tenants import advance_revision
from homeroom.store.versions import update_versioned

SCHOOL: Final = "school"
SCHOOL_GROUP: Final = "school_group"
GROUP_PERMISSION: Final = "school_group.manage"
CREATORS: Final = {"organization": "org.create", SCHOOL_GROUP: GROUP_PERMISSION}
# Orgs that are neither schools nor school groups have no information to edit: the check names
# `school.edit_info` and the type gate denies it, so the answer is 403 or 404 like any other deny.
EDIT_INFO: Final = "school.edit_info"


@dataclass(frozen=True)
class OrgView:
    id: str
    kind: str
    parent: str | None
    name: str
    active: bool
    schools: tuple[str, ...]
    version: int


def org_view(row: t.Org, schools: tuple[str, ...]) -> OrgView:
    return OrgView(row.id, row.kind, row.parent_id, row.name, row.active, schools, row.version)


def read_org(access: Access, org_id: str) -> OrgView:
    row = access.session.get(t.Org, (access.tenant_id, org_id))
    if row is None:
        raise not_found(Ref("org", org_id))
    schools = group_members(access.session, access.tenant_id, [org_id]).get(org_id, ())
    return org_view(row, schools)


def get_org(access: Access, org_id: str) -> OrgView:
    """One org, if the caller may know it exists."""
    require_visible(access, Ref("org", org_id))
    return read_org(access, org_id)


@dataclass(frozen=True)
class OrgPage:
    items: list[OrgView]
    next_after: str | None


def list_orgs(access: Access, *, after: str | None = None, limit: int = 50) -> OrgPage:
    """The orgs the caller may see, in id order."""
    actor = policy_user(access.session, access.tenant_id, access.actor)
    roots = sorted({a.org for a in actor.roles})
    ids, next_after = visible_org_ids(access.session, access.tenant_id, roots, after=after, limit=limit)
    rows = orgs_by_id(access.session, access.tenant_id, ids)
    groups = [i for i in ids if rows[i].kind == SCHOOL_GROUP]
    members = group_members(access.session, access.tenant_id, groups)
    return OrgPage([org_view(rows[i], members.get(i, ())) for i in ids], next_after)


@dataclass(frozen=True)
class NewOrg:
    kind: str
    parent: str
    name: str = ""
    schools: tuple[str, ...] = ()
    id: str | None = None


def create_org(access: Access, new: NewOrg) -> OrgView:
    """A child organization (`org.create`) or a school group with its schools (`school_group.manage`)."""
    permission = CREATORS.get(new.kind)
    if permission is None:
        raise InvalidInput(
            f"a {new.kind} cannot be created here: districts and schools come from rostering or the CLI",
            code="org_kind_not_creatable",
            details={"kind": new.kind},
        )
    if new.schools and new.kind != SCHOOL_GROUP:
        raise InvalidInput("only a school group lists schools", code="invalid_group_members")
    decision = authorize(access, permission, Ref("org", new.parent))
    org_id = new.id or f"o-{secrets.token_hex(6)}"
    add_org(access.session, access.tenant_id, Org(org_id, new.kind, new.parent))
    row = access.session.get(t.Org, (access.tenant_id, org_id))
    assert row is not None  # noqa: S101 - written just above
    row.name = new.name
    access.session.flush()
    if new.kind == SCHOOL_GROUP:
        set_group_members(access.session, access.tenant_id, org_id, new.schools)
    details: dict[str, object] = {
        "kind": new.kind,
        "parent": new.parent,
        "name": new.name,
        "schools": list(new.schools),
    }
    audit.record(access, permission, Ref("org", org_id), decision=decision, details=details)
    return read_org(access, org_id)


@dataclass(frozen=True)
class OrgChanges:
    name: str | None = None
    active: bool | None = None  # schools only
    schools: tuple[str, ...] | None = None  # school groups only

    @property
    def changed(self) -> list[str]:
        return [f for f in ("name", "active", "schools") if getattr(self, f) is not None]


def edit_org(access: Access, org_id: str, changes: OrgChanges, *, expected: int) -> OrgView:
    """A school's name (`school.edit_info`) or status (`school.set_active`); a group's name and members."""
    if not changes.changed:
        raise InvalidInput("nothing to change", code="empty_change")
    target = Ref("org", org_id)
    kind = _kind(access, org_id)
    decisions = {p: authorize(access, p, target) for p in _edit_permissions(kind, changes)}
    _check_fields(kind, changes)
    values: dict[str, object] = {}
    if changes.name is not None:
        values["name"] = changes.name
    if changes.active is not None:
        values["active"] = changes.active
    update_versioned(access.session, t.Org, access.tenant_id, org_id, expected=expected, values=values)
    if changes.schools is not None:
        set_group_members(access.session, access.tenant_id, org_id, changes.schools)
    advance_revision(access.session, access.tenant_id)
    for permission, decision in decisions.items():
        audit.record(access, permission, target, decision=decision, details={"changed": changes.changed})
    return read_org(access, org_id)


def _kind(access: Access, org_id: str) -> str:
    row = access.session.get(t.Org, (access.tenant_id, org_id))
    return row.kind if row is not None else SCHOOL  # a missing org: authorize() answers not found


def _edit_permissions(kind: str, changes: OrgChanges) -> list[str]:
    if kind == SCHOOL_GROUP:
        return [GROUP_PERMISSION]
    if kind != SCHOOL:
        return [EDIT_INFO]
    needed = [EDIT_INFO] if changes.name is not None or changes.schools is not None else []
    return [*needed, *(["school.set_active"] if changes.active is not None else [])]


def _check_fields(kind: str, changes: OrgChanges) -> None:
    if changes.schools is not None and kind != SCHOOL_GROUP:
        raise InvalidInput(f"only a school group lists schools, not a {kind}", code="invalid_group_members")
    if changes.active is not None and kind != SCHOOL:
        raise InvalidInput(f"only schools are activated or deactivated, not a {kind}", code="invalid_field")


def delete_org(access: Access, org_id: str, *, expected: int) -> None:
    """Soft-delete a school group (`school_group.manage`); other orgs are not deleted here."""
    target = Ref("org", org_id)
    decision: Decision = authorize(access, GROUP_PERMISSION, target)
    kind = _kind(access, org_id)
    if kind != SCHOOL_GROUP:
        raise InvalidInput(
            f"only school groups are deleted here, not a {kind}: other orgs come from rostering or the CLI",
            code="org_not_deletable",
            details={"id": org_id, "kind": kind},
        )
    values = {"deleted": SOFT_DELETED}
    update_versioned(access.session, t.Org, access.tenant_id, org_id, expected=expected, values=values)
    advance_revision(access.session, access.tenant_id)
    audit.record(access, GROUP_PERMISSION, target, decision=decision)
