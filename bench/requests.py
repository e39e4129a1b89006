"""A deterministic mix of checks over the math profile's commonest permissions.

Actors: teachers (55%), school administrators (25%), district administrators (15%) and customer
administrators (5%), drawn from all accounts, so a few actors are inactive or deleted. Targets are drawn
near the actor (its classes, school or district) or elsewhere in the tenant, in proportions that make
roughly half of the checks allowed; the benchmark reports the share it got.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bench.generate import Tenant
from homeroom.policy.world import Check, Ref

# permission -> weight; the target type follows from the permission.
PERMISSIONS: dict[str, int] = {
    "student.view": 30,
    "student.edit": 14,
    "student.print_card": 10,
    "student.delete_inactive": 5,
    "class.manage": 14,
    "class.edit": 8,
    "student.create": 9,
    "staff.edit": 10,
}
STUDENT_TARGETS = frozenset({"student.view", "student.edit", "student.print_card", "student.delete_inactive"})
CLASS_TARGETS = frozenset({"class.manage", "class.edit", "student.create"})
ACTOR_KINDS = (("teacher", 55), ("school_admin", 25), ("district_admin", 15), ("customer_admin", 5))


class _Picker:
    """Draws actors and targets from one tenant with one seeded generator."""

    def __init__(self, tenant: Tenant, rng: random.Random) -> None:
        self.tenant, self.rng = tenant, rng
        self.teachers = [t for school in tenant.schools for t in tenant.teachers_by_school[school]]
        self.schools_of: dict[str, list[str]] = {}
        for school in tenant.schools:
            parent = tenant.world.orgs[school].parent or school
            self.schools_of.setdefault(parent, []).append(school)

    def school_of(self, user_id: str) -> str:
        return self.tenant.world.users[user_id].roles[0].org

    def near_school(self, home: list[str], near: float) -> str:
        """A school from `home` with probability `near`, else any school of the tenant."""
        return self.rng.choice(home) if self.rng.random() < near else self.rng.choice(self.tenant.schools)

    def student(self, school: str) -> str:
        return self.rng.choice(self.tenant.students_by_school[school])

    def school_class(self, school: str) -> str:
        return self.rng.choice(self.tenant.classes_by_school[school])

    def staff(self, school: str) -> str:
        """A teacher of the school, or now and then one of its administrators."""
        if self.rng.random() < 0.15:
            return f"sa{school}-{self.rng.randrange(2)}"
        return self.rng.choice(self.tenant.teachers_by_school[school])


def _teacher_check(pick: _Picker, permission: str) -> Check:
    actor = pick.rng.choice(pick.teachers)
    school = pick.school_of(actor)
    user = pick.tenant.world.users[actor]
    if permission in STUDENT_TARGETS:
        return Check(actor, permission, Ref("user", pick.student(pick.near_school([school], 0.8))))
    if permission in CLASS_TARGETS:
        mine = pick.rng.random() < 0.55 and user.teaches
        class_id = pick.rng.choice(user.teaches) if mine else pick.school_class(school)
        return Check(actor, permission, Ref("class", class_id))
    target = actor if pick.rng.random() < 0.5 else pick.staff(school)
    return Check(actor, permission, Ref("user", target))


def _admin_check(pick: _Picker, permission: str, actor: str, home: list[str], near: float) -> Check:
    school = pick.near_school(home, near)
    if permission in STUDENT_TARGETS:
        return Check(actor, permission, Ref("user", pick.student(school)))
    if permission in CLASS_TARGETS:
        return Check(actor, permission, Ref("class", pick.school_class(school)))
    target = actor if pick.rng.random() < 0.1 else pick.staff(school)
    return Check(actor, permission, Ref("user", target))


def _check(pick: _Picker, kind: str, permission: str) -> Check:
    tenant = pick.tenant
    if kind == "teacher":
        return _teacher_check(pick, permission)
    if kind == "school_admin":
        actor = pick.rng.choice(tenant.school_admins)
        return _admin_check(pick, permission, actor, [pick.school_of(actor)], 0.45)
    if kind == "district_admin":
        actor = pick.rng.choice(tenant.district_admins)
        return _admin_check(pick, permission, actor, pick.schools_of[pick.school_of(actor)], 0.45)
    actor = pick.rng.choice(tenant.customer_admins)
    return _admin_check(pick, permission, actor, tenant.schools, 1.0)


def make_requests(tenant: Tenant, count: int, *, seed: int = 7) -> list[Check]:
    """`count` checks drawn deterministically from the tenant."""
    rng = random.Random(seed)
    pick = _Picker(tenant, rng)
    kinds, kind_weights = zip(*ACTOR_KINDS, strict=True)
    permissions, weights = list(PERMISSIONS), list(PERMISSIONS.values())
    choose: Callable[[], tuple[str, str]] = lambda: (  # noqa: E731 - one draw of (actor kind, permission)
        rng.choices(kinds, kind_weights)[0],
        rng.choices(permissions, weights)[0],
    )
    return [_check(pick, *choose()) for _ in range(count)]
