"""The parent portal's data: each org's logo (the image bytes) and parents' self-registrations.

Registrations are written by the parent portal's sign-up, which is outside the charts: `add_registration`
is the store function it (and the tests) use; Homeroom's API only reads them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeroom.errors import Conflict
from homeroom.store import tables as t
from homeroom.store.upserts import insert_missing


@dataclass(frozen=True)
class Logo:
    media_type: str
    content: bytes
    by: str | None
    at: datetime


def put_logo(session: Session, tenant_id: int, org_id: str, logo: Logo) -> t.ParentPortalLogo:
    """Store (or replace) the org's logo."""
    values: dict[str, Any] = {
        "media_type": logo.media_type,
        "content": logo.content,
        "size": len(logo.content),
        "sha256": hashlib.sha256(logo.content).hexdigest(),
        "uploaded_by": logo.by,
        "uploaded_at": logo.at,
    }
    if not insert_missing(session, t.ParentPortalLogo, {"tenant_id": tenant_id, "org_id": org_id, **values}):
        row = session.get(t.ParentPortalLogo, (tenant_id, org_id), populate_existing=True)
        if row is not None:
            for key, value in values.items():
                setattr(row, key, value)
    session.flush()
    found = get_logo(session, tenant_id, org_id)
    if found is None:  # pragma: no cover - written just above
        raise Conflict(f"the logo of org {org_id!r} vanished while it was written")
    return found


def get_logo(session: Session, tenant_id: int, org_id: str) -> t.ParentPortalLogo | None:
    return session.get(t.ParentPortalLogo, (tenant_id, org_id), populate_existing=True)


@dataclass(frozen=True)
class NewRegistration:
    id: str
    org_id: str
    given_name: str
    family_name: str
    email: str
    registered_at: datetime
    student_id: str | None = None


def add_registration(session: Session, tenant_id: int, new: NewRegistration) -> None:
    """Record a parent's self-registration at an org (the parent portal's sign-up writes these)."""
    session.add(
        t.ParentRegistration(
            tenant_id=tenant_id,
            id=new.id,
            org_id=new.org_id,
            student_id=new.student_id,
            given_name=new.given_name,
            family_name=new.family_name,
            email=new.email,
            registered_at=new.registered_at,
        )
    )
    session.flush()


def registrations_under(
    session: Session, tenant_id: int, org_id: str, *, after: str | None, limit: int
) -> list[t.ParentRegistration]:
    """Registrations at `org_id` or any org below it, in id order after `after` (keyset pages)."""
    r, c = t.ParentRegistration, t.OrgClosure
    below = select(c.descendant_id).where(c.tenant_id == tenant_id, c.ancestor_id == org_id)
    statement = select(r).where(r.tenant_id == tenant_id, r.org_id.in_(below))
    if after is not None:
        statement = statement.where(r.id > after)
    return list(session.scalars(statement.order_by(r.id).limit(limit)))
