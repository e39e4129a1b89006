"""Disclosure records of student records (FERPA 34 CFR 99.32): one row per disclosure, one per student in it.

Disclosure ids start with the time they were made (`20250102T030405123456-1a2b3c4d`), so id order is time
order and lists page with a keyset on the id alone, newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from homeroom.store import tables as t


@dataclass(frozen=True)
class NewDisclosure:
    id: str
    at: datetime
    actor_id: str
    impersonator_id: str | None
    request_id: str
    action: str
    target_type: str | None
    target_id: str | None
    purpose: str


def add_disclosure(session: Session, tenant_id: int, new: NewDisclosure) -> None:
    session.add(
        t.Disclosure(
            tenant_id=tenant_id,
            id=new.id,
            at=new.at,
            actor_id=new.actor_id,
            impersonator_id=new.impersonator_id,
            request_id=new.request_id,
            action=new.action,
            target_type=new.target_type,
            target_id=new.target_id,
            purpose=new.purpose,
            students=0,
        )
    )
    session.flush()


def add_students(session: Session, tenant_id: int, disclosure_id: str, student_ids: Sequence[str]) -> None:
    """Name more students in a disclosure (an export adds them page by page)."""
    unique = list(dict.fromkeys(student_ids))
    if not unique:
        return
    session.execute(
        insert(t.DisclosedStudent),
        [{"tenant_id": tenant_id, "disclosure_id": disclosure_id, "student_id": s} for s in unique],
    )
    d = t.Disclosure
    session.execute(
        update(d)
        .where(d.tenant_id == tenant_id, d.id == disclosure_id)
        .values(students=d.students + len(unique))
        .execution_options(synchronize_session=False)
    )


def disclosures(
    session: Session, tenant_id: int, *, student: str | None, before: str | None, limit: int
) -> list[t.Disclosure]:
    """Newest first: every disclosure of the tenant, or those naming `student`; ids below `before`."""
    d = t.Disclosure
    statement = select(d).where(d.tenant_id == tenant_id)
    if student is not None:
        s = t.DisclosedStudent
        named = select(s.disclosure_id).where(s.tenant_id == tenant_id, s.student_id == student)
        statement = statement.where(d.id.in_(named))
    if before is not None:
        statement = statement.where(d.id < before)
    return list(session.scalars(statement.order_by(d.id.desc()).limit(limit)))


def students_of(session: Session, tenant_id: int, disclosure_id: str) -> list[str]:
    s = t.DisclosedStudent
    statement = (
        select(s.student_id)
        .where(s.tenant_id == tenant_id, s.disclosure_id == disclosure_id)
        .order_by(s.student_id)
    )
    return list(session.scalars(statement))
