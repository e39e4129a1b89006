"""Settings written at orgs (model.md 10) and locks on them (a product extension).

`set_setting` and `clear_setting` check the rules that hold whoever writes, before anything is written:
the key is declared by the tenant's profile, the value has the declared type, the org is of a kind where
the key is set, and no org above locks the key (a value there would never apply). Who may write is not
their business: the services authorize with the key's setter permission, and operators (the CLI) may
write keys no permission sets, such as district-license license configuration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, InvalidInput, NotFound
from homeroom.policy import registry
from homeroom.policy.facts import Facts
from homeroom.policy.settings import locked_above
from homeroom.policy.validation import setting_problem
from homeroom.policy.world import NOT_DELETED, Ref
from homeroom.store import tables as t
from homeroom.store.facts import load_world
from homeroom.store.tenants import advance_revision, require_tenant


@dataclass(frozen=True)
class Written:
    """What one org holds for one key: a value (when `is_set`), a lock, or both."""

    value: object
    is_set: bool
    locked: bool
    version: int


def setting_facts(session: Session, tenant_id: int, org_id: str) -> Facts:
    """The org, the chain above it and the settings and locks along it, with the tenant's profile."""
    world = load_world(session, tenant_id, users=(), refs=[Ref("org", org_id)])
    org = world.orgs.get(org_id)
    if org is None or org.deleted != NOT_DELETED:
        raise NotFound(f"there is no org {org_id!r}", code="org_not_found", details={"id": org_id})
    return Facts(world, registry.profile(require_tenant(session, tenant_id).profile))


def set_setting(
    session: Session, tenant_id: int, org_id: str, key: str, value: object, *, locked: bool | None = None
) -> Written:
    """Write `key: value` at the org; `locked` True/False also locks/unlocks it there, None keeps the lock."""
    facts = setting_facts(session, tenant_id, org_id)
    problem = setting_problem(facts.profile, facts.world.orgs[org_id].kind, key, value)
    if problem is not None:
        raise InvalidInput(
            f"org {org_id!r}: {problem}", code="invalid_setting", details={"org": org_id, "key": key}
        )
    require_unlocked(facts, org_id, key)
    row = session.get(t.Setting, (tenant_id, org_id, key))
    if row is None:
        row = t.Setting(tenant_id=tenant_id, org_id=org_id, key=key, locked=False, version=0)
        session.add(row)
    row.value, row.is_set = json.dumps(value), True
    row.locked = row.locked if locked is None else locked
    row.version += 1
    session.flush()
    written = Written(value, is_set=True, locked=row.locked, version=row.version)
    advance_revision(session, tenant_id)
    return written


def clear_setting(session: Session, tenant_id: int, org_id: str, key: str) -> None:
    """Remove the value and the lock the org holds for `key`: the org inherits it again."""
    setting_facts(session, tenant_id, org_id)
    s = t.Setting
    found = session.scalar(select(s.key).where(s.tenant_id == tenant_id, s.org_id == org_id, s.key == key))
    if found is None:
        raise NotFound(
            f"org {org_id!r} sets no value and holds no lock for {key!r}",
            code="setting_not_set",
            details={"org": org_id, "key": key},
        )
    session.execute(delete(s).where(s.tenant_id == tenant_id, s.org_id == org_id, s.key == key))
    advance_revision(session, tenant_id)


def require_unlocked(facts: Facts, org_id: str, key: str) -> None:
    """Conflict when an org above `org_id` locks `key`: a value written at `org_id` would never apply."""
    locking = locked_above(facts, org_id, key)
    if locking is not None:
        raise Conflict(
            f"{key} is locked at {locking!r} for its whole subtree: a value at {org_id!r} would not apply; "
            f"change it at {locking!r} or unlock it there",
            code="setting_locked",
            details={"org": org_id, "key": key, "locked_at": locking},
        )


def written_at(session: Session, tenant_id: int, org_id: str) -> dict[str, Written]:
    """Every key the org itself sets or locks."""
    s = t.Setting
    rows = session.scalars(select(s).where(s.tenant_id == tenant_id, s.org_id == org_id))
    return {
        row.key: Written(json.loads(row.value or "null"), row.is_set, row.locked, row.version) for row in rows
    }
