"""Classroom settings and motivational programs (math, math-prek2).

One PATCH may change several settings; each changed field is authorized by its own permission
(`class.set_calculator`, `class.set_goals`, `class.restrict_avatar`), all before anything is written,
and the write is based on the class's version (If-Match), which it bumps. Reading them needs
`class.manage`, the permission to open the class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from homeroom.errors import InvalidInput
from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.services.offerings import offering, require_offered
from homeroom.store import classrooms
from homeroom.store import tables as t
from homeroom.store.versions import update_versioned

FIELD_PERMISSIONS: Final = {
    "calculator": "class.set_calculator",
    "goals": "class.set_goals",
    "avatar_restricted": "class.restrict_avatar",
}
MOTIVATION: Final = "class.administer_motivation"
VIEW: Final = "class.manage"
MAX_GOALS: Final = 20
MAX_TARGET: Final = 1000
SKILL: Final = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Goal:
    """A classroom goal: a skill id and a target (for example lessons passed per week, 1 to 1000)."""

    skill: str
    target: int


@dataclass(frozen=True)
class SettingsChange:
    calculator: bool | None = None
    goals: tuple[Goal, ...] | None = None
    avatar_restricted: bool | None = None


@dataclass(frozen=True)
class ClassSettings:
    class_id: str
    calculator: bool
    goals: tuple[Goal, ...]
    avatar_restricted: bool
    motivation: dict[str, bool]
    version: int


def edit_settings(access: Access, class_id: str, change: SettingsChange, *, expected: int) -> ClassSettings:
    """Change the given settings of a class, each authorized by its own permission."""
    target = Ref("class", class_id)
    changed = {name: getattr(change, name) for name in FIELD_PERMISSIONS if getattr(change, name) is not None}
    if not changed:
        raise InvalidInput(
            "nothing to change: give calculator, goals or avatar_restricted", code="empty_change"
        )
    decisions = {name: authorize(access, FIELD_PERMISSIONS[name], target) for name in changed}
    if change.goals is not None:
        _check_goals(change.goals)
        changed["goals"] = [{"skill": g.skill, "target": g.target} for g in change.goals]
    update_versioned(access.session, t.SchoolClass, access.tenant_id, class_id, expected=expected, values={})
    classrooms.write_settings(
        access.session, access.tenant_id, class_id, changed, by=access.actor, at=access.now
    )
    for name, decision in decisions.items():
        details: dict[str, object] = {name: changed[name]}
        audit.record(access, FIELD_PERMISSIONS[name], target, decision=decision, details=details)
    return read_settings(access, class_id)


def _check_goals(goals: tuple[Goal, ...]) -> None:
    if len(goals) > MAX_GOALS:
        raise InvalidInput(f"a class has at most {MAX_GOALS} goals, not {len(goals)}", code="too_many_goals")
    seen: set[str] = set()
    for index, goal in enumerate(goals):
        where = f"goals[{index}]"
        if not SKILL.match(goal.skill):
            raise InvalidInput(
                f"{where}.skill {goal.skill!r} is not a skill id (lower case letters, digits, _ . -)",
                code="invalid_goal",
                details={"field": f"{where}.skill"},
            )
        if goal.skill in seen:
            raise InvalidInput(f"{where}: skill {goal.skill!r} has two goals", code="invalid_goal")
        if not 1 <= goal.target <= MAX_TARGET:
            raise InvalidInput(
                f"{where}.target {goal.target} is out of range: expected 1 to {MAX_TARGET}",
                code="invalid_goal",
                details={"field": f"{where}.target"},
            )
        seen.add(goal.skill)


def administer_motivation(access: Access, class_id: str, program: str, *, active: bool) -> ClassSettings:
    """Start or stop a motivational program (one of the profile's programs) in the class."""
    target = Ref("class", class_id)
    decision = authorize(access, MOTIVATION, target)
    programs = offering(access.profile.id).motivation_programs
    require_offered(programs, program, what="motivation program", profile=access.profile.id)
    update_versioned(access.session, t.SchoolClass, access.tenant_id, class_id, expected=None, values={})
    previous = classrooms.set_motivation(
        access.session, access.tenant_id, class_id, program, active=active, stamp=(access.actor, access.now)
    )
    details: dict[str, object] = {"program": program, "active": active, "previous": previous}
    audit.record(access, MOTIVATION, target, decision=decision, details=details)
    return read_settings(access, class_id)


def get_settings(access: Access, class_id: str) -> ClassSettings:
    """The class's settings, for whoever may open the class (`class.manage`)."""
    authorize(access, VIEW, Ref("class", class_id))
    return read_settings(access, class_id)


def read_settings(access: Access, class_id: str) -> ClassSettings:
    room = classrooms.classroom(access.session, access.tenant_id, class_id)
    version = access.session.get(t.SchoolClass, (access.tenant_id, class_id), populate_existing=True)
    return ClassSettings(
        class_id,
        room.calculator,
        tuple(Goal(str(g["skill"]), int(str(g["target"]))) for g in room.goals),
        room.avatar_restricted,
        room.motivation,
        version.version if version is not None else 0,
    )
