"""Load exactly the facts one decision needs, as a partial policy World, in a fixed number of queries.

For a check the loader reads: the named objects (target, to, from, at, the role), the students and
recipients of named assessments and notifications, every one of those users with their home orgs,
role assignments, teaching assignments and enrollments (one UNION query with the users), the classes
those name, the custom roles held or named, every org any of that is anchored at together with all its
ancestors (through the closure table), and the settings on those orgs. That is everything decide()
looks at (world.py: "the objects a check names, their anchors and the chain of parents above them"),
in at most ten queries whatever the size of the tenant, each an indexed probe by (tenant_id, id).

With a `Snapshot` of the tenant at the request's revision (store/snapshots.py), orgs, settings, locks,
custom roles and classes come from memory and a check costs one query: the users with their links. It
is DBAPI text (store/raw.py), one constant statement whatever the number of users, so a request pays
neither statement construction nor SQLAlchemy's result processing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from homeroom.policy.facts import Facts
from homeroom.policy.profiles import Profile
from homeroom.policy.world import (
    THING_TYPES,
    Assignment,
    Check,
    CustomRole,
    Org,
    Ref,
    SchoolClass,
    Thing,
    User,
    World,
)
from homeroom.store import tables as t
from homeroom.store.raw import RawQuery, fetch
from homeroom.store.snapshots import Snapshot

# The users a check names and all their links, in one statement: a row per user (link 0: kind, status,
# deleted, created_by), then per home org (1), role assignment (2: role, org), class taught (3) and class
# enrolled in (4) with its position. Each part is an index probe per id. The rows are put in the order of
# their positions in Python: SQLite's sorter for five parts cost more than the rest of a single check's
# query.
PEOPLE_TEXT = """SELECT u.id, 0, u.kind, u.status, u.deleted, u.created_by, -1
    FROM EACH(:ids) AS i JOIN users AS u ON u.tenant_id = :tenant AND u.id = i.value
    UNION ALL SELECT x.user_id, 1, x.org_id, NULL, NULL, NULL, x.position
    FROM EACH(:ids) AS i JOIN user_orgs AS x ON x.tenant_id = :tenant AND x.user_id = i.value
    UNION ALL SELECT x.user_id, 2, x.role, x.org_id, NULL, NULL, x.position
    FROM EACH(:ids) AS i JOIN role_assignments AS x ON x.tenant_id = :tenant AND x.user_id = i.value
    UNION ALL SELECT x.user_id, 3, x.class_id, NULL, NULL, NULL, {class_position}
    FROM EACH(:ids) AS i JOIN teaching AS x ON x.tenant_id = :tenant AND x.user_id = i.value
    UNION ALL SELECT x.user_id, 4, x.class_id, NULL, NULL, NULL, {class_position}
    FROM EACH(:ids) AS i JOIN enrollments AS x ON x.tenant_id = :tenant AND x.user_id = i.value"""
PEOPLE = RawQuery.of(PEOPLE_TEXT.format(class_position="x.position"))
# The same without the positions of classes taught and enrolled in, which then come in no set order: the
# primary key's index answers those probes alone, without reading the table (about a quarter less
# SQLite time for a batch check). For deciding only: decide tests membership of those classes, never
# their order, but a user read to be written back must keep its order (PEOPLE).
PEOPLE_TO_DECIDE = RawQuery.of(PEOPLE_TEXT.format(class_position="0"))
_POSITION = itemgetter(6)


def load_facts(
    session: Session, tenant_id: int, profile: Profile, check: Check, *, snapshot: Snapshot | None = None
) -> Facts:
    """Facts for deciding `check` in tenant `tenant_id`: decide() on them equals decide() on the tenant."""
    refs = [r for r in (check.target, check.to, check.from_, check.at) if r is not None]
    roles = [check.role] if check.role is not None else []
    world = load_world(session, tenant_id, users=[check.actor], refs=refs, roles=roles, snapshot=snapshot)
    return Facts(world, profile)


@dataclass
class _Partial:
    orgs: dict[str, Org] = field(default_factory=dict)
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    things: dict[str, Thing] = field(default_factory=dict)
    custom_roles: dict[str, CustomRole] = field(default_factory=dict)
    settings: dict[str, dict[str, object]] = field(default_factory=dict)
    locks: dict[str, frozenset[str]] = field(default_factory=dict)
    org_seeds: set[str] = field(default_factory=set)

    def world(self) -> World:
        return World(
            self.orgs, self.classes, self.users, self.things, self.custom_roles, self.settings, self.locks
        )


def load_world(  # noqa: PLR0913 - what to load, each optional
    session: Session,
    tenant_id: int,
    *,
    users: Iterable[str],
    refs: Iterable[Ref] = (),
    roles: Iterable[str] = (),
    all_custom_roles: bool = False,
    snapshot: Snapshot | None = None,
    classes_in_order: bool = True,
    known: Mapping[str, User | None] | None = None,
) -> World:
    """The partial world around `users` and `refs`: their anchors, classes, roles and org chains.

    With a snapshot, the orgs, settings, locks and custom roles are the snapshot's (all of the tenant's),
    and classes come from it. Without `classes_in_order`, users' classes taught and enrolled in come in
    no set order rather than their own (cheaper; for worlds that are only decided on). `known` users were
    read already in this unit of work, with their links (None: not found; store/bearers.py): they are
    not read again."""
    refs = list(refs)
    partial = _Partial()
    by_type: dict[str, set[str]] = defaultdict(set)
    for ref in refs:
        by_type[ref.type].add(ref.id)
    _things(session, tenant_id, {i for k in THING_TYPES for i in by_type[k]}, partial)
    user_ids = {*users, *by_type["user"]}
    user_ids |= {x.student or x.recipient or "" for x in partial.things.values()} - {""}
    if known:  # None: read, and not found
        partial.users.update((i, user) for i in user_ids & known.keys() if (user := known[i]) is not None)
        user_ids -= known.keys()
    _users(session, tenant_id, user_ids, partial, PEOPLE if classes_in_order else PEOPLE_TO_DECIDE)
    class_ids = by_type["class"] | {c for u in partial.users.values() for c in (*u.teaches, *u.enrolled_in)}
    if snapshot is not None:
        classes = snapshot.classes(session, class_ids)
        return World(
            snapshot.orgs, classes, partial.users, partial.things, snapshot.custom_roles,
            snapshot.settings, snapshot.locks,
        )  # fmt: skip
    _classes(session, tenant_id, class_ids, partial)
    for user in partial.users.values():
        partial.org_seeds.update(user.orgs)
        partial.org_seeds.update(a.org for a in user.roles)
    role_ids = {*roles, *by_type["role"], *(a.role for u in partial.users.values() for a in u.roles)}
    _custom_roles(session, tenant_id, None if all_custom_roles else role_ids, partial)
    partial.org_seeds |= by_type["org"]
    _orgs(session, tenant_id, partial)
    _settings(session, tenant_id, partial)
    return partial.world()


def _things(session: Session, tenant_id: int, ids: Collection[str], partial: _Partial) -> None:
    if not ids:
        return
    a, o = t.Assessment, t.Thing
    assessments = select(
        a.id, literal("assessment"), literal(None), a.created_by, a.deleted, a.kind, a.number,
        a.student_id, literal(value=False), literal(None),
    ).where(a.tenant_id == tenant_id, a.id.in_(ids))  # fmt: skip
    objects = select(
        o.id, o.type, o.org_id, o.created_by, o.deleted, literal(None), literal(None), literal(None),
        o.published, o.recipient_id,
    ).where(o.tenant_id == tenant_id, o.id.in_(ids))  # fmt: skip
    rows: list[Any] = list(session.execute(union_all(assessments, objects)))
    for row in rows:
        thing_id, kind_of_thing, org, creator, deleted, kind, number, student, published, recipient = row
        thing = Thing(
            thing_id, kind_of_thing, org, creator, deleted, kind, number, student, bool(published), recipient
        )
        partial.things[thing.id] = thing
        if thing.org is not None:
            partial.org_seeds.add(thing.org)


def _users(
    session: Session, tenant_id: int, ids: Collection[str], partial: _Partial, people: RawQuery
) -> None:
    if not ids:
        return
    # in key order, the probes walk each index from one end to the other (about 10% less on SQLite)
    partial.users.update(users_of(fetch(session, people, {"tenant": tenant_id, "ids": sorted(ids)})))


def users_of(rows: list[Any]) -> dict[str, User]:
    """The users in the rows of PEOPLE (or PEOPLE_TO_DECIDE), each with its links."""
    rows.sort(key=_POSITION)  # stable: links of one kind in the order of their positions
    users: dict[str, User] = {}
    found: dict[str, list[Any]] = {}  # id -> [head, orgs, roles, teaches, enrolled]
    for user_id, link, a, b, c, d, _position in rows:
        mine = found.get(user_id)
        if mine is None:
            mine = found[user_id] = [None, [], [], [], []]
        if link == 0:
            mine[0] = (a, b, c, d)
        else:
            mine[link].append(Assignment(a, b) if link == 2 else a)  # 2: a role assignment
    for user_id, (head, orgs, roles, teaches, enrolled) in found.items():
        if head is None:  # links without their user (never, by the foreign keys)
            continue
        kind, status, deleted, created_by = head
        users[user_id] = User(
            user_id, kind, status, deleted, tuple(orgs), tuple(roles), tuple(teaches), tuple(enrolled),
            created_by,
        )  # fmt: skip
    return users


def _classes(session: Session, tenant_id: int, ids: Collection[str], partial: _Partial) -> None:
    if not ids:
        return
    c = t.SchoolClass
    rows = session.execute(
        select(c.id, c.school_id, c.status, c.created_by, c.deleted).where(
            c.tenant_id == tenant_id, c.id.in_(ids)
        )
    )
    for row in rows:
        partial.classes[row[0]] = SchoolClass(*row)
        partial.org_seeds.add(row[1])


def _custom_roles(session: Session, tenant_id: int, ids: Collection[str] | None, partial: _Partial) -> None:
    """The custom roles named by `ids` (all of the tenant's when None), with their grants in order."""
    if ids is not None and not ids:
        return
    r, g = t.CustomRole, t.CustomRoleGrant
    statement = (
        select(r.id, r.org_id, r.rank, r.created_by, r.deleted, g.permission, g.scope)
        .outerjoin(g, (g.tenant_id == r.tenant_id) & (g.role_id == r.id))
        .where(r.tenant_id == tenant_id)
        .order_by(r.id, g.position)
    )
    if ids is not None:
        statement = statement.where(r.id.in_(ids))
    grants: dict[str, list[tuple[str, str]]] = defaultdict(list)
    heads: dict[str, tuple[str, int | None, str | None, str]] = {}
    for role_id, org_id, rank, created_by, deleted, permission, scope in session.execute(statement):
        heads[role_id] = (org_id, rank, created_by, deleted)
        if permission is not None:
            grants[role_id].append((permission, scope))
    for role_id, (org_id, rank, created_by, deleted) in heads.items():
        partial.custom_roles[role_id] = CustomRole(
            role_id, org_id, tuple(grants[role_id]), rank=rank, created_by=created_by, deleted=deleted
        )
        partial.org_seeds.add(org_id)


def _orgs(session: Session, tenant_id: int, partial: _Partial) -> None:
    """Every seed org and all its ancestors, through the closure table: one query."""
    if not partial.org_seeds:
        return
    o, c = t.Org, t.OrgClosure
    above = select(c.ancestor_id).where(c.tenant_id == tenant_id, c.descendant_id.in_(partial.org_seeds))
    rows = session.execute(
        select(o.id, o.kind, o.parent_id, o.deleted).where(o.tenant_id == tenant_id, o.id.in_(above))
    )
    for org_id, kind, parent, deleted in rows:
        partial.orgs[org_id] = Org(org_id, kind, parent, deleted=deleted)


def _settings(session: Session, tenant_id: int, partial: _Partial) -> None:
    """Settings and locks on every loaded org: that covers the path of any gate org."""
    if not partial.orgs:
        return
    s = t.Setting
    rows = session.execute(
        select(s.org_id, s.key, s.value, s.is_set, s.locked).where(
            s.tenant_id == tenant_id, s.org_id.in_(partial.orgs)
        )
    )
    locks: dict[str, set[str]] = defaultdict(set)
    for org_id, key, value, is_set, locked in rows:
        if is_set:
            partial.settings.setdefault(org_id, {})[key] = json.loads(value or "null")
        if locked:
            locks[org_id].add(key)
    partial.locks.update({org_id: frozenset(keys) for org_id, keys in locks.items()})
