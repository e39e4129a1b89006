"""Export credits: one balance row per holder (an org's pool or an account) and the append-only ledger.

Every change is one conditional `UPDATE ... RETURNING` on the holder's balance row followed by the ledger
insert, in the caller's transaction. A debit only matches while `balance >= :n`, so on both databases two
concurrent debits can never spend the same credit and a balance never goes negative: on PostgreSQL the
second writer waits for the row lock and re-checks the condition on the committed row; on SQLite writers
are serialized. The same statement advances the holder's entry counter, which numbers its ledger rows
without gaps, so `sum(delta) == balance` holds per holder after every commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, NotFound
from homeroom.policy.world import Ref
from homeroom.store import tables as t
from homeroom.store.upserts import insert_missing

HOLDER_TYPES = ("org", "user")


@dataclass(frozen=True)
class Posting:
    """Who changes a balance, when and why; shared by the two rows of a transfer."""

    actor_id: str | None
    at: datetime
    reason: str
    request_id: str
    counterpart: Ref | None = None


def require_holder(session: Session, tenant_id: int, holder: Ref) -> None:
    """NotFound unless `holder` is an org or an account of the tenant."""
    table: type[t.Org | t.User] = t.Org if holder.type == "org" else t.User
    found = holder.type in HOLDER_TYPES and session.get(table, (tenant_id, holder.id)) is not None
    if not found:
        raise NotFound(
            f"there is no {holder.type} {holder.id!r}",
            code=f"{holder.type}_not_found",
            details={"id": holder.id},
        )


def _open_account(session: Session, tenant_id: int, holder: Ref) -> None:
    """The holder's balance row at zero, unless it exists (concurrent openers do not collide)."""
    values = {"tenant_id": tenant_id, "holder_type": holder.type, "holder_id": holder.id, "balance": 0}
    insert_missing(session, t.CreditBalance, values)


def post(session: Session, tenant_id: int, holder: Ref, delta: int, posting: Posting) -> int:
    """Add `delta` (negative: a debit) to the holder's balance and append the ledger row; the new balance.

    A debit larger than the balance raises Conflict `insufficient_credits` and changes nothing.
    """
    _open_account(session, tenant_id, holder)
    b = t.CreditBalance
    statement = (
        update(b)
        .where(b.tenant_id == tenant_id, b.holder_type == holder.type, b.holder_id == holder.id)
        .values(balance=b.balance + delta, entries=b.entries + 1)
        .returning(b.balance, b.entries)
        .execution_options(synchronize_session=False)
    )
    if delta < 0:
        statement = statement.where(b.balance >= -delta)
    row = session.execute(statement).one_or_none()
    if row is None:
        have = balance(session, tenant_id, holder)
        raise Conflict(
            f"{holder} has {have} export credits, {-delta} were asked for",
            code="insufficient_credits",
            details={"holder": str(holder), "balance": have, "requested": -delta},
        )
    balance_after, seq = int(row[0]), int(row[1])
    session.add(_entry(tenant_id, holder, delta, balance_after, seq, posting))
    session.flush()
    return balance_after


def _entry(tenant_id: int, holder: Ref, delta: int, after: int, seq: int, posting: Posting) -> t.CreditEntry:
    return t.CreditEntry(
        tenant_id=tenant_id,
        id=secrets.token_hex(16),
        holder_type=holder.type,
        holder_id=holder.id,
        seq=seq,
        delta=delta,
        balance_after=after,
        counterpart=str(posting.counterpart) if posting.counterpart else None,
        actor_id=posting.actor_id,
        at=posting.at,
        reason=posting.reason,
        request_id=posting.request_id,
    )


def balance(session: Session, tenant_id: int, holder: Ref) -> int:
    """The holder's balance; zero for a holder that never had credits."""
    b = t.CreditBalance
    found = session.scalar(
        select(b.balance).where(
            b.tenant_id == tenant_id, b.holder_type == holder.type, b.holder_id == holder.id
        )
    )
    return int(found or 0)


def entries(
    session: Session, tenant_id: int, holder: Ref, *, before: int | None = None, limit: int = 50
) -> list[t.CreditEntry]:
    """The holder's ledger, newest first, below entry number `before` (keyset pagination)."""
    e = t.CreditEntry
    statement: Any = select(e).where(
        e.tenant_id == tenant_id, e.holder_type == holder.type, e.holder_id == holder.id
    )
    if before is not None:
        statement = statement.where(e.seq < before)
    return list(session.scalars(statement.order_by(e.seq.desc()).limit(limit)))
