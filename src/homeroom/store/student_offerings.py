"""What a student is given beyond the roster: assigned products and the pathway they are enrolled in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from homeroom.store import tables as t
from homeroom.store.upserts import insert_missing


def add_product(
    session: Session, tenant_id: int, student_id: str, product: str, *, by: str | None, at: datetime
) -> bool:
    """Assign `product`; False when the student already has it (the first assignment is kept)."""
    values = {
        "tenant_id": tenant_id,
        "student_id": student_id,
        "product": product,
        "assigned_by": by,
        "assigned_at": at,
    }
    return insert_missing(session, t.StudentProduct, values)


def remove_product(session: Session, tenant_id: int, student_id: str, product: str) -> bool:
    """Unassign `product`; False when the student did not have it."""
    p = t.StudentProduct
    result = session.execute(
        delete(p).where(p.tenant_id == tenant_id, p.student_id == student_id, p.product == product)
    )
    return bool(getattr(result, "rowcount", 0))


def products_of(session: Session, tenant_id: int, student_id: str) -> list[t.StudentProduct]:
    p = t.StudentProduct
    statement = select(p).where(p.tenant_id == tenant_id, p.student_id == student_id).order_by(p.product)
    return list(session.scalars(statement))


def set_pathway(
    session: Session, tenant_id: int, student_id: str, pathway: str, *, by: str | None, at: datetime
) -> str | None:
    """Enroll the student in `pathway` (replacing any other); the previous pathway, if any."""
    row = session.get(t.StudentPathway, (tenant_id, student_id), with_for_update=True)
    if row is None:
        values = {
            "tenant_id": tenant_id,
            "student_id": student_id,
            "pathway": pathway,
            "enrolled_by": by,
            "enrolled_at": at,
        }
        if insert_missing(session, t.StudentPathway, values):
            return None
        row = session.get(
            t.StudentPathway, (tenant_id, student_id), with_for_update=True, populate_existing=True
        )
        assert row is not None  # noqa: S101 - the conflicting row was just committed by another writer
    previous = row.pathway
    row.pathway, row.enrolled_by, row.enrolled_at = pathway, by, at
    session.flush()
    return previous


def pathway_of(session: Session, tenant_id: int, student_id: str) -> t.StudentPathway | None:
    return session.get(t.StudentPathway, (tenant_id, student_id))
