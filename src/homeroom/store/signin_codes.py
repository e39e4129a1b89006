"""One-time sign-in codes printed on students' cards. Only a SHA-256 digest of each code is stored.

A code is consumed with one conditional UPDATE (`... WHERE used_at IS NULL AND expires_at > now`), so of two
concurrent sign-ins with the same code exactly one succeeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from homeroom.store import tables as t


def replace_codes(
    session: Session,
    tenant_id: int,
    digests: Mapping[str, str],
    *,
    issued_by: str | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Store one new code per user (`digests`: user id -> digest); their earlier unused codes stop working."""
    if not digests:
        return
    c = t.SigninCode
    session.execute(
        delete(c).where(c.tenant_id == tenant_id, c.user_id.in_(list(digests)), c.used_at.is_(None))
    )
    session.add_all(
        c(
            tenant_id=tenant_id,
            id=digest,
            user_id=user_id,
            issued_by=issued_by,
            created_at=now,
            expires_at=expires_at,
        )
        for user_id, digest in digests.items()
    )
    session.flush()


def consume(session: Session, tenant_id: int, digest: str, *, user_id: str, now: datetime) -> bool:
    """Mark the code used if it is the user's, unused and unexpired; True when this call consumed it."""
    c = t.SigninCode
    consumed = session.scalar(
        update(c)
        .where(
            c.tenant_id == tenant_id,
            c.id == digest,
            c.user_id == user_id,
            c.used_at.is_(None),
            c.expires_at > now,
        )
        .values(used_at=now)
        .returning(c.id)
        .execution_options(synchronize_session=False)
    )
    return consumed is not None


def codes_of(session: Session, tenant_id: int, user_id: str) -> list[t.SigninCode]:
    c = t.SigninCode
    return list(
        session.scalars(
            select(c).where(c.tenant_id == tenant_id, c.user_id == user_id).order_by(c.created_at)
        )
    )
