"""Export credits: district and school pools, account balances, and their ledgers (district-license)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from homeroom.api.deps import CallerDep, PageDep, encode_cursor
from homeroom.api.routes.common import ERRORS, Id, Input, PathId, UtcDatetime, checks
from homeroom.errors import InvalidInput
from homeroom.services import export_credits
from homeroom.services.export_credits import MAX_AMOUNT, MAX_REASON, Statement

router = APIRouter(tags=["export credits"], responses=ERRORS)
Amount = Annotated[int, Field(ge=1, le=MAX_AMOUNT, description="a number of credits")]
Note = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class LedgerLineOut(BaseModel):
    id: str
    seq: int = Field(description="the holder's n-th ledger entry")
    delta: int
    balance_after: int
    counterpart: str | None = Field(description="the other side of a transfer (`org:ID` or `user:ID`)")
    actor: str | None
    at: UtcDatetime
    reason: str
    request_id: str


class StatementOut(BaseModel):
    holder: str
    balance: int
    entries: list[LedgerLineOut]
    next_cursor: str | None

    @classmethod
    def of(cls, statement: Statement) -> StatementOut:
        return cls(
            holder=statement.holder,
            balance=statement.balance,
            entries=[LedgerLineOut(**vars(line)) for line in statement.entries],
            next_cursor=encode_cursor(str(statement.next_before) if statement.next_before else None),
        )


def _before(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit() or len(after) > 12:
        raise InvalidInput("this cursor is not one of a credit ledger", code="invalid_cursor")
    return int(after)


class TransactionIn(Input):
    amount: Amount
    note: Note = Field(description="what the transaction is: an invoice or purchase order reference")
    from_org: Id | None = Field(None, description="pass credits from this district's pool to the school's")


class AllocationIn(Input):
    amount: Amount
    from_org: Id = Field(description="the pool: the account's school or district")
    note: str = Field("", max_length=MAX_REASON)


@router.get("/orgs/{org_id}/credits", openapi_extra=checks("billing.transact", "export_credit.allocate"))
def org_credits(org_id: PathId, caller: CallerDep, page: PageDep) -> StatementOut:
    """A pool's balance and ledger (newest first), for whoever may fund it or allocate from it."""
    before = _before(page.after)
    return StatementOut.of(
        caller.run(lambda a: export_credits.org_statement(a, org_id, before=before, limit=page.limit))
    )


@router.post(
    "/orgs/{org_id}/credits", status_code=status.HTTP_201_CREATED, openapi_extra=checks("billing.transact")
)
def fund_pool(org_id: PathId, body: TransactionIn, caller: CallerDep) -> StatementOut:
    """Add purchased credits to the district's pool, or pass some from the district's pool to a school's."""
    return StatementOut.of(
        caller.run(
            lambda a: export_credits.transact(a, org_id, body.amount, body.note, from_org=body.from_org)
        )
    )


@router.get("/users/{user_id}/credits", openapi_extra=checks("export_credit.allocate"))
def user_credits(user_id: PathId, caller: CallerDep, page: PageDep) -> StatementOut:
    """An account's balance and ledger: your own, or one you may allocate credits to."""
    before = _before(page.after)
    return StatementOut.of(
        caller.run(lambda a: export_credits.user_statement(a, user_id, before=before, limit=page.limit))
    )


@router.post(
    "/users/{user_id}/credits",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=checks("export_credit.allocate"),
)
def allocate_credits(user_id: PathId, body: AllocationIn, caller: CallerDep) -> StatementOut:
    """Move credits from a pool to the account."""
    return StatementOut.of(
        caller.run(
            lambda a: export_credits.allocate(a, user_id, body.amount, from_org=body.from_org, note=body.note)
        )
    )
