"""The diff of a staged roster against the stored tenant, counted for the plan and written by `apply`.

Each change is one predicate over the staging tables (`store/roster_stage.py`) and the tenant's tables,
joined on primary keys: the plan counts what it selects, and `apply` runs the matching INSERT ... SELECT,
UPDATE ... FROM or DELETE with the same predicate, so what was reported is what is written. A change that
alters nothing is not selected: an unchanged package writes no row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    true,
    union,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from homeroom.store import reach
from homeroom.store import roster_stage as rs
from homeroom.store import tables as t

INACTIVE: Final = "inactive"
MANY_LINKS: Final = 10_000  # staged class links above which the reach refresh is planned on new statistics


@dataclass(frozen=True)
class Scope:
    """Where an import may remove things: the orgs under `anchor` (None: the whole tenant)."""

    tenant_id: int
    anchor: str | None
    removal: str  # what bulk absence does: deactivate, delete or keep
    include_hand_made: bool
    bulk_users: bool
    bulk_links: bool
    mapped_roles: Collection[str]


def _in_scope(scope: Scope, org_column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    if scope.anchor is None:
        return true()
    c = t.OrgClosure
    under = select(c.descendant_id).where(c.tenant_id == scope.tenant_id, c.ancestor_id == scope.anchor)
    return org_column.in_(under)


def _user_in_scope(scope: Scope) -> ColumnElement[bool]:
    """The account has a home org or a role under the anchor."""
    uo, ra = t.UserOrg, t.RoleAssignment
    if scope.anchor is None:
        return true()
    home = exists().where(
        uo.tenant_id == scope.tenant_id, uo.user_id == t.User.id, _in_scope(scope, uo.org_id)
    )
    role = exists().where(
        ra.tenant_id == scope.tenant_id, ra.user_id == t.User.id, _in_scope(scope, ra.org_id)
    )
    return or_(home, role)


# -- users --------------------------------------------------------------------------------------------

_FIELDS: Final = ("username", "given_name", "family_name", "email", "deleted")


def _desired_status() -> ColumnElement[str]:
    """The staged status, except that an invited account stays invited until it sets its password."""
    u, s = t.User, rs.USERS.c
    return case((and_(s.status == "active", u.status == "invited"), u.status), else_=s.status)


def _changed_user(scope: Scope) -> ColumnElement[bool]:
    u, s = t.User, rs.USERS.c
    differs = [getattr(u, name).is_distinct_from(getattr(s, name)) for name in _FIELDS]
    return and_(
        u.tenant_id == scope.tenant_id,
        u.id == s.id,
        s.is_new == false(),
        or_(u.status.is_distinct_from(_desired_status()), *differs),
    )


def _absent_user(scope: Scope) -> ColumnElement[bool]:
    u = t.User
    staged = exists().where(rs.USERS.c.id == u.id)
    removable = (
        u.deleted == "none" if scope.removal == "delete" else and_(u.deleted == "none", u.status != INACTIVE)
    )
    hand_made = true() if scope.include_hand_made else u.source_id.is_not(None)
    return and_(
        literal(scope.bulk_users and scope.removal != "keep"),
        u.tenant_id == scope.tenant_id,
        removable,
        hand_made,
        not_(staged),
        _user_in_scope(scope),
    )


def _removed_by_row(scope: Scope) -> ColumnElement[bool]:
    """Staged rows that deactivate or delete a live account (delta `tobedeleted`, `enabledUser` false)."""
    u, s = t.User, rs.USERS.c
    live = and_(u.deleted == "none", u.status != INACTIVE)
    return and_(_changed_user(scope), live, or_(s.status == INACTIVE, s.deleted != "none"))


@dataclass(frozen=True)
class UserCounts:
    created: dict[str, int]
    updated: dict[str, int]
    removed: dict[str, int]
    stored: dict[str, int]
    admins_removed: int


def count_users(session: Session, scope: Scope, admin_roles: Collection[str]) -> UserCounts:
    u, s = t.User, rs.USERS.c
    created = _by_kind(session, select(s.kind, func.count()).where(s.is_new == true()).group_by(s.kind))
    updated = _by_kind(session, select(u.kind, func.count()).where(_changed_user(scope)).group_by(u.kind))
    removed_rows = _by_kind(
        session, select(u.kind, func.count()).where(_removed_by_row(scope)).group_by(u.kind)
    )
    absent = _by_kind(session, select(u.kind, func.count()).where(_absent_user(scope)).group_by(u.kind))
    removed = {k: removed_rows.get(k, 0) + absent.get(k, 0) for k in {*removed_rows, *absent}}
    hand_made = true() if scope.include_hand_made else u.source_id.is_not(None)
    live = and_(u.tenant_id == scope.tenant_id, u.deleted == "none", u.status != INACTIVE, hand_made)
    stored = _by_kind(
        session, select(u.kind, func.count()).where(live, _user_in_scope(scope)).group_by(u.kind)
    )
    return UserCounts(created, updated, removed, stored, _admins_removed(session, scope, admin_roles))


def _by_kind(session: Session, query: Any) -> dict[str, int]:
    return {str(kind): int(n) for kind, n in session.execute(query)}


def _admins_removed(session: Session, scope: Scope, admin_roles: Collection[str]) -> int:
    """Administrators the plan deactivates or deletes, or whose administrator role it revokes."""
    ra, u = t.RoleAssignment, t.User
    holds = exists().where(ra.tenant_id == scope.tenant_id, ra.user_id == u.id, ra.role.in_(admin_roles))
    removed = or_(_absent_user(scope), exists().where(_removed_by_row(scope)).correlate(u))
    accounts = session.scalar(
        select(func.count()).select_from(u).where(u.tenant_id == scope.tenant_id, holds, removed)
    )
    revoked = session.scalar(
        select(func.count()).select_from(ra).where(_role_removed(scope), ra.role.in_(admin_roles))
    )
    return int(accounts or 0) + int(revoked or 0)


def apply_users(session: Session, scope: Scope) -> None:
    """Insert the new accounts, update the changed ones, remove the absent ones."""
    u, s = t.User, rs.USERS.c
    columns = [s.id, s.kind, s.status, s.deleted, s.key, s.username, s.given_name, s.family_name, s.email]
    session.execute(
        insert(u).from_select(
            ["tenant_id", "id", "kind", "status", "deleted", "source_id", *_FIELDS[:-1]],
            select(literal(scope.tenant_id), *columns).where(s.is_new == true()).order_by(s.id),
        )
    )
    values = {name: getattr(s, name) for name in _FIELDS}
    session.execute(
        update(u)
        .where(_changed_user(scope))
        .values(status=_desired_status(), version=u.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    removal = {"deleted": "soft"} if scope.removal == "delete" else {"status": INACTIVE}
    session.execute(
        update(u)
        .where(_absent_user(scope))
        .values(version=u.version + 1, **removal)
        .execution_options(synchronize_session=False)
    )


# -- home orgs and role assignments of the staged users -----------------------------------------------


def _role_removed(scope: Scope) -> ColumnElement[bool]:
    r, ra = rs.ROLES.c, t.RoleAssignment
    kept = exists().where(
        r.user_id == ra.user_id, r.role == ra.role, r.org_id == ra.org_id, r.remove == false()
    )
    named = exists().where(
        r.user_id == ra.user_id, r.role == ra.role, r.org_id == ra.org_id, r.remove == true()
    )
    replaced = and_(exists().where(rs.USERS.c.id == ra.user_id), ra.role.in_(scope.mapped_roles), not_(kept))
    return and_(ra.tenant_id == scope.tenant_id, or_(replaced, named))


def _org_removed(scope: Scope) -> ColumnElement[bool]:
    o, uo = rs.USER_ORGS.c, t.UserOrg
    kept = exists().where(o.user_id == uo.user_id, o.org_id == uo.org_id)
    return and_(uo.tenant_id == scope.tenant_id, exists().where(rs.USERS.c.id == uo.user_id), not_(kept))


@dataclass(frozen=True)
class LinkCounts:
    roles_added: int
    roles_removed: int
    orgs_added: int
    orgs_removed: int
    teaching_added: int
    teaching_removed: int
    enrollments_added: int
    enrollments_removed: int


def count_links(session: Session, scope: Scope) -> LinkCounts:
    def count(table: Any, where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)

    return LinkCounts(
        count(rs.ROLES, _role_added_in(scope)),
        count(t.RoleAssignment, _role_removed(scope)),
        count(rs.USER_ORGS, _org_added_in(scope)),
        count(t.UserOrg, _org_removed(scope)),
        count(rs.LINKS, _link_added(scope, t.Teaching, "teach")),
        count(t.Teaching, _link_removed(scope, t.Teaching, "teach")),
        count(rs.LINKS, _link_added(scope, t.Enrollment, "enroll")),
        count(t.Enrollment, _link_removed(scope, t.Enrollment, "enroll")),
    )


def apply_links(session: Session, scope: Scope) -> None:
    """Remove the role assignments, home orgs and class links the plan removes, then add the new ones."""
    tenant = literal(scope.tenant_id)
    r, o, ln, ra, uo = rs.ROLES.c, rs.USER_ORGS.c, rs.LINKS.c, t.RoleAssignment, t.UserOrg
    session.execute(delete(ra).where(_role_removed(scope)))
    session.execute(delete(uo).where(_org_removed(scope)))
    # Rows go in in the order of the primary key: each index page is written once, not once per row.
    role_rows = (
        select(tenant, r.user_id, r.role, r.org_id, r.position)
        .where(_role_added_in(scope))
        .order_by(r.user_id, r.role, r.org_id)
    )
    session.execute(insert(ra).from_select(["tenant_id", "user_id", "role", "org_id", "position"], role_rows))
    org_rows = (
        select(tenant, o.user_id, o.org_id, o.position)
        .where(_org_added_in(scope))
        .order_by(o.user_id, o.org_id)
    )
    session.execute(insert(uo).from_select(["tenant_id", "user_id", "org_id", "position"], org_rows))
    for table, link in ((t.Teaching, "teach"), (t.Enrollment, "enroll")):
        session.execute(delete(table).where(_link_removed(scope, table, link)))
        link_rows = (
            select(tenant, ln.user_id, ln.class_id, ln.position)
            .where(_link_added(scope, table, link))
            .order_by(ln.user_id, ln.class_id)
        )
        session.execute(
            insert(table).from_select(["tenant_id", "user_id", "class_id", "position"], link_rows)
        )


def refresh_reach(session: Session, scope: Scope) -> None:
    """After `apply_links`: the reach rows (store/reach.py) of every account whose anchors may have moved.

    Those are the staged accounts (their home orgs, roles and links were rewritten) and the accounts that
    lost links into the scope's rostered classes by absence; the latter had, before the import, an anchor
    in the scope, so a reach row at its anchor. The refresh covers the staged accounts, those reached from
    the anchor (rows the delete may find stale, never ones the insert then needs: such an account was
    staged or lost links only) and those anchored in the scope now; an import of the whole tenant, all.
    After many links, statistics first (reach.analyze_sources).
    """
    staged = session.scalar(select(func.count()).select_from(rs.LINKS)) or 0
    if staged > MANY_LINKS:
        reach.analyze_sources(session)
    if scope.anchor is None:
        reach.refresh(session, scope.tenant_id)
        return
    r, tenant = t.UserReach, scope.tenant_id
    touched = union(
        select(rs.USERS.c.id),
        select(rs.USER_ORGS.c.user_id),
        select(rs.ROLES.c.user_id),
        select(rs.LINKS.c.user_id),
        select(r.user_id).where(r.tenant_id == tenant, r.org_id == scope.anchor),
        reach.anchored_under(tenant, scope.anchor),
    )
    reach.refresh(session, tenant, touched.subquery().select())


def _role_added_in(scope: Scope) -> ColumnElement[bool]:
    r, ra = rs.ROLES.c, t.RoleAssignment
    stored = exists().where(
        ra.tenant_id == scope.tenant_id, ra.user_id == r.user_id, ra.role == r.role, ra.org_id == r.org_id
    )
    return and_(r.remove == false(), not_(stored))


def _org_added_in(scope: Scope) -> ColumnElement[bool]:
    o, uo = rs.USER_ORGS.c, t.UserOrg
    return not_(
        exists().where(uo.tenant_id == scope.tenant_id, uo.user_id == o.user_id, uo.org_id == o.org_id)
    )


LinkTable = type[t.Teaching] | type[t.Enrollment]


def _link_added(scope: Scope, table: LinkTable, link: str) -> ColumnElement[bool]:
    ln = rs.LINKS.c
    stored = exists().where(
        table.tenant_id == scope.tenant_id, table.user_id == ln.user_id, table.class_id == ln.class_id
    )
    return and_(ln.link == link, ln.remove == false(), not_(stored))


def _link_removed(scope: Scope, table: LinkTable, link: str) -> ColumnElement[bool]:
    """Stored links a delta row removes, or, with a bulk enrollments file, that the file no longer holds.

    Bulk absence only touches links into rostered classes (hand-made classes keep their rosters) in the
    import's scope.
    """
    ln, c = rs.LINKS.c, t.SchoolClass
    named = exists().where(
        ln.link == link, ln.user_id == table.user_id, ln.class_id == table.class_id, ln.remove == true()
    )
    kept = exists().where(
        ln.link == link, ln.user_id == table.user_id, ln.class_id == table.class_id, ln.remove == false()
    )
    rostered = exists().where(
        c.tenant_id == scope.tenant_id,
        c.id == table.class_id,
        c.source_id.is_not(None),
        _in_scope(scope, c.school_id),
    )
    absent = and_(literal(scope.bulk_links), rostered, not_(kept))
    return and_(table.tenant_id == scope.tenant_id, or_(named, absent))


# -- checks against stored data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    line: int
    value: str
    code: str
    expected: str


def clashes(session: Session, tenant_id: int, *, limit: int) -> list[Clash]:
    """Staged users that would break a stored rule: a username another account holds, or a kind change."""
    u, s = t.User, rs.USERS.c
    found: list[Clash] = []
    taken = (
        select(s.line, s.username)
        .join(u, and_(u.tenant_id == tenant_id, u.username == s.username, u.id != s.id))
        .order_by(s.line)
        .limit(limit)
    )
    found += [
        Clash(line, name, "username_taken", "a username no other account holds")
        for line, name in session.execute(taken)
    ]
    twice = (
        select(func.min(s.line), s.username)
        .where(s.username.is_not(None))
        .group_by(s.username)
        .having(func.count() > 1)
        .limit(limit)
    )
    found += [
        Clash(line, name, "duplicate_username", "a username used once in the package")
        for line, name in session.execute(twice)
    ]
    kind = select(s.line, s.key, u.kind).join(
        u, and_(u.tenant_id == tenant_id, u.id == s.id, u.kind != s.kind)
    )
    found += [
        Clash(
            line,
            key,
            "account_kind_change",
            f"the stored account's kind ({stored}): an account cannot change kind",
        )
        for line, key, stored in session.execute(kind.order_by(s.line).limit(limit))
    ]
    return found
