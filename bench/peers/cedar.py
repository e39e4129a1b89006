"""AWS Cedar (cedarpy) encoding of the benchmarked math permissions.

Entities (one per org, class and account of the world):
* `Org`: parent = its parent org. `Class`: parent = its school; `live` (not soft-deleted) and
  `creation_open` (teacher_student_creation as effective at its school: settings inheritance is
  precomputed, since Cedar cannot walk up to the nearest value).
* `Student`: parents = its home schools and its live classes, so `resource in Org::"d1"` is exactly
  "an anchor lies in subtree(d1)" and `resource in principal.teaches` is "enrolled in a class I teach".
  Purged classes are left out of the parents (model.md 14.5).
* `Staff`: parents = the orgs of its role assignments, its home orgs and the schools of its live classes
  (its anchors); attributes `active` (the actor gate: status active and not deleted), `live`, `rank` (the
  user's ordinal rank as role_rank*10 + org_level, for R1), `has_role`, the sets of orgs where it holds each
  role, and `teaches` (its live classes).

Precomputed outside Cedar: anchors as parent edges, effective settings, user ranks, and purged objects
(kept as entities with live == false so that a check naming one is denied, as Homeroom does). The policies
rely on the world rule that a teacher teaches only classes under the org where it holds `teacher`
(model.md 13), so "assigned" is `resource in principal.teaches`. Soft-deleted targets are denied through
`resource.live`. The policy text is the whole rule set; nothing else is filtered before Cedar sees a request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import cedarpy

from homeroom.policy.facts import Facts
from homeroom.policy.settings import effective
from homeroom.policy.world import NOT_DELETED, PURGED, STAFF, Check, SchoolClass, User, World

ROLES = ("customer_admin", "district_admin", "school_admin")
# The ordinal rank (role rank * 10 + org level) of each administrator assignment in math: each role is
# assignable at one org kind only, so the rank is fixed by the role.
ADMIN_RANK = {"customer_admin": 44, "district_admin": 33, "school_admin": 22}
STUDENT_ACTIONS = ("student.view", "student.edit", "student.print_card")
CLASS_ACTIONS = ("class.manage", "class.edit")


def _actions(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'Action::"{name}"' for name in names) + "]"


def _admin_reach() -> str:
    return " || ".join(f"resource in principal.{role}_at" for role in ROLES)


def _r1() -> str:
    return " || ".join(
        f"(resource in principal.{role}_at && resource.rank < {rank})" for role, rank in ADMIN_RANK.items()
    )


POLICIES = f"""
// Administrators: subtree of the orgs where they hold an admin role (student and class permissions).
permit(principal is Staff, action in {_actions((*STUDENT_ACTIONS, "student.delete_inactive"))},
       resource is Student)
when {{ principal.active && resource.live && ({_admin_reach()}) }};
permit(principal is Staff, action in {_actions((*CLASS_ACTIONS, "student.create"))}, resource is Class)
when {{ principal.active && resource.live && ({_admin_reach()}) }};

// Teachers: assigned (students enrolled in a class they teach, and those classes).
permit(principal is Staff, action in {_actions((*STUDENT_ACTIONS, "student.delete_inactive"))},
       resource is Student)
when {{ principal.active && resource.live && resource in principal.teaches }};
permit(principal is Staff, action in {_actions(CLASS_ACTIONS)}, resource is Class)
when {{ principal.active && resource.live && resource in principal.teaches }};
// student.create by a teacher is gated by teacher_student_creation at the class's school.
permit(principal is Staff, action == Action::"student.create", resource is Class)
when {{ principal.active && resource.live && resource in principal.teaches && resource.creation_open }};

// P-INACTIVE: only inactive students may be deleted through student.delete_inactive.
forbid(principal, action == Action::"student.delete_inactive", resource is Student)
unless {{ resource.inactive }};

// staff.edit: administrators on staff of strictly lower rank in their subtree (R1), anyone on themselves.
permit(principal is Staff, action == Action::"staff.edit", resource is Staff)
when {{ principal.active && resource.live && ({_r1()}) }};
permit(principal is Staff, action == Action::"staff.edit", resource is Staff)
when {{ principal.active && principal.has_role && principal == resource }};
"""


def _uid(type_: str, id_: str) -> dict[str, str]:
    return {"type": type_, "id": id_}


def _class_entity(school_class: SchoolClass, facts: Facts) -> dict[str, Any]:
    open_ = effective(facts, school_class.school, "teacher_student_creation").value is True
    return {
        "uid": _uid("Class", school_class.id),
        "parents": [_uid("Org", school_class.school)],
        "attrs": {"live": school_class.deleted == NOT_DELETED, "creation_open": open_},
    }


def _live_classes(world: World, ids: tuple[str, ...]) -> list[str]:
    return [c for c in ids if c in world.classes and world.classes[c].deleted != PURGED]


def _student_entity(user: User, world: World) -> dict[str, Any]:
    parents = [_uid("Org", org) for org in user.orgs]
    parents += [_uid("Class", c) for c in _live_classes(world, user.enrolled_in)]
    attrs = {"live": user.deleted == NOT_DELETED, "inactive": user.status == "inactive"}
    return {"uid": _uid("Student", user.id), "parents": parents, "attrs": attrs}


def _staff_entity(user: User, facts: Facts) -> dict[str, Any]:
    world = facts.world
    classes = _live_classes(world, user.teaches)
    anchors = {a.org for a in user.roles} | set(user.orgs) | {world.classes[c].school for c in classes}
    rank = facts.user_rank(user)
    attrs: dict[str, Any] = {
        "active": user.status == "active" and user.deleted == NOT_DELETED,
        "live": user.deleted == NOT_DELETED,
        "rank": rank[0] * 10 + rank[1],
        "has_role": bool(user.roles),
        "teaches": [{"__entity": _uid("Class", c)} for c in classes],
    }
    for role in ROLES:
        attrs[f"{role}_at"] = [{"__entity": _uid("Org", a.org)} for a in user.roles if a.role == role]
    return {
        "uid": _uid("Staff", user.id),
        "parents": [_uid("Org", o) for o in sorted(anchors)],
        "attrs": attrs,
    }


def entities(facts: Facts, user_ids: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """Cedar entities for the world (or, when `user_ids` is given, for those accounts and every org/class)."""
    world = facts.world
    for org in world.orgs.values():
        parents = [_uid("Org", org.parent)] if org.parent else []
        yield {"uid": _uid("Org", org.id), "parents": parents, "attrs": {}}
    for school_class in world.classes.values():
        yield _class_entity(school_class, facts)
    users = world.users.values() if user_ids is None else (world.users[u] for u in user_ids)
    for user in users:
        yield _staff_entity(user, facts) if user.kind == STAFF else _student_entity(user, world)


def request(check: Check, facts: Facts) -> dict[str, Any]:
    """The Cedar request of a check: the target's entity type follows from the world."""
    target = check.target
    if target.type == "class":
        resource = _uid("Class", target.id)
    else:
        kind = facts.world.users[target.id].kind
        resource = _uid("Staff" if kind == STAFF else "Student", target.id)
    return {
        "principal": _uid("Staff", check.actor),
        "action": _uid("Action", check.permission),
        "resource": resource,
    }


class CedarPeer:
    """Parsed policies and entities, reused across calls (cedarpy's PolicySet and Entities handles)."""

    name = "cedar"

    def __init__(self, facts: Facts, user_ids: set[str] | None = None) -> None:
        self.policies = cedarpy.PolicySet.from_str(POLICIES)
        self.entities = cedarpy.Entities.from_json_str(json.dumps(list(entities(facts, user_ids))))
        self.facts = facts

    def prepare(self, check: Check) -> dict[str, Any]:
        return request(check, self.facts)

    def decide(self, prepared: dict[str, Any]) -> bool:
        return bool(cedarpy.is_authorized(prepared, self.policies, self.entities).allowed)

    def decide_batch(self, prepared: list[dict[str, Any]]) -> list[bool]:
        return [r.allowed for r in cedarpy.is_authorized_batch(prepared, self.policies, self.entities)]
