"""Read a tenant's subtree for a OneRoster export, streamed: orgs, classes, users, memberships, links.

Every object is named by its key: the external id it was imported with, else its Homeroom id (what an
import matches a hand-made object by). Soft-deleted and purged objects are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from sqlalchemy import and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from homeroom.store import tables as t

BATCH: Final = 5000


def _key(table: Any) -> Any:
    return func.coalesce(table.source_id, table.id)


def _under(tenant_id: int, anchor: str, column: Any) -> Any:
    c = t.OrgClosure
    return column.in_(select(c.descendant_id).where(c.tenant_id == tenant_id, c.ancestor_id == anchor))


def _stream(session: Session, query: Any) -> Iterator[tuple[Any, ...]]:
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        yield tuple(row)


def orgs(session: Session, tenant_id: int, anchor: str) -> Iterator[tuple[Any, ...]]:
    """(key, kind, name, active, parent_key) of the anchor (no parent) and every org under it."""
    o, p = t.Org, aliased(t.Org)
    parent = case((o.id == anchor, None), else_=_key(p))
    query = (
        select(_key(o), o.kind, o.name, o.active, parent)
        .outerjoin(p, and_(p.tenant_id == o.tenant_id, p.id == o.parent_id))
        .where(o.tenant_id == tenant_id, o.deleted == "none", _under(tenant_id, anchor, o.id))
        .order_by(o.id)
    )
    return _stream(session, query)


def classes(session: Session, tenant_id: int, anchor: str) -> Iterator[tuple[Any, ...]]:
    """(key, name, status, school_key) of the classes of schools under the anchor."""
    c, o = t.SchoolClass, t.Org
    query = (
        select(_key(c), c.name, c.status, _key(o))
        .join(o, and_(o.tenant_id == c.tenant_id, o.id == c.school_id))
        .where(c.tenant_id == tenant_id, c.deleted == "none", _under(tenant_id, anchor, c.school_id))
        .order_by(c.id)
    )
    return _stream(session, query)


def _users_in_scope(tenant_id: int, anchor: str) -> Any:
    """Accounts with a home org or a role under the anchor."""
    uo, ra = t.UserOrg, t.RoleAssignment
    homes = select(uo.user_id).where(uo.tenant_id == tenant_id, _under(tenant_id, anchor, uo.org_id))
    roles = select(ra.user_id).where(ra.tenant_id == tenant_id, _under(tenant_id, anchor, ra.org_id))
    return union_all(homes, roles)


def users(session: Session, tenant_id: int, anchor: str) -> Iterator[tuple[Any, ...]]:
    """(key, kind, status, username, given_name, family_name, email) of the accounts in scope."""
    u = t.User
    query = (
        select(_key(u), u.kind, u.status, u.username, u.given_name, u.family_name, u.email)
        .where(u.tenant_id == tenant_id, u.deleted == "none", u.id.in_(_users_in_scope(tenant_id, anchor)))
        .order_by(u.id)
    )
    return _stream(session, query)


def memberships(session: Session, tenant_id: int, anchor: str) -> Iterator[tuple[Any, ...]]:
    """(user_key, kind, org_key, org_kind, role or None, position) of those accounts in scope.

    A home org gives one row per role held there (or one row without a role); a role held at an org that is
    not a home org gives a row too.
    """
    u, o, uo, ra = t.User, t.Org, t.UserOrg, t.RoleAssignment
    live = and_(u.tenant_id == tenant_id, u.deleted == "none", _under(tenant_id, anchor, o.id))
    homes = (
        select(_key(u), u.kind, _key(o), o.kind, ra.role, uo.position, u.id.label("uid"))
        .select_from(uo)
        .join(u, and_(u.tenant_id == uo.tenant_id, u.id == uo.user_id))
        .join(o, and_(o.tenant_id == uo.tenant_id, o.id == uo.org_id))
        .outerjoin(ra, and_(ra.tenant_id == uo.tenant_id, ra.user_id == uo.user_id, ra.org_id == uo.org_id))
        .where(uo.tenant_id == tenant_id, live)
    )
    home = aliased(t.UserOrg)
    elsewhere = (
        select(_key(u), u.kind, _key(o), o.kind, ra.role, literal(1).label("position"), u.id.label("uid"))
        .select_from(ra)
        .join(u, and_(u.tenant_id == ra.tenant_id, u.id == ra.user_id))
        .join(o, and_(o.tenant_id == ra.tenant_id, o.id == ra.org_id))
        .outerjoin(
            home, and_(home.tenant_id == ra.tenant_id, home.user_id == ra.user_id, home.org_id == ra.org_id)
        )
        .where(ra.tenant_id == tenant_id, live, home.user_id.is_(None))
    )
    both = union_all(homes, elsewhere).subquery()
    return _stream(session, select(*both.c).order_by(both.c.uid, both.c.position))


def links(session: Session, tenant_id: int, anchor: str) -> Iterator[tuple[Any, ...]]:
    """(class_key, school_key, user_key, link) of teaching assignments and enrollments in scope."""
    c, o, u = t.SchoolClass, t.Org, t.User
    parts = []
    for table, link in ((t.Teaching, "teach"), (t.Enrollment, "enroll")):
        parts.append(
            select(_key(c), _key(o), _key(u), literal(link))
            .select_from(table)
            .join(c, and_(c.tenant_id == table.tenant_id, c.id == table.class_id))
            .join(o, and_(o.tenant_id == c.tenant_id, o.id == c.school_id))
            .join(u, and_(u.tenant_id == table.tenant_id, u.id == table.user_id))
            .where(
                table.tenant_id == tenant_id,
                c.deleted == "none",
                u.deleted == "none",
                u.id.in_(_users_in_scope(tenant_id, anchor)),
                _under(tenant_id, anchor, c.school_id),
            )
        )
    return _stream(session, union_all(*parts))
