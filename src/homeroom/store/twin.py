"""The SQL twin of decide(): for an actor, a permission and the check's other arguments, the statement
selecting exactly the targets of one type that decide() would allow.

Everything that does not read the target row is settled once in Python with the policy's own code on
facts loaded by the store (known permission, actor gate, lifecycle and type of `to`/`from`/`at`/`role`,
each assignment's cell, custom-role placement, scopes of the non-target arguments, R2 at `at`). What
reads the target becomes SQL: its lifecycle and kind, then the union over the actor's assignments of
"the cell's scopes cover it" and "its constraints hold" (anchors.py, constraints.py). No post-filter:
the statement is the whole answer, so lists are complete by construction.

A single check asks whether the target is in the set (`allows`); lists page through the same statement
in id order with a keyset (`page`).

Lists of users over a bounded population (every granting scope is `assigned`, `org`, `self`, `created`
or `subtree` of a school) are *driven*: the statement has, at its top level, a condition the database
can start from: the scope's own (`target.id IN (candidates)`, ids read from the anchor indexes, see
anchors.candidates; `id = :actor`; `created_by = :actor`) or, with several (assignment, scope) pairs,
the union of all their candidates next to the OR, which implies it, so the set is unchanged. The
database starts from a few hundred ids instead of walking a million users in id order, and driven pages
sort by `id || ''`, which no index provides, so that PostgreSQL cannot choose the walk anyway (it takes
the candidates' repeats for distinct users and underestimates the walk).

Lists of one kind of user whose every granting scope lies under one org (`subtree` there, with `org`,
`assigned` or `created` beside it: everything but `self`) *walk the reach*: their pages join the user
reach table's range (tenant, org, kind, user) and are cut and ordered by its user column, so a page of
a district's or the customer's students reads about a page of index entries, whatever the tenant's size.
Other lists walk the users in id order, testing each row (docs/store.md, "Lists at scale").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased

from homeroom.policy.catalog import Permission
from homeroom.policy.engine import kind_of
from homeroom.policy.facts import Facts
from homeroom.policy.profiles import Profile
from homeroom.policy.scopes import covers
from homeroom.policy.world import (
    ACTIVE,
    INVITED,
    NOT_DELETED,
    PURGED,
    SOFT_DELETED,
    Assignment,
    Check,
    Org,
    User,
)
from homeroom.store import tables as t
from homeroom.store.anchors import Target, candidates, scope_covers, target_for
from homeroom.store.constraints import Condition, Context, Request, all_of, any_of, constraints
from homeroom.store.facts import load_world
from homeroom.store.snapshots import Snapshot

SETUP_OWN_ACCOUNT = "staff.setup_own_account"
DEFAULT_PAGE = 100
# Scopes that admit only users anchored in the assignment's subtree: all but `self`.
WITHIN_ROOT = frozenset({"subtree", "org", "assigned", "created"})
_REACH = aliased(t.UserReach, name="reach")  # the walked range; probes in conditions use the table


@dataclass(frozen=True)
class Page:
    ids: tuple[str, ...]
    next_after: str | None  # None: this was the last page


@dataclass(frozen=True)
class _Built:
    """The accessible set, and the same set shaped for keyset pages: cut after the key on each of `keys`
    (the id, or the walked range's user and the id: both sides of the join get the bound), sorted by
    `order`."""

    statement: Select[str]
    pages: Select[str]
    keys: tuple[ColumnElement[str], ...]
    order: ColumnElement[Any]

    @classmethod
    def denied(cls, statement: Select[str]) -> _Built:
        nothing = statement.where(false())
        column = statement.selected_columns[0]
        return cls(nothing, nothing, (column,), column)


def accessible(
    session: Session, tenant_id: int, profile: Profile, request: Request, *, snapshot: Snapshot | None = None
) -> Select[str]:
    """SELECT target.id for every target of `request.target_type` that decide() would allow."""
    return _accessible(session, tenant_id, profile, request, snapshot).statement


def _accessible(
    session: Session, tenant_id: int, profile: Profile, request: Request, snapshot: Snapshot | None
) -> _Built:
    """The statement, and the shape its pages take (driven, walking the reach, or walking the users).

    With a snapshot, built once per (tenant, revision, profile, request): everything it is built from
    (the actor's facts, the tree, settings, custom roles) is covered by the revision, so a walk of many
    pages, or a list asked for again, loads no facts and builds nothing."""
    if snapshot is not None:
        key = ("twin", profile.id, request)
        return snapshot.memo(key, lambda: _build(session, tenant_id, profile, request, snapshot))
    return _build(session, tenant_id, profile, request, None)


def _build(
    session: Session, tenant_id: int, profile: Profile, request: Request, snapshot: Snapshot | None
) -> _Built:
    target = target_for(request.target_type)
    statement = select(target.id).where(target.rows(tenant_id))
    permission = profile.permissions.get(request.permission)
    if permission is None:
        return _Built.denied(statement)
    refs = [r for r in (request.to, request.from_, request.at) if r is not None]
    roles = [request.role] if request.role is not None else []
    world = load_world(
        session,
        tenant_id,
        users=[request.actor],
        refs=refs,
        roles=roles,
        all_custom_roles=True,
        snapshot=snapshot,
    )
    facts = Facts(world, profile)
    actor = world.users.get(request.actor)
    if actor is None or not _arguments_pass(request, permission, actor, facts):
        return _Built.denied(statement)
    kinds = _target_kinds(permission, request.target_type)
    if kinds is False:
        return _Built.denied(statement)
    ctx = Context(request, permission, actor, facts, target, tenant_id)
    granted = any_of([_assignment(ctx, a) for a in actor.roles])
    if granted is False:
        return _Built.denied(statement)
    where = [_lifecycle(target, permission.verb)]
    if kinds is not True:
        where.append(target.kind.in_(sorted(kinds)))
    walk = _reach_walk(ctx, kinds) if granted is not True else None
    if walk is not None:
        return _walking(ctx, statement.where(*where), granted, walk)
    found = _candidates(ctx) if granted is not True else None
    if found is not None and len(found) > 1:  # a union of conditions: give the database one to start from
        where.append(target.id.in_(union_all(*(select_ for group in found for select_ in group))))
    if granted is not True:
        where.append(granted)
    statement = statement.where(*where)
    order = target.id.concat("") if found is not None else target.id  # see the module's docstring
    return _Built(statement, statement, (target.id,), order)


def _walking(ctx: Context, statement: Select[str], granted: Condition, walk: tuple[str, str]) -> _Built:
    """Pages that walk the reach range of `walk` = (root, kind) in user order.

    Inside the range the `subtree` scope at the root holds by construction, so the pages' condition is
    built again without it: left in, PostgreSQL merges its probe with a scan of the whole range."""
    root, kind = walk
    target, r = ctx.target, _REACH
    inside = any_of([_assignment(ctx, a, walked=root) for a in ctx.actor.roles])
    pages = statement.join(r, and_(r.tenant_id == target.tenant_id, r.user_id == target.id)).where(
        r.tenant_id == ctx.tenant_id, r.org_id == root, r.kind == kind
    )
    if inside is not True:
        pages = pages.where(false() if inside is False else inside)
    key = cast("ColumnElement[str]", r.user_id)
    return _Built(statement.where(_sql(granted)), pages, (key, target.id), key)


def _sql(condition: Condition) -> ColumnElement[bool]:
    return true() if condition is True else false() if condition is False else condition


def allows(session: Session, tenant_id: int, profile: Profile, check: Check) -> bool:
    """Is the check's target in the actor's accessible set? (decide() through the twin)"""
    request = Request(
        check.actor, check.permission, check.target.type, check.to, check.from_, check.role, check.at
    )
    statement = accessible(session, tenant_id, profile, request)
    target = statement.selected_columns[0]
    return session.execute(statement.where(target == check.target.id).limit(1)).first() is not None


def page(  # noqa: PLR0913 - the request and its page
    session: Session,
    tenant_id: int,
    profile: Profile,
    request: Request,
    *,
    after: str | None = None,
    limit: int = DEFAULT_PAGE,
    snapshot: Snapshot | None = None,
) -> Page:
    """One page of the accessible set in id order, after the id `after` (keyset pagination)."""
    statement = page_statement(
        session, tenant_id, profile, request, after=after, limit=limit, snapshot=snapshot
    )
    ids = tuple(session.scalars(statement))
    if len(ids) > limit:
        return Page(ids[:limit], ids[limit - 1])
    return Page(ids, None)


def page_statement(  # noqa: PLR0913 - the request and its page
    session: Session,
    tenant_id: int,
    profile: Profile,
    request: Request,
    *,
    after: str | None = None,
    limit: int = DEFAULT_PAGE,
    snapshot: Snapshot | None = None,
) -> Select[str]:
    """The statement `page` runs: up to `limit` + 1 ids after `after`, in id order."""
    built = _accessible(session, tenant_id, profile, request, snapshot)
    statement = built.pages
    if after is not None:
        statement = statement.where(*(key > after for key in built.keys))
    return statement.order_by(built.order).limit(limit + 1)


def _arguments_pass(request: Request, permission: Permission, actor: User, facts: Facts) -> bool:
    """model.md 7 steps 2-4 for everything but the target: the actor, `to`/`from`/`at` and `role`."""
    needed = INVITED if request.permission == SETUP_OWN_ACCOUNT else ACTIVE
    if actor.deleted != NOT_DELETED or actor.status != needed:
        return False
    for name in ("to", "from", "at"):
        ref = request.argument(name)
        if ref is None:
            continue
        entity = facts.world.entity(ref)
        if entity is None or entity.deleted != NOT_DELETED:
            return False
        if not permission.accepts(name, ref.type, kind_of(entity)):
            return False
    if request.role is not None and request.role not in facts.profile.roles:
        custom = facts.world.custom_roles.get(request.role)
        return custom is not None and custom.deleted == NOT_DELETED
    return True


def _target_kinds(permission: Permission, target_type: str) -> bool | frozenset[str]:
    """True: any kind of this type; a set: only these kinds; False: the type gate denies the type."""
    specs = [spec for spec in permission.target if spec.type == target_type]
    if not specs:
        return False
    if any(spec.kinds is None for spec in specs):
        return True
    return frozenset().union(*(spec.kinds or () for spec in specs))


def _lifecycle(target: Target, verb: str) -> ColumnElement[bool]:
    """Purged targets never; soft-deleted ones only for recover (which needs them) and purge."""
    deleted: ColumnElement[str] = target.deleted
    if verb == "recover":
        return deleted == SOFT_DELETED
    if verb == "purge":
        return deleted != PURGED
    return deleted == NOT_DELETED


def _assignment(ctx: Context, assignment: Assignment, *, walked: str | None = None) -> Condition:
    """Steps 5 and 6 for one assignment: the condition on target rows under which it allows (on rows of
    the reach range of `walked`, if given)."""
    facts, actor = ctx.facts, ctx.actor
    cell = facts.role_cell(assignment.role, ctx.permission.id)
    if not cell or not _placed(facts, assignment):
        return False
    covered: Condition = True
    for name in ctx.permission.scope_checked:
        if name == "target":
            covered = _target_covered(ctx, cell, assignment, walked)
            continue
        ref = ctx.request.argument(name)
        if ref is not None and covers(cell, ref, actor, assignment.org, facts) is None:
            return False
    return all_of([covered, *constraints(ctx, assignment)])


def _candidates(ctx: Context) -> list[list[Select[Any]]] | None:
    """For every granting (assignment, scope), the selects of anchors.candidates; None when one of them
    is unbounded or the permission does not look at the target."""
    found = []
    actor = ctx.actor
    for assignment in actor.roles:
        cell = ctx.facts.role_cell(assignment.role, ctx.permission.id)
        if not cell or not _placed(ctx.facts, assignment):
            continue
        if "target" not in ctx.permission.scope_checked:
            return None
        root, classes = _root(ctx, assignment.org), _classes(ctx, assignment.org)
        for scope in sorted(cell):
            selects = candidates(ctx.target, ctx.tenant_id, scope, actor=actor.id, root=root, classes=classes)
            if selects is None:
                return None
            found.append(selects)
    return found or None


def _reach_walk(ctx: Context, kinds: bool | frozenset[str]) -> tuple[str, str] | None:
    """(root, kind) when the list is of users of one kind and every granting (assignment, scope) lies
    under one org, `subtree` among them: the accessible set is then inside that org's reach range."""
    if ctx.target.type != "user" or kinds is True or kinds is False or len(kinds) != 1:
        return None
    if "target" not in ctx.permission.scope_checked:
        return None
    roots: set[str] = set()
    subtree = False
    for assignment in ctx.actor.roles:
        cell = ctx.facts.role_cell(assignment.role, ctx.permission.id)
        if not cell or not _placed(ctx.facts, assignment):
            continue
        if not cell <= WITHIN_ROOT:
            return None
        roots.add(assignment.org)
        subtree = subtree or "subtree" in cell
    if len(roots) != 1 or not subtree:
        return None
    return roots.pop(), next(iter(kinds))


def _root(ctx: Context, org_id: str) -> Org:
    """The assignment's org from the facts (an org they lack has no known kind: nothing is bounded)."""
    return ctx.facts.world.orgs.get(org_id) or Org(org_id, kind="")


def _classes(ctx: Context, root: str) -> list[str]:
    """The actor's live classes under `root` (the `assigned` scope)."""
    return sorted(c for c in ctx.actor.teaches if ctx.facts.teaches_in(ctx.actor, c, root))


def _target_covered(
    ctx: Context, cell: frozenset[str], assignment: Assignment, walked: str | None
) -> Condition:
    actor, root = ctx.actor, _root(ctx, assignment.org)
    if "subtree" in cell and root.id == walked and ctx.target.type == "user":
        return True  # every row of the walked range is a user anchored in subtree(root)
    classes = _classes(ctx, root.id)
    parts = [
        scope_covers(ctx.target, ctx.tenant_id, scope, actor=actor.id, root=root, classes=classes)
        for scope in sorted(cell)
    ]
    return or_(*parts)


def _placed(facts: Facts, assignment: Assignment) -> bool:
    """A custom role grants only where it may be held: at its own org or below (as engine._placed)."""
    if assignment.role in facts.profile.roles:
        return True
    custom = facts.world.custom_roles.get(assignment.role)
    return (
        custom is not None and custom.deleted == NOT_DELETED and facts.in_subtree(assignment.org, custom.org)
    )
