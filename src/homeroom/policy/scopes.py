"""Scopes (model.md 6): whether an object lies inside what one role assignment reaches.

`covers` answers for one atomic scope; a cell is a union of scopes and covers an object when any does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from homeroom.policy.facts import Facts
from homeroom.policy.profiles import SCOPES, Scope
from homeroom.policy.world import PURGED, STUDENT, Ref, User

ScopeTest = Callable[[Ref, User, str, Facts], bool]

# The scope order of model.md 6, used by the subset rank and grant rules: s <= every scope in AT_LEAST[s].
AT_LEAST: Final = {
    "self": frozenset({"self", "org", "subtree"}),
    "org": frozenset({"org", "subtree"}),
    "subtree": frozenset({"subtree"}),
    "assigned": frozenset({"assigned", "subtree"}),
    "created": frozenset({"created", "subtree"}),
}


def covers(scope: Scope, ref: Ref, actor: User, root: str, facts: Facts) -> str | None:
    """The first atomic scope of `scope` (in SCOPES order) that covers `ref` for the assignment at `root`."""
    for atomic, test in tests_for(scope):
        if test(ref, actor, root, facts):
            return atomic
    return None


def tests_for(scope: Scope) -> tuple[tuple[str, ScopeTest], ...]:
    """The atomic scopes of `scope` in SCOPES order, each with its test, computed once per scope."""
    ordered = _ORDERED.get(scope)
    if ordered is None:
        ordered = _ORDERED[scope] = tuple((s, _COVERS[s]) for s in SCOPES if s in scope)
    return ordered


def _subtree(ref: Ref, _actor: User, root: str, facts: Facts) -> bool:
    return facts.anchored_in(ref, root)


def _org(ref: Ref, _actor: User, root: str, facts: Facts) -> bool:
    return root in facts.anchors(ref)


def _assigned(ref: Ref, actor: User, root: str, facts: Facts) -> bool:
    if ref.type == "user":  # _teaches_student, inline: the most frequent scope test of all
        student = facts.world.users.get(ref.id)
        if student is None or student.kind != STUDENT or student.deleted == PURGED or not actor.teaches:
            return False
        return not facts.taught_under(actor, root).isdisjoint(student.enrolled_in)
    if ref.type == "class":
        return facts.teaches_in(actor, ref.id, root)
    if ref.type == "assessment":
        assessment = facts.world.things.get(ref.id)
        return (
            assessment is not None
            and assessment.student is not None
            and _teaches_student(assessment.student, actor, root, facts)
        )
    return False


def _teaches_student(student_id: str, actor: User, root: str, facts: Facts) -> bool:
    student = facts.world.users.get(student_id)
    if student is None or student.kind != STUDENT or student.deleted == PURGED or not actor.teaches:
        return False
    return not facts.taught_under(actor, root).isdisjoint(student.enrolled_in)


def _self(ref: Ref, actor: User, _root: str, facts: Facts) -> bool:
    if ref.type == "user":
        return ref.id == actor.id
    if ref.type == "notification":
        notification = facts.world.things.get(ref.id)
        return notification is not None and notification.recipient == actor.id
    return False


def _created(ref: Ref, actor: User, root: str, facts: Facts) -> bool:
    entity = facts.world.entity(ref)
    creator = getattr(entity, "created_by", None)
    return creator is not None and creator == actor.id and facts.anchored_in(ref, root)


_COVERS: Final[dict[str, ScopeTest]] = {
    "subtree": _subtree,
    "org": _org,
    "assigned": _assigned,
    "self": _self,
    "created": _created,
}
_ORDERED: dict[Scope, tuple[tuple[str, ScopeTest], ...]] = {}
