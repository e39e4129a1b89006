"""The user reach table: for every user, every org whose subtree holds one of the user's anchors.

`user_reach (tenant, user, org, kind)` holds each ancestor, the org itself included, of each anchor of
each user, exactly as the SQL twin's `subtree` scope reads anchors (anchors.user_anchored): home orgs,
role assignment orgs, and the schools of the classes the user teaches or is enrolled in unless the class
is purged (a purged class anchors nothing; a soft-deleted one still does). The user's own lifecycle plays
no part: purged and deleted users keep their rows, and every reader filters targets by lifecycle first.
`kind` is the user's kind, which never changes.

It is derived data, rewritten in the same transaction as every write that changes an anchor or the
tree (docs/store.md, "The user reach table"):

* `fill`: a new tenant's rows, after its links (`write_world`, bench/load.py, migration 0008's back-fill
  does the same in plain SQL);
* `refresh(users)`: the rows of some users made equal to what their links give now: `set_links`,
  `add_user` (one user), `move_org` (`anchored_under` the moved org), a class changing school or purged
  (`class_users`), a roster import (the users it stages and those of its scope).

Both are set-based (two statements at most) and portable. `refresh` writes only the difference: the rows
no longer reached are deleted and the missing ones inserted, so an unchanged import writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Insert,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    select,
    text,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from homeroom.policy.world import PURGED
from homeroom.store import tables as t
from homeroom.store.anchors import anchored_users, subtree_orgs
from homeroom.store.references import Reference

Users = Select[Any] | Collection[str] | None  # ids, a SELECT of ids, or None: every user of the tenant
Scope = Select[Any] | BindParameter[Any] | None  # how the statements below name the users
COLUMNS = ["tenant_id", "user_id", "org_id", "kind"]
SOURCES = ("user_orgs", "role_assignments", "enrollments", "teaching", "classes", "org_closure", "users")
TENANT = bindparam("tenant", type_=Integer)
REACH = cast("Table", t.UserReach.__table__)


def reached(users: Scope = None) -> Select[Any]:
    """SELECT user_id, org_id: the (distinct) rows `users` of the tenant :tenant should have."""
    anchor = _anchors(users).subquery("anchor")
    c = t.OrgClosure
    return (
        select(anchor.c.user_id, c.ancestor_id.label("org_id"))
        .distinct()
        .join_from(anchor, c, and_(c.tenant_id == TENANT, c.descendant_id == anchor.c.org_id))
    )


def _anchors(users: Scope) -> Any:
    """(user_id, org_id) of every anchor of `users`: home orgs, assignments, schools of live classes."""

    def only(column: Any) -> list[ColumnElement[bool]]:
        return [] if users is None else [column.in_(users)]

    uo, ra, c = t.UserOrg, t.RoleAssignment, t.SchoolClass
    schools = [
        select(link.user_id, c.school_id)
        .join(c, and_(c.tenant_id == link.tenant_id, c.id == link.class_id))
        .where(link.tenant_id == TENANT, c.deleted != PURGED, *only(link.user_id))
        for link in (t.Enrollment, t.Teaching)
    ]
    return union(
        select(uo.user_id, uo.org_id).where(uo.tenant_id == TENANT, *only(uo.user_id)),
        select(ra.user_id, ra.org_id).where(ra.tenant_id == TENANT, *only(ra.user_id)),
        *schools,
    )


def _with_kind(rows: Any) -> Select[Any]:
    """The rows to insert: tenant, user, org and the user's kind."""
    u = t.User
    return select(TENANT, rows.c.user_id, rows.c.org_id, u.kind).join_from(
        rows, u, and_(u.tenant_id == TENANT, u.id == rows.c.user_id)
    )


def _statements(users: Scope) -> tuple[Delete, Insert]:
    """The two statements of a refresh: delete what is no longer reached, insert what is missing.

    Core statements on the table, not the mapped class: the ORM would take their parameters for rows."""
    r = REACH.c
    stored = select(r.user_id, r.org_id).where(
        r.tenant_id == TENANT, *([] if users is None else [r.user_id.in_(users)])
    )
    wanted = reached(users)
    gone = stored.except_(wanted).subquery("gone")
    removal = delete(REACH).where(
        r.tenant_id == TENANT, tuple_(r.user_id, r.org_id).in_(select(gone.c.user_id, gone.c.org_id))
    )
    rows = _with_kind(wanted.except_(stored).subquery("new"))
    return removal, insert(REACH).from_select(COLUMNS, _in_key_order(rows))


def _in_key_order(rows: Select[Any]) -> Select[Any]:
    """Rows to insert sorted by (user, org): the primary key's pages are filled one after the other, and
    the (org, kind, user) index grows at one end per org and kind. Unsorted, a tenant-wide refresh at
    size L (3.2 million rows) wrote both indexes at random, far beyond PostgreSQL's shared buffers."""
    return rows.order_by(rows.selected_columns[1], rows.selected_columns[2])


@cache  # building them costs milliseconds of Python; a refresh of some users runs them with parameters
def _prepared(*, scoped: bool) -> tuple[Delete, Insert]:
    return _statements(bindparam("users", expanding=True) if scoped else None)


@cache
def _filling() -> Insert:
    return insert(REACH).from_select(COLUMNS, _in_key_order(_with_kind(reached().subquery("reached"))))


def analyze_sources(session: Session) -> None:
    """After many links were written (a bulk load, a large import), give PostgreSQL their statistics first:
    planned on an empty table's, the closure join of a tenant-wide fill or refresh becomes a nested loop
    over every org for every anchor (measured at size M: 34 s instead of about 5)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(SOURCES)}"))


def fill(session: Session, tenant_id: int) -> None:
    """Write the rows of a tenant that has none yet (a new tenant, after its links)."""
    session.execute(_filling(), {"tenant": tenant_id})


def refresh(session: Session, tenant_id: int, users: Users = None) -> None:
    """Make the rows of `users` (None: the whole tenant) equal to what their links and the tree give.

    A SELECT of users is evaluated by each of the two statements, so it must give the same ids both times
    (one over the link tables does; one over user_reach only if the rows it reads are never stale).
    """
    parameters: dict[str, Any] = {"tenant": tenant_id}
    if isinstance(users, Select):  # read once per statement, not once per link table
        statements = _statements(select(users.cte("touched")))
    elif users is None:
        statements = _prepared(scoped=False)
    elif not users:
        return
    else:
        statements = _prepared(scoped=True)
        parameters["users"] = sorted(set(users))
    for statement in statements:
        session.execute(statement, parameters)


def references(tenant_id: int) -> tuple[Reference, Reference]:
    """The foreign keys of the tenant's rows, for a refresh written with the triggers off (references.py)."""
    written = REACH.c.tenant_id == tenant_id
    users, orgs = (cast("Table", table.__table__) for table in (t.User, t.Org))
    return Reference(REACH, "user_id", users, written), Reference(REACH, "org_id", orgs, written)


def anchored_under(tenant_id: int, org_id: str) -> Select[Any]:
    """The users with an anchor in subtree(org), read from the link tables (the users an org move moves)."""
    return union_all(*anchored_users(tenant_id, subtree_orgs(tenant_id, org_id))).subquery().select()


def class_users(tenant_id: int, class_id: str) -> Select[Any]:
    """The teachers and students of a class (whose anchors change when it moves or is purged)."""
    e, te = t.Enrollment, t.Teaching
    return (
        union_all(
            select(e.user_id).where(e.tenant_id == tenant_id, e.class_id == class_id),
            select(te.user_id).where(te.tenant_id == tenant_id, te.class_id == class_id),
        )
        .subquery()
        .select()
    )
