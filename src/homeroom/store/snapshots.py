"""Snapshots: the part of a tenant every decision reads and few writes change, kept per (tenant, revision).

A decision reads the actor and the users it names (a million of them at size L, loaded per request) and
the tree around them: orgs, their settings and locks, the tenant's custom roles, and classes. The tree is
small (a few thousand orgs at L) and changes rarely, so a process keeps it in memory, keyed by
(tenant, revision). Every write to orgs, settings, custom roles or classes advances `tenants.revision`
in the same transaction (docs/store.md, "Revisions and caching"), so a snapshot is never older than the
last committed write: a request reads the revision first, then uses the snapshot of that revision, or
loads one (after the revision was read, so the snapshot holds that revision or a newer one). Classes
are filled on demand (a class found, or known to be missing, at that revision), all in memory bounded by
the tenant's size. Only the latest revision of each tenant is kept.

A unit of work that has written stops using the snapshot: its own writes are not in it. `track_writes`
marks a session at its first write (a flush or a non-SELECT statement).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar, cast

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from homeroom.policy.world import CustomRole, Org, SchoolClass
from homeroom.store import tables as t

WROTE = "homeroom.wrote"  # session.info key: the unit of work has written
READ_ONLY = "homeroom.read_only"  # session.info key: the unit of work may not write (it has no transaction)
T = TypeVar("T")
_MISSING = object()

_o, _s, _c = t.Org.__table__.c, t.Setting.__table__.c, t.SchoolClass.__table__.c
_r, _g = t.CustomRole.__table__.c, t.CustomRoleGrant.__table__.c
ORGS = select(_o.id, _o.kind, _o.parent_id, _o.deleted).where(_o.tenant_id == bindparam("tenant"))
SETTINGS = select(_s.org_id, _s.key, _s.value, _s.is_set, _s.locked).where(
    _s.tenant_id == bindparam("tenant")
)
CUSTOM_ROLES = (
    select(_r.id, _r.org_id, _r.rank, _r.created_by, _r.deleted, _g.permission, _g.scope)
    .outerjoin(t.CustomRoleGrant.__table__, (_g.tenant_id == _r.tenant_id) & (_g.role_id == _r.id))
    .where(_r.tenant_id == bindparam("tenant"))
    .order_by(_r.id, _g.position)
)
CLASSES = select(_c.id, _c.school_id, _c.status, _c.created_by, _c.deleted).where(
    _c.tenant_id == bindparam("tenant"), _c.id.in_(bindparam("ids", expanding=True))
)
CHUNK = 5_000  # ids per IN list: far below SQLite's bound on parameters
MEMO_SIZE = 4_096  # derived values kept per snapshot (list statements); the memo is emptied when full


@dataclass(frozen=True)
class Snapshot:
    """A tenant's orgs, settings, locks and custom roles at one revision, and the classes asked so far."""

    tenant_id: int
    revision: int
    orgs: Mapping[str, Org]
    settings: Mapping[str, Mapping[str, object]]
    locks: Mapping[str, frozenset[str]]
    custom_roles: Mapping[str, CustomRole]
    _classes: dict[str, SchoolClass | None] = field(default_factory=dict, repr=False)
    _memo: dict[Hashable, object] = field(default_factory=dict, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value derived from the tenant's data at this revision (a list's statement for one actor and
        request), computed once. Everything it reads must be covered by the revision."""
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            found = self._memo[key] = compute()
        return cast("T", found)

    def classes(self, session: Session, ids: Collection[str]) -> dict[str, SchoolClass]:
        """The classes of `ids` that exist, read from the database once per revision."""
        known = self._classes
        missing = [class_id for class_id in ids if class_id not in known]
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            read = {row[0]: SchoolClass(*row) for row in _rows(session, CLASSES, self.tenant_id, chunk)}
            for class_id in chunk:
                known[class_id] = read.get(class_id)
        return {class_id: found for class_id in ids if (found := known.get(class_id)) is not None}


def _rows(session: Session, statement: Any, tenant_id: int, ids: list[str] | None = None) -> list[Any]:
    parameters: dict[str, object] = {"tenant": tenant_id}
    if ids is not None:
        parameters["ids"] = ids
    return list(session.execute(statement, parameters))


def load_snapshot(session: Session, tenant_id: int, revision: int) -> Snapshot:
    """Read the tenant's orgs, settings, locks and custom roles (four queries)."""
    orgs = {
        org_id: Org(org_id, kind, parent, deleted=deleted)
        for org_id, kind, parent, deleted in _rows(session, ORGS, tenant_id)
    }
    settings: dict[str, dict[str, object]] = defaultdict(dict)
    locks: dict[str, set[str]] = defaultdict(set)
    for org_id, key, value, is_set, locked in _rows(session, SETTINGS, tenant_id):
        if is_set:
            settings[org_id][key] = json.loads(value or "null")
        if locked:
            locks[org_id].add(key)
    grants: dict[str, list[tuple[str, str]]] = defaultdict(list)
    heads: dict[str, tuple[str, int | None, str | None, str]] = {}
    for role_id, org_id, rank, created_by, deleted, permission, scope in _rows(
        session, CUSTOM_ROLES, tenant_id
    ):
        heads[role_id] = (org_id, rank, created_by, deleted)
        if permission is not None:
            grants[role_id].append((permission, scope))
    roles = {
        role_id: CustomRole(
            role_id, org, tuple(grants[role_id]), rank=rank, created_by=creator, deleted=deleted
        )
        for role_id, (org, rank, creator, deleted) in heads.items()
    }
    return Snapshot(
        tenant_id,
        revision,
        MappingProxyType(orgs),
        MappingProxyType({org_id: MappingProxyType(values) for org_id, values in settings.items()}),
        MappingProxyType({org_id: frozenset(keys) for org_id, keys in locks.items()}),
        MappingProxyType(roles),
    )


class Snapshots:
    """The latest snapshot of each tenant in this process; safe to share between threads."""

    def __init__(self) -> None:
        self._latest: dict[int, Snapshot] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, tenant_id: int, revision: int) -> Snapshot | None:
        """The snapshot at `revision` (read before any other fact of the request), or None once the
        session has written: its own changes are not in any snapshot."""
        if session.info.get(WROTE):
            return None
        found = self._latest.get(tenant_id)
        if found is not None and found.revision == revision:
            return found
        loaded = load_snapshot(session, tenant_id, revision)
        with self._lock:
            current = self._latest.get(tenant_id)
            if current is None or current.revision <= revision:
                self._latest[tenant_id] = loaded
        return loaded


def track_writes(sessions: sessionmaker[Session]) -> None:
    """Mark every session of `sessions` at its first write (see `Snapshots.get`); refuse any write, before
    it is sent, in a session marked READ_ONLY (each of its statements would commit on its own)."""

    def executed(state: ORMExecuteState) -> None:
        if not state.is_select:
            _refuse_if_read_only(state.session)
            state.session.info[WROTE] = True

    def flushing(session: Session, _context: object, _instances: object) -> None:
        _refuse_if_read_only(session)

    def flushed(session: Session, _context: object) -> None:
        session.info[WROTE] = True

    event.listen(sessions, "do_orm_execute", executed)
    event.listen(sessions, "before_flush", flushing)
    event.listen(sessions, "after_flush", flushed)


def _refuse_if_read_only(session: Session) -> None:
    if session.info.get(READ_ONLY):
        raise RuntimeError("a read-only unit of work tried to write")
