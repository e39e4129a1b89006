"""Impersonation sessions: a login session of a partner's account that names its impersonator and partner.

Like every session, only the SHA-256 of the cookie's secret is stored, and it ends at `expires_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from homeroom.store import tables as t


@dataclass(frozen=True)
class NewImpersonation:
    digest: str
    user_id: str  # the partner's account: whom the session acts as
    impersonator_id: str
    partner_id: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


def add_impersonation(session: Session, tenant_id: int, new: NewImpersonation) -> None:
    session.add(
        t.LoginSession(
            tenant_id=tenant_id,
            id=new.digest,
            user_id=new.user_id,
            csrf_token=new.csrf_token,
            created_at=new.created_at,
            expires_at=new.expires_at,
            impersonator_id=new.impersonator_id,
            partner_id=new.partner_id,
        )
    )
    session.flush()
