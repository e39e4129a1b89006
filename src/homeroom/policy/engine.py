"""decide(check, facts) -> Decision: the one authorization function (model.md 7).

Semantics, never bent:
* Default deny. Only an assignment whose cell covers every scope-checked argument and that passes every
  constraint allows; anything else, including a permission the profile lacks, denies.
* Steps run in the order of model.md 7 and the first deny ends the check: known permission, actor gate,
  lifecycle, type gate, then per assignment its grant and scope, then its constraints (rank, grant rule,
  gates, preconditions).
* A role held at an org reaches down its subtree only through the `subtree` scope; restrictions (scopes,
  ranks, gates, preconditions) only ever narrow.
* Each assignment is evaluated on its own; scopes and gates are never mixed across assignments.
* Pure and deterministic: no I/O, no clock, no randomness; the world is never changed.
* Fail closed: an error while evaluating is a deny with rule `error`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from homeroom.policy import preconditions
from homeroom.policy.catalog import Permission
from homeroom.policy.decisions import (
    ACTOR,
    ERROR,
    GRANT,
    LIFECYCLE,
    NO_GRANT,
    SCOPE,
    TYPE,
    UNKNOWN_PERMISSION,
    Decision,
    Reason,
    deny,
    deny_after,
)
from homeroom.policy.facts import Entity, Facts
from homeroom.policy.preconditions import Context, argument
from homeroom.policy.profiles import Profile, Scope, format_scope
from homeroom.policy.ranks import grant_failure, missing_for_grant, strictly_lower
from homeroom.policy.scopes import tests_for
from homeroom.policy.settings import effective
from homeroom.policy.world import (
    ACTIVE,
    INVITED,
    NOT_DELETED,
    PURGED,
    SOFT_DELETED,
    Assignment,
    Check,
    CustomRole,
    Ref,
    SchoolClass,
    User,
)

SETUP_OWN_ACCOUNT = "staff.setup_own_account"
_TYPE_PRECONDITIONS = ("P-KIND", "P-SCHOOL", "P-GROUP", "P-STAFF")


def decide(check: Check, facts: Facts) -> Decision:  # noqa: C901 - one function on purpose (below)
    """May `check.actor` do `check.permission` to `check.target`? Always a Decision, never an exception.

    The body is one function on purpose: it runs for every check, and each Python call it saves is a
    measurable share of one (docs/benchmarks.md, "Checks")."""
    try:
        profile = facts.profile
        permission = profile.permissions.get(check.permission)
        if permission is None:
            return deny(UNKNOWN_PERMISSION, f"profile {profile.id} has no permission {check.permission}")
        world = facts.world
        actor = world.users.get(check.actor)
        if (
            actor is None
            or actor.deleted != NOT_DELETED
            or actor.status != (INVITED if check.permission == SETUP_OWN_ACCOUNT else ACTIVE)
        ):
            return _actor_denial(actor, check)
        # Steps 3 and 4: most checks name a live target of an accepted kind and nothing else, and pass
        # them here; the general walk decides exactly the same for those and writes every deny's message.
        ref = check.target
        target = world.users.get(ref.id) if ref.type == "user" else world.entity(ref)
        kinds = permission.target_acceptance.get(ref.type, _REFUSED)
        if (
            target is None
            or target.deleted != NOT_DELETED
            or check.to is not None
            or check.from_ is not None
            or check.at is not None
            or check.role is not None
            or permission.verb == "recover"
            or kinds is _REFUSED
            or (kinds is not None and (target.kind if type(target) is User else kind_of(target)) not in kinds)
        ):
            early = _arguments_gate(check, permission, facts)
            if early is not None:
                return early
        steps = profile.compiled.get(permission.id)
        if steps is None:
            steps = _compile_steps(profile, permission)
        by_role = profile.cells.get(permission.id, _NO_CELLS)
        considered: list[Reason] = []
        for assignment in actor.roles:
            cell = by_role.get(assignment.role)
            if cell is None:
                cell = facts.role_cell(assignment.role, permission.id)
            reason = _evaluate(check, permission, actor, facts, assignment, cell, steps)
            if reason.rule == GRANT:
                return Decision(True, reason)  # noqa: FBT003 - positional: the hot path
            considered.append(reason)
        if len(considered) == 1:  # deny_after's answer for one assignment, without the call
            return Decision(False, considered[0], (considered[0],))  # noqa: FBT003 - the hot path
        return deny_after(considered)
    except Exception as error:  # noqa: BLE001 - fail closed: any evaluation failure is a deny
        return deny(ERROR, f"evaluation failed ({type(error).__name__}: {error})")


_NO_CELLS: Final[Mapping[str, Scope]] = MappingProxyType({})
# marks a target type the permission does not accept (compared by identity: a set of its own)
_REFUSED: Final = frozenset[str | None]({"(refused)"})


def _actor_denial(actor: User | None, check: Check) -> Decision:
    """Step 2's deny: no actor, a deleted one, or one whose status the permission does not accept."""
    if actor is None:
        return deny(ACTOR, f"there is no user {check.actor}")
    if actor.deleted != NOT_DELETED:
        return deny(ACTOR, f"{actor.id} is deleted ({actor.deleted})")
    needed = INVITED if check.permission == SETUP_OWN_ACCOUNT else ACTIVE
    return deny(ACTOR, f"{actor.id} is {actor.status}; {check.permission} needs an {needed} actor")


Named = list[tuple[str, Ref, Entity | None]]


def _arguments_gate(check: Check, permission: Permission, facts: Facts) -> Decision | None:
    """Steps 3 and 4 (lifecycle, type gate) over every object the check names."""
    named = _resolve(check, facts)
    return _lifecycle(check, permission, named, facts) or _type_gate(permission, named)


def _resolve(check: Check, facts: Facts) -> Named:
    """The objects the check names, looked up once: (argument, reference, object or None)."""
    entity = facts.world.entity
    named: Named = [("target", check.target, entity(check.target))]
    if check.to is None and check.from_ is None and check.at is None:
        return named
    for name, ref in (("to", check.to), ("from", check.from_), ("at", check.at)):
        if ref is not None:
            named.append((name, ref, entity(ref)))
    return named


def _lifecycle(check: Check, permission: Permission, named: Named, facts: Facts) -> Decision | None:
    for name, ref, entity in named:
        if entity is None:
            return deny(LIFECYCLE, f"{name} {ref} does not exist")
        if entity.deleted == PURGED:
            return deny(LIFECYCLE, f"{name} {ref} is purged")
        if name != "target" and entity.deleted == SOFT_DELETED:
            return deny(LIFECYCLE, f"{name} {ref} is deleted")
    if check.role is not None and check.role not in facts.profile.roles:
        custom = facts.world.custom_roles.get(check.role)
        if custom is None or custom.deleted != NOT_DELETED:
            return deny(LIFECYCLE, f"role {check.role} does not exist or is deleted")
    target = named[0][2]
    assert target is not None  # noqa: S101 - checked in the loop above
    verb = permission.verb
    if target.deleted == SOFT_DELETED and verb not in ("recover", "purge"):
        return deny(LIFECYCLE, f"{check.target} is soft-deleted: only recover or purge may act on it")
    if verb == "recover" and target.deleted != SOFT_DELETED:
        return deny(LIFECYCLE, f"{check.target} is not deleted: there is nothing to recover")
    return None


def kind_of(entity: Entity) -> str | None:
    """The kind the catalog narrows a type by: org and user kinds, assessment kinds, `custom` for roles."""
    if isinstance(entity, CustomRole):
        return "custom"
    if isinstance(entity, SchoolClass):
        return None
    return entity.kind


def _type_gate(permission: Permission, named: Named) -> Decision | None:
    for name, ref, entity in named:
        assert entity is not None  # noqa: S101 - the lifecycle step denied otherwise
        kind = kind_of(entity)
        if not permission.accepts(name, ref.type, kind):
            specs = permission.target if name == "target" else permission.args.get(name, ())
            right_type = any(spec.type == ref.type for spec in specs)
            rule = _type_rule(permission, name) if right_type else TYPE
            wanted = " | ".join(str(spec) for spec in specs) or "nothing"
            return deny(rule, f"{name} must be {wanted}, got {ref.type}({kind or '-'}) {ref.id}")
    return None


def _type_rule(permission: Permission, name: str) -> str:
    if name == "target":
        for rule in _TYPE_PRECONDITIONS:
            if rule in permission.constraints:
                return rule
    return TYPE


def _evaluate(  # noqa: PLR0913, PLR0917 - the hot path passes what it has rather than build a context per check
    check: Check,
    permission: Permission,
    actor: User,
    facts: Facts,
    assignment: Assignment,
    cell: Scope,
    steps: tuple[Step, ...],
) -> Reason:
    """Steps 5 and 6 for one assignment: a `grant` reason when it allows, else why not."""
    label = assignment.label
    if not cell:
        return Reason(NO_GRANT, f"{assignment.role} does not hold {permission.id}", label)
    if assignment.role not in facts.profile.roles and not _placed(facts, assignment):
        return Reason(NO_GRANT, f"{label} is held outside the custom role's org", label)
    granted_by: str | None = None
    for name in permission.scope_checked:
        ref = check.target if name == "target" else argument(check, name)
        if ref is None:
            continue
        atomic = None
        for scope, test in tests_for(cell):  # scopes.covers, inline
            if test(ref, actor, assignment.org, facts):
                atomic = scope
                break
        if atomic is None:
            return Reason(SCOPE, f"{name} {ref.type}:{ref.id} is outside {label}:{format_scope(cell)}", label)
        granted_by = granted_by or atomic
    if steps:
        failed = _constraints(Context(check, permission, actor, facts), assignment, steps)
        if failed is not None:
            return Reason(failed[0], failed[1], label)
    scope = granted_by or format_scope(cell)
    return Reason(GRANT, f"{label} holds {permission.id} at scope {scope}", label, scope)


def _placed(facts: Facts, assignment: Assignment) -> bool:
    """A custom role grants only where it may be held: at its own org or below."""
    custom = facts.world.custom_roles.get(assignment.role)
    return (
        custom is not None and custom.deleted == NOT_DELETED and facts.in_subtree(assignment.org, custom.org)
    )


def _constraints(ctx: Context, assignment: Assignment, steps: tuple[Step, ...]) -> Failure:
    """Step 6 in order: rank rules, the grant rule, gates, then preconditions; the first failure."""
    for step in steps:
        failed = step(ctx, assignment)
        if failed is not None:
            return failed
    return None


Failure = tuple[str, str] | None  # (rule, message)
Step = Callable[[Context, Assignment], Failure]


def _compile_steps(profile: Profile, permission: Permission) -> tuple[Step, ...]:
    """The constraint steps that apply to the permission under the profile, kept in the profile: most
    permissions have none, and a check should not test for each kind of step it lacks."""
    constraints = permission.constraints
    steps: list[Step] = [
        step for rule, step in (("R1", _r1), ("R2", _r2), ("grant", _grant_rule)) if rule in constraints
    ]
    if profile.gates.get(permission.id):
        steps.append(_gate)
    steps.extend(_precondition(rule, check) for rule, check in preconditions.checks_for(permission))
    compiled = profile.compiled[permission.id] = tuple(steps)
    return compiled


def _precondition(rule: str, check: Callable[[Context], str | None]) -> Step:
    def step(ctx: Context, _assignment: Assignment) -> Failure:
        message = check(ctx)
        return None if message is None else (rule, message)

    return step


def _r1(ctx: Context, assignment: Assignment) -> Failure:
    target = ctx.target_user()
    if ctx.permission.verb == "edit" and target.id == ctx.actor.id:
        return None
    if strictly_lower(ctx.facts, target, ctx.actor, assignment):
        return None
    return ("R1", f"{target.id} does not rank strictly below {assignment}")


def _r2(ctx: Context, assignment: Assignment) -> Failure:
    if ctx.check.role is None:
        return None
    failure = grant_failure(ctx.facts, ctx.actor, assignment, ctx.check.role, ctx.place_org())
    return None if failure is None else ("R2", failure)


def _grant_rule(ctx: Context, _assignment: Assignment) -> Failure:
    role = ctx.facts.world.custom_roles[ctx.check.target.id]
    missing = missing_for_grant(ctx.facts, ctx.actor, role.id, role.org)
    if missing is None:
        return None
    permission, scope = missing
    lacks = f"which {ctx.actor.id} lacks at {role.org} or above"
    return ("grant rule", f"{role.id} holds {permission} at {scope}, {lacks}")


def _gate(ctx: Context, assignment: Assignment) -> Failure:
    for gate in ctx.facts.profile.gates.get(ctx.permission.id, ()):
        if not gate.applies(ctx.permission.id, assignment.role):
            continue
        org = ctx.gate_org()
        value = effective(ctx.facts, org, gate.setting)
        if value.value is not True:
            source = value.source or "the default"
            return (f"gate {gate.setting}", f"{gate.setting} is {value.value!r} at {org} (from {source})")
    return None
