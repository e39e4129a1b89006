"""Disclosure records of student records, in the manner of FERPA 34 CFR 99.32.

Every view of a student's record in the Manager, every printed card or roster and every export of student
data writes one disclosure: who (the actor, an impersonator if any), when, through which action, for which
stated purpose, and which students' records it included. Disclosures are written in the use case's own
unit of work, so a disclosure exists exactly when the data went out. Never the data itself.

Who reads them: the disclosures of one student, whoever may view that student (so a parent's request can
be answered by the school that holds the record); the tenant's whole list, the tenant's top administrators
(the same rule as the audit log, `audit.may_read`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeroom.errors import Forbidden, InvalidInput
from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.store import disclosures as store
from homeroom.store import tables as t
from homeroom.store.disclosures import NewDisclosure

PURPOSE_LENGTH: Final = 200
VIEW_PURPOSE: Final = "view"


def check_purpose(purpose: str | None) -> str:
    """The stated purpose, stripped; InvalidInput when it is missing, blank or longer than 200 characters."""
    text = (purpose or "").strip()
    if not text or len(text) > PURPOSE_LENGTH:
        raise InvalidInput(
            f"state the purpose of the disclosure in 1 to {PURPOSE_LENGTH} characters (got {len(text)})",
            code="invalid_purpose",
            details={"field": "purpose", "max_length": PURPOSE_LENGTH},
        )
    return text


def begin(access: Access, action: str, purpose: str, target: Ref | None = None) -> str:
    """Record a disclosure naming no student yet (an export adds them page by page); returns its id."""
    disclosure_id = f"{access.now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
    store.add_disclosure(
        access.session,
        access.tenant_id,
        NewDisclosure(
            disclosure_id,
            access.now,
            access.actor,
            access.principal.impersonator_id,
            access.request_id,
            action,
            target.type if target else None,
            target.id if target else None,
            check_purpose(purpose),
        ),
    )
    return disclosure_id


def include(access: Access, disclosure_id: str, student_ids: Sequence[str]) -> None:
    """Name more students whose records the disclosure included."""
    store.add_students(access.session, access.tenant_id, disclosure_id, student_ids)


def disclose(
    access: Access,
    student_ids: Sequence[str],
    purpose: str,
    *,
    action: str = "student.view",
    target: Ref | None = None,
) -> str:
    """Record that the records of `student_ids` went to the actor for `purpose`; returns its id."""
    disclosure_id = begin(access, action, purpose, target)
    include(access, disclosure_id, student_ids)
    return disclosure_id


@dataclass(frozen=True)
class DisclosureView:
    id: str
    at: datetime
    actor: str
    impersonator: str | None
    action: str
    target: str | None
    purpose: str
    students: int


def _view(row: t.Disclosure) -> DisclosureView:
    return DisclosureView(
        row.id,
        row.at,
        row.actor_id,
        row.impersonator_id,
        row.action,
        f"{row.target_type}:{row.target_id}" if row.target_type else None,
        row.purpose,
        row.students,
    )


@dataclass(frozen=True)
class DisclosurePage:
    items: list[DisclosureView]
    next_before: str | None


def list_disclosures(
    access: Access, *, student: str | None, before: str | None = None, limit: int = 100
) -> DisclosurePage:
    """Newest first: the disclosures naming `student` (needs view on them), or all (top administrators)."""
    target = Ref("user", student) if student is not None else None
    decision = None
    if target is not None:
        permission = "student.view" if "student.view" in access.profile.permissions else "user.view"
        decision = authorize(access, permission, target)
    elif not audit.may_read(access):
        raise Forbidden(
            "the tenant's disclosure records are open to holders of the top role at the tenant's top org;"
            " ask for one student's with ?student=ID",
            code="disclosures_forbidden",
        )
    rows = store.disclosures(access.session, access.tenant_id, student=student, before=before, limit=limit)
    audit.record(access, "disclosure.read", target, decision=decision, details={"count": len(rows)})
    return DisclosurePage([_view(r) for r in rows], rows[-1].id if len(rows) == limit else None)
