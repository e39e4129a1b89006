"""Export credits (district-license): fund the district pool, allocate to accounts, spend on exports.

* `transact` (`billing.transact` on the district org) adds credits to the district's pool, or passes
  credits from the district's pool to one of its schools' pools.
* `allocate` (`export_credit.allocate` on the receiving account) moves credits from an org pool to the
  account. The pool must be one the account belongs under (its school or its district) and one the
  actor's allocate grant covers: a school administrator spends from the school's pool, a district
  administrator from the district's pool or any of its schools' pools.
* `consume_credit` takes credits from an account when it exports; the export authorizes itself, this is
  its bookkeeping step.

Each change is a conditional update of the holder's balance plus a ledger row, in the unit of work
(store/credit_ledger.py): balances never go negative and concurrent requests never spend a credit twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from homeroom.errors import Forbidden, InvalidInput
from homeroom.policy.decisions import deny
from homeroom.policy.facts import Facts
from homeroom.policy.visibility import can_see
from homeroom.policy.world import Check, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, evaluate, not_found
from homeroom.store import credit_ledger as ledger
from homeroom.store import tables as t
from homeroom.store.credit_ledger import Posting
from homeroom.store.facts import load_world

TRANSACT: Final = "billing.transact"
ALLOCATE: Final = "export_credit.allocate"
CONSUME: Final = "export_credit.consume"  # an audit action, not a permission: the export authorizes
POOL_KINDS: Final = ("district", "school")
MAX_AMOUNT: Final = 1_000_000
MAX_REASON: Final = 500


@dataclass(frozen=True)
class LedgerLine:
    id: str
    seq: int
    delta: int
    balance_after: int
    counterpart: str | None
    actor: str | None
    at: datetime
    reason: str
    request_id: str


@dataclass(frozen=True)
class Statement:
    """A holder's balance and one page of its ledger, newest first."""

    holder: str
    balance: int
    entries: list[LedgerLine]
    next_before: int | None


def transact(
    access: Access, org_id: str, amount: int, note: str, *, from_org: str | None = None
) -> Statement:
    """Add purchased credits to the district's pool, or (`from_org`: the district) pass some to a school's.

    Both are financial transactions of the district's license: `billing.transact` on the district.
    """
    pool = Ref("org", org_id)
    source = Ref("org", from_org) if from_org is not None else None
    decision = authorize(access, TRANSACT, source or pool)
    _check(amount, note)
    _require_pool_kind(access, pool)
    posting = _posting(access, note)
    if source is not None:
        _require_below(access, pool, source)
        ledger.post(access.session, access.tenant_id, source, -amount, replace(posting, counterpart=pool))
        posting = replace(posting, counterpart=source)
    after = ledger.post(access.session, access.tenant_id, pool, amount, posting)
    details: dict[str, object] = {"amount": amount, "note": note, "to": str(pool)}
    audit.record(access, TRANSACT, source or pool, decision=decision, details=details)
    return _statement(access, pool, after_write=after)


def _require_below(access: Access, pool: Ref, source: Ref) -> None:
    """A transfer goes from a district's pool to the pool of one of its schools."""
    world = load_world(access.session, access.tenant_id, users=(), refs=[pool])
    if pool.id == source.id or source.id not in Facts(world, access.profile).ancestors(pool.id):
        raise InvalidInput(
            f"{pool} is not below {source}: a district passes credits only to its own schools",
            code="not_below",
            details={"org": pool.id, "from": source.id},
        )


def allocate(access: Access, user_id: str, amount: int, *, from_org: str, note: str = "") -> Statement:
    """Move `amount` credits from the `from_org` pool to the account (`export_credit.allocate`)."""
    target = Ref("user", user_id)
    decision = authorize(access, ALLOCATE, target)
    pool = Ref("org", from_org)
    _authorize_pool(access, target, pool)
    reason = note or f"allocated from {pool}"
    _check(amount, reason)
    posting = _posting(access, reason)
    ledger.post(access.session, access.tenant_id, pool, -amount, replace(posting, counterpart=target))
    after = ledger.post(access.session, access.tenant_id, target, amount, replace(posting, counterpart=pool))
    details: dict[str, object] = {"amount": amount, "from": str(pool), "note": note}
    audit.record(access, ALLOCATE, target, decision=decision, details=details)
    return _statement(access, target, after_write=after)


def consume_credit(access: Access, user_id: str, n: int, reason: str) -> int:
    """Spend `n` of the account's credits for an export; the new balance. Conflict when it has too few.

    The caller (the export) has authorized the export itself; this records the spending in the ledger
    and the audit log, in the export's unit of work, so a failed export spends nothing.
    """
    holder = Ref("user", user_id)
    ledger.require_holder(access.session, access.tenant_id, holder)
    _check(n, reason)
    after = ledger.post(access.session, access.tenant_id, holder, -n, _posting(access, reason))
    audit.record(access, CONSUME, holder, details={"amount": n, "reason": reason, "balance": after})
    return after


def org_statement(access: Access, org_id: str, *, before: int | None = None, limit: int = 50) -> Statement:
    """An org pool's balance and ledger, for whoever may fund it or allocate from it."""
    pool = Ref("org", org_id)
    check = Check(access.actor, TRANSACT, pool)
    decision, facts = evaluate(access, check)
    if not (decision.allowed or _allocates_from(facts, access.actor, org_id)):
        access.denials.append(audit.denial(access, check, decision))
        if not can_see(facts, access.actor, pool):
            raise not_found(pool)
        raise Forbidden(
            f"{access.actor} may neither fund nor allocate from the credit pool of {pool}",
            details={"permission": TRANSACT, "target": str(pool), "rule": decision.code},
        )
    return _statement(access, pool, before=before, limit=limit)


def user_statement(access: Access, user_id: str, *, before: int | None = None, limit: int = 50) -> Statement:
    """An account's balance and ledger: its own, or one the actor may allocate credits to."""
    target = Ref("user", user_id)
    if user_id != access.actor:
        authorize(access, ALLOCATE, target)
    ledger.require_holder(access.session, access.tenant_id, target)
    return _statement(access, target, before=before, limit=limit)


def _check(amount: int, reason: str) -> None:
    if not 1 <= amount <= MAX_AMOUNT:
        raise InvalidInput(
            f"amount {amount} is out of range: expected 1 to {MAX_AMOUNT} credits",
            code="invalid_amount",
            details={"field": "amount", "value": amount},
        )
    if not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidInput(
            f"a reason of 1 to {MAX_REASON} characters is required",
            code="missing_field",
            details={"field": "note"},
        )


def _require_pool_kind(access: Access, pool: Ref) -> None:
    row = access.session.get(t.Org, (access.tenant_id, pool.id))
    if row is None or row.deleted != "none":
        raise not_found(pool)
    if row.kind not in POOL_KINDS:
        raise InvalidInput(
            f"{pool} is a {row.kind}: credit pools belong to districts and schools",
            code="not_a_pool",
            details={"org": pool.id},
        )


def _authorize_pool(access: Access, target: Ref, pool: Ref) -> None:
    """The pool lies above the account and under the actor's allocate grant; else deny, audited."""
    check = Check(access.actor, ALLOCATE, target, from_=pool)  # as audited: the pool as `from`
    world = load_world(access.session, access.tenant_id, users=[access.actor], refs=[target, pool])
    facts = Facts(world, access.profile)
    if not can_see(facts, access.actor, pool):
        access.denials.append(audit.denial(access, check, deny("pool", f"{pool} is not visible")))
        raise not_found(pool)
    _require_pool_kind(access, pool)
    problem = None
    if not facts.anchored_in(target, pool.id):
        problem = f"{target.id} is not a member of {pool}, so its pool cannot fund them"
    elif not _allocates_from(facts, access.actor, pool.id):
        problem = f"{access.actor} holds export_credit.allocate over no scope that covers {pool}"
    if problem is not None:
        access.denials.append(audit.denial(access, check, deny("pool", problem)))
        raise Forbidden(problem, code="pool_out_of_scope", details={"from": str(pool), "rule": "pool"})


def _allocates_from(facts: Facts, actor_id: str, org_id: str) -> bool:
    """Some assignment of the actor grants export_credit.allocate with a scope covering the org."""
    actor = facts.world.users.get(actor_id)
    if actor is None or ALLOCATE not in facts.profile.permissions:
        return False
    for assignment in actor.roles:
        scope = facts.profile.cell(assignment.role, ALLOCATE)
        if ("subtree" in scope and facts.in_subtree(org_id, assignment.org)) or (
            "org" in scope and org_id == assignment.org
        ):
            return True
    return False


def _posting(access: Access, reason: str) -> Posting:
    return Posting(access.principal.user_id, access.now, reason, access.request_id)


def _statement(
    access: Access, holder: Ref, *, before: int | None = None, limit: int = 50, after_write: int | None = None
) -> Statement:
    rows = ledger.entries(access.session, access.tenant_id, holder, before=before, limit=limit)
    balance = (
        after_write if after_write is not None else ledger.balance(access.session, access.tenant_id, holder)
    )
    lines = [
        LedgerLine(
            r.id, r.seq, r.delta, r.balance_after, r.counterpart, r.actor_id, r.at, r.reason, r.request_id
        )
        for r in rows
    ]
    next_before = lines[-1].seq if len(lines) == limit and lines[-1].seq > 1 else None
    return Statement(str(holder), balance, lines, next_before)
