"""Reading the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from homeroom.api.deps import CallerDep
from homeroom.api.routes.common import ERRORS, checks
from homeroom.services import audit

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)


class AuditPageOut(BaseModel):
    items: list[dict[str, Any]]
    next_after: int | None


@router.get("", openapi_extra=checks())
def read_audit(
    caller: CallerDep,
    after: Annotated[int, Query(ge=0, le=2**53)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPageOut:
    """Entries after sequence number `after`, oldest first (top administrators only)."""
    rows = caller.run(lambda a: [audit.as_dict(r) for r in audit.read_entries(a, after=after, limit=limit)])
    next_after = int(rows[-1]["seq"]) if len(rows) == limit else None  # type: ignore[call-overload]
    return AuditPageOut(items=rows, next_after=next_after)
