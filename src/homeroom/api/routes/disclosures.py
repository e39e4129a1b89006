"""Disclosure records of student records (who received which students' records, when, and why)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from homeroom.api.deps import CallerDep
from homeroom.api.routes.common import ERRORS, ID_PATTERN, UtcDatetime, checks
from homeroom.services import disclosures
from homeroom.services.disclosures import DisclosureView

router = APIRouter(prefix="/disclosures", tags=["audit"], responses=ERRORS)


class DisclosureOut(BaseModel):
    id: str
    at: UtcDatetime
    actor: str
    impersonator: str | None
    action: str
    target: str | None
    purpose: str
    students: int

    @classmethod
    def of(cls, view: DisclosureView) -> DisclosureOut:
        return cls(
            id=view.id,
            at=view.at,
            actor=view.actor,
            impersonator=view.impersonator,
            action=view.action,
            target=view.target,
            purpose=view.purpose,
            students=view.students,
        )


class DisclosurePageOut(BaseModel):
    items: list[DisclosureOut]
    next_before: str | None


@router.get("", openapi_extra=checks("student.view", "user.view"))
def list_disclosures(
    caller: CallerDep,
    student: Annotated[str | None, Query(pattern=ID_PATTERN, description="one student's disclosures")] = None,
    before: Annotated[
        str | None, Query(pattern=r"^[0-9T]{21}-[0-9a-f]{8}$", description="`next_before` of the last page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DisclosurePageOut:
    """Newest first. One student's: whoever may view them. All: the tenant's top administrators."""
    page = caller.run(lambda a: disclosures.list_disclosures(a, student=student, before=before, limit=limit))
    return DisclosurePageOut(items=[DisclosureOut.of(v) for v in page.items], next_before=page.next_before)
