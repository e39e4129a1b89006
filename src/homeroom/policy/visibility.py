"""Who may know that an object exists: the line between "forbidden" and "not found".

An actor who may not act on an object still learns that it exists when they can see it; otherwise a
denial must look exactly like a missing object (404, not 403). Visibility is decided with the same
policy, never a separate list:

* an account is visible to itself, and to whoever the profile's view permission for its kind allows
  (`student.view`, `staff.view`, or `user.view` on the assessment platform), through `decide`;
* in a profile without a view permission for that kind, and for every other object, visibility is
  structural: the object is anchored in the subtree of one of the actor's role assignments, or lies on
  the path above it (a teacher sees the name of their school and district), or is a class the actor
  teaches or is enrolled in.

Soft-deleted and purged objects are invisible unless a view permission says otherwise.
"""

from __future__ import annotations

from typing import Final

from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.world import NOT_DELETED, Check, Ref, User

VIEW_PERMISSIONS: Final = {
    "student": ("student.view", "user.view"),
    "staff": ("staff.view", "user.view"),
}


def can_see(facts: Facts, actor_id: str, ref: Ref) -> bool:
    """May `actor_id` learn that `ref` exists?"""
    actor = facts.world.users.get(actor_id)
    entity = facts.world.entity(ref)
    if actor is None or entity is None:
        return False
    if isinstance(entity, User):
        if entity.id == actor.id:
            return True
        view = _view_permission(facts, entity.kind)
        if view is not None:
            return decide(Check(actor.id, view, ref), facts).allowed
    if entity.deleted != NOT_DELETED:
        return False
    return _structurally_visible(facts, actor, ref)


def _view_permission(facts: Facts, kind: str) -> str | None:
    held = facts.profile.permission_ids
    return next((p for p in VIEW_PERMISSIONS.get(kind, ()) if p in held), None)


def _structurally_visible(facts: Facts, actor: User, ref: Ref) -> bool:
    if ref.type == "class" and (ref.id in actor.teaches or ref.id in actor.enrolled_in):
        return True
    anchors = facts.anchors(ref)
    for org in {a.org for a in actor.roles}:
        above = facts.ancestors(org)
        if any(org in facts.ancestors(anchor) or anchor in above for anchor in anchors):
            return True
    return False
