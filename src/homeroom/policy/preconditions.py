"""Preconditions P-* (model.md 11): lifecycle and structure rules that hold whoever the actor is.

P-KIND, P-SCHOOL, P-GROUP and P-STAFF restate the catalog's argument kinds; the type gate enforces them
(and names them when it denies), so they do not appear here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from homeroom.policy.catalog import Permission
from homeroom.policy.facts import Facts
from homeroom.policy.world import INACTIVE, INVITED, STAFF, Check, Ref, SchoolClass, Thing, User

_TEACHER_ROLE: Final = "teacher"
_ATTRIBUTES: Final = {"target": "target", "to": "to", "from": "from_", "at": "at"}


@dataclass(slots=True)
class Context:
    """One check's resolved arguments, shared by the constraint steps."""

    check: Check
    permission: Permission
    actor: User
    facts: Facts

    def target_user(self) -> User:
        return self.facts.world.users[self.check.target.id]

    def target_thing(self) -> Thing:
        return self.facts.world.things[self.check.target.id]

    def class_arg(self, ref: Ref | None) -> SchoolClass | None:
        return self.facts.world.classes.get(ref.id) if ref is not None and ref.type == "class" else None

    def place_org(self) -> str:
        """Where a granted or created role will be held: `at` for role.grant, else the target org."""
        return self.check.at.id if self.check.at is not None else self.check.target.id

    def gate_org(self) -> str:
        """The org whose settings gate the check: the target class's school, or the target org."""
        found = self.class_arg(self.check.target)
        return found.school if found is not None else self.check.target.id


def argument(check: Check, name: str) -> Ref | None:
    """The reference a check gives for the catalog argument `name` (`target`, `to`, `from`, `at`)."""
    return getattr(check, _ATTRIBUTES[name])  # type: ignore[no-any-return]


def checks_for(permission: Permission) -> tuple[tuple[str, Callable[[Context], str | None]], ...]:
    """The permission's preconditions in their catalog order, as (rule, check); a check returns why it
    fails, or None."""
    return tuple((rule, _CHECKS[rule]) for rule in permission.constraints if rule in _CHECKS)


def _inactive(ctx: Context) -> str | None:
    target = ctx.target_user()
    return None if target.status == INACTIVE else f"{target.id} is {target.status}, not inactive"


def _invited(ctx: Context) -> str | None:
    if ctx.actor.status == INVITED and ctx.check.target.id == ctx.actor.id:
        return None
    return "only an invited account may set up itself"


def _teacher_only(ctx: Context) -> str | None:
    role = ctx.check.role
    return None if role == _TEACHER_ROLE else f"{role} accounts can only be added individually"


def _same_school(ctx: Context) -> str | None:
    destination = ctx.class_arg(ctx.check.to)
    target = ctx.check.target
    if destination is not None and destination.school in ctx.facts.anchors(target):
        return None
    return f"{target.id} is not at the school of {ctx.check.to}; moving schools needs student.move"


def _enrolled(ctx: Context) -> str | None:
    source = ctx.check.from_
    student = ctx.target_user()
    if source is not None and source.id in student.enrolled_in:
        return None
    return f"{student.id} is not enrolled in {source}"


def _teaches(ctx: Context) -> str | None:
    teacher = ctx.target_user()
    facts = ctx.facts
    if ctx.check.from_ is not None:
        return (
            None
            if ctx.check.from_.id in teacher.teaches
            else f"{teacher.id} does not teach {ctx.check.from_}"
        )
    destination = ctx.class_arg(ctx.check.to)
    if destination is not None and any(facts.in_subtree(destination.school, a.org) for a in teacher.roles):
        return None
    return f"{teacher.id} holds no role over the school of {ctx.check.to}"


def _bench_number(ctx: Context) -> str | None:
    numbers = ctx.facts.profile.bench_numbers.get(ctx.permission.id)
    number = ctx.target_thing().number
    if numbers is None or number in numbers:
        return None
    return f"benchmark number {number} is not one of {sorted(numbers)} for {ctx.permission.id}"


def _published(ctx: Context) -> str | None:
    return None if ctx.target_thing().published else f"{ctx.check.target} is not published"


def _place(ctx: Context) -> str | None:
    role_id = ctx.check.role
    if role_id is None:
        return None
    facts, place = ctx.facts, ctx.place_org()
    built_in = facts.profile.roles.get(role_id)
    if built_in is not None:
        account = built_in.account
        org_kind = facts.world.orgs[place].kind
        if org_kind not in built_in.assignable_at:
            return f"{role_id} cannot be held at a {org_kind}"
    else:
        account = STAFF
        if not facts.in_subtree(place, facts.world.custom_roles[role_id].org):
            return f"custom role {role_id} can be held only at or below its own org"
    return _account_fits(ctx.permission, account, ctx)


def _account_fits(permission: Permission, account: str, ctx: Context) -> str | None:
    if permission.resource == "staff" and account != STAFF:
        return f"{ctx.check.role} is not a staff role"
    if permission.id == "role.grant" and account != ctx.target_user().kind:
        return (
            f"{ctx.check.role} is for {account} accounts, {ctx.check.target.id} is a {ctx.target_user().kind}"
        )
    return None


_CHECKS: Final[dict[str, Callable[[Context], str | None]]] = {
    "P-INACTIVE": _inactive,
    "P-INVITED": _invited,
    "P-TEACHER-ONLY": _teacher_only,
    "P-SAME-SCHOOL": _same_school,
    "P-ENROLLED": _enrolled,
    "P-TEACHES": _teaches,
    "P-BENCH-N": _bench_number,
    "P-PUBLISHED": _published,
    "P-PLACE": _place,
}
