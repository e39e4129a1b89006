"""Audit: what use cases record, and the verification of a tenant's chain.

Recorded: every write (allowed, with what changed), every read of student records, every export, every
denied attempt (with the rule that denied it). Entries name the actor, an impersonator if any, the
action (a permission id or an account event such as `auth.login`), the target, the decision and its
reason, the time and the request id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from homeroom.errors import Forbidden
from homeroom.policy.decisions import Decision
from homeroom.policy.world import Check, Ref
from homeroom.services.access import Access
from homeroom.store import audit as audit_log
from homeroom.store import tables as t
from homeroom.store.facts import load_world


def record(
    access: Access,
    action: str,
    target: Ref | None,
    *,
    decision: Decision | None = None,
    details: dict[str, object] | None = None,
) -> None:
    """Append an allowed action to the tenant's audit chain, in the use case's transaction."""
    draft = audit_log.Draft(
        at=access.now,
        request_id=access.request_id,
        actor_id=access.principal.user_id,
        impersonator_id=access.principal.impersonator_id,
        action=action,
        target_type=target.type if target else None,
        target_id=target.id if target else None,
        allowed=True,
        reason=decision.explain() if decision else "",
        details=details or {},
    )
    audit_log.append(access.session, access.tenant_id, draft)


def denial(access: Access, check: Check, decision: Decision) -> audit_log.Draft:
    """The audit entry of a denied attempt (written after the rollback)."""
    arguments = {k: str(v) for k, v in (("to", check.to), ("from", check.from_), ("at", check.at)) if v}
    if check.role is not None:
        arguments["role"] = check.role
    return audit_log.Draft(
        at=access.now,
        request_id=access.request_id,
        actor_id=access.principal.user_id,
        impersonator_id=access.principal.impersonator_id,
        action=check.permission,
        target_type=check.target.type,
        target_id=check.target.id,
        allowed=False,
        reason=decision.explain(),
        details={"rule": decision.code, **arguments},
    )


@dataclass(frozen=True)
class Verification:
    entries: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(session: Session, tenant_id: int) -> Verification:
    """Walk the tenant's chain: every hash, every sequence number, and the head the tenant row holds."""
    problems: list[str] = []
    previous, expected_seq, count = audit_log.GENESIS, 1, 0
    for row in audit_log.chain(session, tenant_id):
        count += 1
        if row.seq != expected_seq:
            problems.append(f"entry {expected_seq} is missing (the next stored entry is {row.seq})")
        if audit_log.entry_hash(previous, row) != row.hash:
            problems.append(f"entry {row.seq} was changed, or an entry before it was removed or reordered")
        previous, expected_seq = row.hash, row.seq + 1
    seq, head = audit_log.head(session, tenant_id)
    if seq != expected_seq - 1 or head != previous:
        problems.append(
            f"the log ends at entry {expected_seq - 1} but {seq} were written: entries were removed"
        )
    return Verification(count, problems)


def as_dict(row: t.AuditEntry) -> dict[str, object]:
    return {
        "seq": row.seq,
        "at": audit_log.utc_text(row.at) + "Z",
        "request_id": row.request_id,
        "actor": row.actor_id,
        "impersonator": row.impersonator_id,
        "action": row.action,
        "target": f"{row.target_type}:{row.target_id}" if row.target_type else None,
        "allowed": bool(row.allowed),
        "reason": row.reason,
        "details": json.loads(row.details),
        "hash": row.hash,
    }


def read_entries(access: Access, *, after: int, limit: int) -> list[t.AuditEntry]:
    """The tenant's audit log, for the tenant's top administrators (see `may_read`)."""
    if not may_read(access):
        raise Forbidden(
            "the audit log is open to holders of the top role at the tenant's top org", code="audit_forbidden"
        )
    entries = audit_log.entries(access.session, access.tenant_id, after=after, limit=limit)
    record(access, "audit.read", None, details={"after": after, "count": len(entries)})
    return entries


def may_read(access: Access) -> bool:
    """Product decision: the log is read by whoever holds the profile's highest-ranked role at a root org."""
    world = load_world(access.session, access.tenant_id, users=[access.actor])
    actor = world.users.get(access.actor)
    if actor is None:
        return False
    top = max((r.rank or 0 for r in access.profile.roles.values()), default=0)
    return any(
        world.orgs[a.org].parent is None
        and a.role in access.profile.roles
        and (access.profile.roles[a.role].rank or 0) == top
        for a in actor.roles
        if a.org in world.orgs
    )
