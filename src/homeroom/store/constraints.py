"""The constraints of model.md 7 step 6 for one assignment, as conditions on target rows.

Each function returns True or False when the rule does not depend on the target row (it is decided once
in Python, with the policy's own functions on the loaded facts), or an SQL condition when it does:
R1 (ordinal ranks and subset permission sets), R2 and the grant rule at a target org or role, setting
gates at the target's org, and the preconditions that read the target (P-INACTIVE, P-SAME-SCHOOL,
P-ENROLLED, P-TEACHES, P-BENCH-N, P-PUBLISHED, P-PLACE, P-INVITED).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, not_, or_, true
from sqlalchemy.orm import aliased

from homeroom.policy.catalog import Permission
from homeroom.policy.facts import Facts, Pair
from homeroom.policy.ranks import first_uncovered, grant_failure, missing_for_grant
from homeroom.policy.scopes import AT_LEAST
from homeroom.policy.world import INACTIVE, INVITED, ORG_LEVELS, STAFF, THING_TYPES, Assignment, Ref, User
from homeroom.store import tables as t
from homeroom.store.anchors import Target, anchored, equals, setting_is_true, under

Condition = bool | ColumnElement[bool]
TEACHER_ROLE = "teacher"


@dataclass(frozen=True)
class Request:
    """A check without its target: what the twin selects targets for."""

    actor: str
    permission: str
    target_type: str
    to: Ref | None = None
    from_: Ref | None = None
    role: str | None = None
    at: Ref | None = None

    def argument(self, name: str) -> Ref | None:
        return {"to": self.to, "from": self.from_, "at": self.at}.get(name)


@dataclass(frozen=True)
class Context:
    request: Request
    permission: Permission
    actor: User
    facts: Facts
    target: Target
    tenant_id: int

    @property
    def universe(self) -> list[str]:
        """Every role a target may hold: the profile's and the tenant's custom roles (all loaded)."""
        return [*self.facts.profile.roles, *self.facts.world.custom_roles]


def constraints(ctx: Context, assignment: Assignment) -> list[Condition]:
    rules = ctx.permission.constraints
    found: list[Condition] = []
    if "R1" in rules:
        found.append(_r1(ctx, assignment))
    if "R2" in rules and ctx.request.role is not None:
        found.append(_r2(ctx, assignment, ctx.request.role))
    if "grant" in rules:
        found.append(_grant_rule(ctx))
    found += _gates(ctx, assignment)
    found += [_precondition(ctx, rule) for rule in rules]
    return found


def _users_roles(
    ctx: Context, roles: Collection[str], *, levels: Collection[str] | None = None
) -> ColumnElement[bool]:
    """The target user holds one of `roles` (at an org of a kind in `levels`, when given)."""
    ra = aliased(t.RoleAssignment)
    condition = exists().where(ra.tenant_id == ctx.tenant_id, ra.user_id == ctx.target.id, ra.role.in_(roles))
    if levels is None:
        return condition
    o = aliased(t.Org)
    return condition.where(o.tenant_id == ctx.tenant_id, o.id == ra.org_id, o.kind.in_(levels))


def _r1(ctx: Context, assignment: Assignment) -> Condition:
    """rank(target) < rank(assignment); subset mode: perms(target) strictly inside perms(actor)."""
    lower = _subset_lower(ctx) if ctx.facts.profile.rank_mode == "subset" else _ordinal_lower(ctx, assignment)
    if ctx.permission.verb == "edit":
        return any_of([ctx.target.id == ctx.actor.id, lower])
    return lower


def _ordinal_lower(ctx: Context, assignment: Assignment) -> Condition:
    facts = ctx.facts
    rank, level = facts.assignment_rank(assignment.role, assignment.org)
    if (rank, level) <= (0, 0):
        return False
    universe = ctx.universe
    higher = [r for r in universe if facts.role_rank(r) > rank]
    equal = [r for r in universe if facts.role_rank(r) == rank]
    high_levels = [kind for kind, value in ORG_LEVELS.items() if value >= level]
    at_or_above = or_(_users_roles(ctx, higher), _users_roles(ctx, equal, levels=high_levels))
    if rank == 0:  # roles the profile and tenant do not know rank 0
        ra, o = aliased(t.RoleAssignment), aliased(t.Org)
        at_or_above = or_(
            at_or_above,
            exists().where(
                ra.tenant_id == ctx.tenant_id, ra.user_id == ctx.target.id, ra.role.not_in(universe),
                o.tenant_id == ctx.tenant_id, o.id == ra.org_id, o.kind.in_(high_levels),
            ),
        )  # fmt: skip
    return not_(at_or_above)


def _covering(ctx: Context, pair: Pair) -> frozenset[str]:
    """The roles whose permission pairs cover `pair` under the scope order."""
    permission, scope = pair
    return frozenset(
        role
        for role in ctx.universe
        if any((permission, wider) in ctx.facts.role_pairs(role) for wider in AT_LEAST[scope])
    )


def _subset_lower(ctx: Context) -> Condition:
    """perms(target) within perms(actor) (every role held is covered) and not the other way round."""
    facts = ctx.facts
    mine = facts.user_pairs(ctx.actor)
    if not mine:
        return False
    beyond = [r for r in ctx.universe if first_uncovered(facts.role_pairs(r), mine) is not None]
    needed = {_covering(ctx, pair) for pair in mine}
    misses_one = or_(*(not_(_users_roles(ctx, roles)) for roles in needed)) if all(needed) else true()
    return and_(not_(_users_roles(ctx, beyond)), misses_one)


def _r2(ctx: Context, assignment: Assignment, role: str) -> Condition:
    """R2 / the subset grant rule for `role` where it will be held: `at`, else the target org."""
    facts, actor = ctx.facts, ctx.actor
    if ctx.request.at is not None:
        return grant_failure(facts, actor, assignment, role, ctx.request.at.id) is None
    if ctx.target.type != "org":
        return False
    found: list[Condition] = []
    custom = role not in facts.profile.roles
    if facts.profile.rank_mode == "ordinal":
        mine = facts.assignment_rank(assignment.role, assignment.org)
        wanted = facts.role_rank(role)
        kinds = [kind for kind, level in ORG_LEVELS.items() if (wanted, level) <= mine]
        found.append(ctx.target.kind.in_(kinds))
        if not custom:
            return all_of(found)
    found.append(_holds_pairs_above(ctx, facts.role_pairs(role)))
    return all_of(found)


def _holds_pairs_above(ctx: Context, pairs: Iterable[Pair]) -> Condition:
    """For every pair, the actor holds it at an equal or wider scope at the target org or above."""
    c = aliased(t.OrgClosure)
    parts: list[Condition] = []
    for permission, scope in sorted(set(pairs)):
        roots = {
            a.org
            for a in ctx.actor.roles
            if any((permission, wider) in ctx.facts.role_pairs(a.role) for wider in AT_LEAST[scope])
        }
        if not roots:
            return False
        parts.append(
            exists().where(
                c.tenant_id == ctx.tenant_id, c.descendant_id == ctx.target.id, c.ancestor_id.in_(roots)
            )
        )
    return all_of(parts)


def _grant_rule(ctx: Context) -> Condition:
    """role.create: the new custom role holds only pairs the actor holds at its org or above."""
    if ctx.target.type != "role":
        return False
    facts = ctx.facts
    allowed = [
        role.id
        for role in facts.world.custom_roles.values()
        if missing_for_grant(facts, ctx.actor, role.id, role.org) is None
    ]
    return ctx.target.id.in_(allowed)


def _gates(ctx: Context, assignment: Assignment) -> list[Condition]:
    found: list[Condition] = []
    for gate in ctx.facts.profile.gates.get(ctx.permission.id, ()):
        if not gate.applies(ctx.permission.id, assignment.role):
            continue
        declared = ctx.facts.profile.setting(gate.setting)
        default = declared.default if declared is not None else None
        if ctx.target.type == "org":
            found.append(setting_is_true(ctx.target.id, ctx.tenant_id, gate.setting, default))
        elif ctx.target.type == "class":
            found.append(setting_is_true(ctx.target.entity.school_id, ctx.tenant_id, gate.setting, default))
        else:  # the gate org is not an org: the default applies, as in policy.settings.effective
            found.append(default is True)
    return found


def _precondition(ctx: Context, rule: str) -> Condition:
    check = _PRECONDITIONS.get(rule)
    return True if check is None else check(ctx)


def _inactive(ctx: Context) -> Condition:
    return ctx.target.entity.status == INACTIVE if ctx.target.type == "user" else False


def _invited(ctx: Context) -> Condition:
    return ctx.target.id == ctx.actor.id if ctx.actor.status == INVITED else False


def _same_school(ctx: Context) -> Condition:
    school = _class(ctx, ctx.request.to)
    return False if school is None else anchored(ctx.target, ctx.tenant_id, equals(school))


def _enrolled(ctx: Context) -> Condition:
    source = ctx.request.from_
    return False if source is None else _linked(ctx, t.Enrollment, source.id)


def _bench_number(ctx: Context) -> Condition:
    numbers = ctx.facts.profile.bench_numbers.get(ctx.permission.id)
    if numbers is None:
        return True
    return ctx.target.entity.number.in_(sorted(numbers)) if ctx.target.type == "assessment" else False


def _published(ctx: Context) -> Condition:
    return ctx.target.entity.published == true() if ctx.target.type in THING_TYPES[1:] else False


def _class(ctx: Context, ref: Ref | None) -> str | None:
    """The school of the class `ref` names, or None when it names no class."""
    found = ctx.facts.world.classes.get(ref.id) if ref is not None and ref.type == "class" else None
    return found.school if found is not None else None


def _linked(ctx: Context, link: type[t.Enrollment | t.Teaching], class_id: str) -> ColumnElement[bool]:
    return exists().where(
        link.tenant_id == ctx.tenant_id, link.user_id == ctx.target.id, link.class_id == class_id
    )


def _teaches(ctx: Context) -> Condition:
    if ctx.request.from_ is not None:
        return _linked(ctx, t.Teaching, ctx.request.from_.id)
    school = _class(ctx, ctx.request.to)
    if school is None:
        return False
    ra, c = aliased(t.RoleAssignment), aliased(t.OrgClosure)
    return exists().where(
        ra.tenant_id == ctx.tenant_id, ra.user_id == ctx.target.id,
        c.tenant_id == ctx.tenant_id, c.descendant_id == school, c.ancestor_id == ra.org_id,
    )  # fmt: skip


def _place(ctx: Context) -> Condition:
    """P-PLACE: the role fits where it will be held (`at`, else the target org) and the account kind."""
    role_id, facts = ctx.request.role, ctx.facts
    if role_id is None:
        return True
    at = ctx.request.at.id if ctx.request.at is not None else None
    built_in = facts.profile.roles.get(role_id)
    found: list[Condition] = []
    if built_in is not None:
        account = built_in.account
        if at is not None:
            found.append(at in facts.world.orgs and facts.world.orgs[at].kind in built_in.assignable_at)
        else:
            found.append(ctx.target.type == "org" and ctx.target.kind.in_(sorted(built_in.assignable_at)))
    else:
        account = STAFF
        root = facts.world.custom_roles[role_id].org
        found.append(
            facts.in_subtree(at, root) if at is not None else under(ctx.tenant_id, root)(ctx.target.id)
        )
    if ctx.permission.resource == "staff" and account != STAFF:
        return False
    if ctx.permission.id == "role.grant":
        found.append(ctx.target.type == "user" and ctx.target.kind == account)
    return all_of(found)


def any_of(parts: Iterable[Condition]) -> Condition:
    """The disjunction, folding Python constants."""
    sql: list[ColumnElement[bool]] = []
    for part in parts:
        if part is True:
            return True
        if part is not False:
            sql.append(part)
    return or_(*sql) if sql else False


_PRECONDITIONS: dict[str, Callable[[Context], Condition]] = {
    "P-INACTIVE": _inactive,
    "P-INVITED": _invited,
    "P-TEACHER-ONLY": lambda ctx: ctx.request.role == TEACHER_ROLE,
    "P-SAME-SCHOOL": _same_school,
    "P-ENROLLED": _enrolled,
    "P-TEACHES": _teaches,
    "P-BENCH-N": _bench_number,
    "P-PUBLISHED": _published,
    "P-PLACE": _place,
}


def all_of(parts: Iterable[Condition]) -> Condition:
    """The conjunction, folding Python constants."""
    sql: list[ColumnElement[bool]] = []
    for part in parts:
        if part is False:
            return False
        if part is not True:
            sql.append(part)
    return and_(*sql) if sql else True
