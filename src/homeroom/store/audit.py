"""The audit log: append-only and hash-chained per tenant.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields in a canonical
form, so editing, removing or reordering any stored entry breaks every hash after it. The tenant row
holds the sequence number and the head of the chain; appending updates it first, which serializes
concurrent appenders of one tenant on both databases (a row lock on PostgreSQL, the single writer on
SQLite) without blocking other tenants.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeroom.store import tables as t

GENESIS = ""


@dataclass(frozen=True)
class Draft:
    """An audit entry before it has a place in the chain."""

    at: datetime
    request_id: str
    actor_id: str | None
    impersonator_id: str | None
    action: str
    target_type: str | None
    target_id: str | None
    allowed: bool
    reason: str
    details: dict[str, object]


def append(session: Session, tenant_id: int, draft: Draft) -> int:
    """Add `draft` at the end of the tenant's chain; return its sequence number."""
    tenants = t.Tenant
    seq, previous = session.execute(
        update(tenants)
        .where(tenants.id == tenant_id)
        .values(audit_seq=tenants.audit_seq + 1)
        .returning(tenants.audit_seq, tenants.audit_head)
        .execution_options(synchronize_session=False)
    ).one()
    details = json.dumps(draft.details, sort_keys=True, default=str)
    row = t.AuditEntry(
        tenant_id=tenant_id,
        seq=seq,
        at=draft.at,
        request_id=draft.request_id,
        actor_id=draft.actor_id,
        impersonator_id=draft.impersonator_id,
        action=draft.action,
        target_type=draft.target_type,
        target_id=draft.target_id,
        allowed=draft.allowed,
        reason=draft.reason,
        details=details,
        hash="",
    )
    row.hash = entry_hash(previous, row)
    session.add(row)
    session.execute(
        update(tenants)
        .where(tenants.id == tenant_id)
        .values(audit_head=row.hash)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(seq)


def entry_hash(previous: str, row: t.AuditEntry) -> str:
    fields = [
        row.tenant_id,
        row.seq,
        utc_text(row.at),
        row.request_id,
        row.actor_id,
        row.impersonator_id,
        row.action,
        row.target_type,
        row.target_id,
        bool(row.allowed),
        row.reason,
        row.details,
    ]
    canonical = json.dumps([previous, *fields], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def utc_text(moment: datetime) -> str:
    """A timestamp as UTC text, the same whichever database returned it (aware or naive UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def entries(
    session: Session,
    tenant_id: int,
    *,
    after: int = 0,
    limit: int = 100,
    target: tuple[str, str] | None = None,
    actor_id: str | None = None,
) -> list[t.AuditEntry]:
    a = t.AuditEntry
    statement = select(a).where(a.tenant_id == tenant_id, a.seq > after)
    if target is not None:
        statement = statement.where(a.target_type == target[0], a.target_id == target[1])
    if actor_id is not None:
        statement = statement.where(a.actor_id == actor_id)
    return list(session.scalars(statement.order_by(a.seq).limit(limit)))


def chain(session: Session, tenant_id: int, *, batch: int = 1000) -> Iterator[t.AuditEntry]:
    """Every entry of the tenant in stored order, streamed in batches."""
    after = 0
    while True:
        rows = entries(session, tenant_id, after=after, limit=batch)
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq


def head(session: Session, tenant_id: int) -> tuple[int, str]:
    row = session.execute(
        select(t.Tenant.audit_seq, t.Tenant.audit_head).where(t.Tenant.id == tenant_id)
    ).one()
    return int(row[0]), str(row[1])
