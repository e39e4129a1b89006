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
Lists of students whose every granting scope is `assigned` (a teacher's) *merge the classes*: their
pages merge the enrollment ranges of the classes taught in user order (store/merges.py), so a first page
reads about a page of entries from each class instead of testing every student of every class.
Other lists walk the users in id order, testing each row (docs/store.md, "Lists at scale").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased

from homeroom.policy.facts import Facts
from homeroom.policy.profiles import Profile
from homeroom.policy.scopes import covers
from homeroom.policy.world import (
    NOT_DELETED,
    Assignment,
    Check,
    Org,
)
from homeroom.store import tables as t
from homeroom.store.anchors import candidates, enrolled_student, scope_covers, target_for
from homeroom.store.arguments import arguments_pass, lifecycle, target_kinds
from homeroom.store.constraints import Condition, Context, Request, all_of, any_of, constraints
from homeroom.store.facts import load_world
from homeroom.store.merges import AFTER, ClassMerge
from homeroom.store.snapshots import Snapshot

DEFAULT_PAGE = 100
# Scopes that admit only users anchored in the assignment's subtree: all but `self`.
WITHIN_ROOT = frozenset({"subtree", "org", "assigned", "created"})
ASSIGNED = frozenset({"assigned"})
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
    merge: ClassMerge | None = None  # pages merged from class ranges instead of `pages`

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
    if actor is None or not arguments_pass(request, permission, actor, facts):
        return _Built.denied(statement)
    kinds = target_kinds(permission, request.target_type)
    if kinds is False:
        return _Built.denied(statement)
    ctx = Context(request, permission, actor, facts, target, tenant_id)
    granted = any_of([_assignment(ctx, a) for a in actor.roles])
    if granted is False:
        return _Built.denied(statement)
    where = [lifecycle(target, permission.verb)]
    if kinds is not True:
        where.append(target.kind.in_(sorted(kinds)))
    walk = _reach_walk(ctx, kinds) if granted is not True else None
    if walk is not None:
        return _walking(ctx, statement.where(*where), granted, walk)
    classes = _merged_classes(ctx) if granted is not True else None
    if classes:
        return _merging(ctx, statement.where(*where), granted, classes)
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


def _merging(ctx: Context, statement: Select[str], granted: Condition, classes: tuple[str, ...]) -> _Built:
    """Pages merged from the enrollment ranges of `classes` in user order.

    Every row of those ranges is enrolled in one of them, so an assignment whose live classes include
    them all has its `assigned` scope hold there: the arms' condition is built again without that test
    (the statement, for `allows` and `accessible`, keeps it)."""
    merged = frozenset(classes)
    inside = any_of([_assignment(ctx, a, merged=merged) for a in ctx.actor.roles])
    condition = and_(statement.whereclause if statement.whereclause is not None else true(), _sql(inside))
    merge = ClassMerge(ctx.tenant_id, classes, ctx.target, condition)
    whole = statement.where(_sql(granted))
    return _Built(whole, whole, (ctx.target.id,), ctx.target.id, merge)


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
    built = _accessible(session, tenant_id, profile, request, snapshot)
    statement, parameters = _page_query(session, built, after, limit)
    ids = tuple(session.scalars(statement, parameters))
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
    statement, parameters = _page_query(session, built, after, limit)
    return statement.params(parameters) if parameters else statement


def _page_query(
    session: Session, built: _Built, after: str | None, limit: int
) -> tuple[Select[str], dict[str, str]]:
    if built.merge is not None:  # built once, the keyset a parameter
        statement = built.merge.page(
            session.get_bind().dialect.name, keyset=after is not None, limit=limit + 1
        )
        return statement, {} if after is None else {AFTER: after}
    statement = built.pages
    if after is not None:
        statement = statement.where(*(key > after for key in built.keys))
    return statement.order_by(built.order).limit(limit + 1), {}


def _assignment(
    ctx: Context, assignment: Assignment, *, walked: str | None = None, merged: frozenset[str] = frozenset()
) -> Condition:
    """Steps 5 and 6 for one assignment: the condition on target rows under which it allows (on rows of
    the reach range of `walked`, or of students enrolled in one of the classes `merged`, if given)."""
    facts, actor = ctx.facts, ctx.actor
    cell = facts.role_cell(assignment.role, ctx.permission.id)
    if not cell or not _placed(facts, assignment):
        return False
    covered: Condition = True
    for name in ctx.permission.scope_checked:
        if name == "target":
            covered = _target_covered(ctx, cell, assignment, walked, merged)
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


def _merged_classes(ctx: Context) -> tuple[str, ...] | None:
    """The live classes of every granting assignment, when the list is of users and every granting
    (assignment, scope) is `assigned`: the accessible set is then inside their enrollments."""
    if ctx.target.type != "user" or "target" not in ctx.permission.scope_checked:
        return None
    classes: set[str] = set()
    for assignment in ctx.actor.roles:
        cell = ctx.facts.role_cell(assignment.role, ctx.permission.id)
        if not cell or not _placed(ctx.facts, assignment):
            continue
        if cell != ASSIGNED:
            return None
        classes.update(_classes(ctx, assignment.org))
    return tuple(sorted(classes))


def _root(ctx: Context, org_id: str) -> Org:
    """The assignment's org from the facts (an org they lack has no known kind: nothing is bounded)."""
    return ctx.facts.world.orgs.get(org_id) or Org(org_id, kind="")


def _classes(ctx: Context, root: str) -> list[str]:
    """The actor's live classes under `root` (the `assigned` scope)."""
    return sorted(c for c in ctx.actor.teaches if ctx.facts.teaches_in(ctx.actor, c, root))


def _target_covered(
    ctx: Context, cell: frozenset[str], assignment: Assignment, walked: str | None, merged: frozenset[str]
) -> Condition:
    actor, root = ctx.actor, _root(ctx, assignment.org)
    if "subtree" in cell and root.id == walked and ctx.target.type == "user":
        return True  # every row of the walked range is a user anchored in subtree(root)
    classes = _classes(ctx, root.id)
    inside = bool(merged) and merged <= set(classes)  # the row is enrolled in one of these classes
    parts = [
        enrolled_student(ctx.target)
        if scope == "assigned" and inside
        else scope_covers(ctx.target, ctx.tenant_id, scope, actor=actor.id, root=root, classes=classes)
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
