"""Sessions, API tokens, invitations and failed-login counts. Only SHA-256 digests of secrets are stored."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from homeroom.policy.world import ACTIVE, NOT_DELETED
from homeroom.store import tables as t
from homeroom.store.raw import RawQuery, fetch
from homeroom.store.tenants import TenantHead


def add_session(  # noqa: PLR0913 - one row's columns
    session: Session,
    tenant_id: int,
    user_id: str,
    *,
    digest: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
    impersonator_id: str | None = None,
) -> None:
    session.add(
        t.LoginSession(
            tenant_id=tenant_id,
            id=digest,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
            impersonator_id=impersonator_id,
        )
    )
    session.flush()


def find_session(session: Session, digest: str) -> t.LoginSession | None:
    return session.scalar(select(t.LoginSession).where(t.LoginSession.id == digest))


def end_session(session: Session, digest: str) -> None:
    session.execute(delete(t.LoginSession).where(t.LoginSession.id == digest))


def end_all(session: Session, tenant_id: int, user_id: str, *, now: datetime) -> None:
    """End every session and revoke every token of the account, at once."""
    session.execute(
        delete(t.LoginSession).where(t.LoginSession.tenant_id == tenant_id, t.LoginSession.user_id == user_id)
    )
    session.execute(
        update(t.ApiToken)
        .where(
            t.ApiToken.tenant_id == tenant_id, t.ApiToken.user_id == user_id, t.ApiToken.revoked_at.is_(None)
        )
        .values(revoked_at=now)
    )


def add_token(  # noqa: PLR0913 - one row's columns
    session: Session,
    tenant_id: int,
    user_id: str | None,
    *,
    token_id: str,
    name: str,
    digest: str,
    now: datetime,
) -> t.ApiToken:
    row = t.ApiToken(
        tenant_id=tenant_id, id=token_id, user_id=user_id, name=name, secret_hash=digest, created_at=now
    )
    session.add(row)
    session.flush()
    return row


class TokenHolder(NamedTuple):
    tenant_id: int
    user_id: str | None
    revoked: bool
    usable: bool  # a service token, or its account is active and not deleted
    tenant: TenantHead  # read in the same query: the request needs it next


# Every API request reads it first: the token, its account's state and the tenant's name, profile and
# revision, in one statement (store/raw.py).
HOLDER = RawQuery.of(
    """SELECT api_tokens.tenant_id, api_tokens.user_id, api_tokens.revoked_at, users.status, users.deleted,
    tenants.name, tenants.profile, tenants.revision
    FROM api_tokens JOIN tenants ON tenants.id = api_tokens.tenant_id
    LEFT OUTER JOIN users ON users.tenant_id = api_tokens.tenant_id AND users.id = api_tokens.user_id
    WHERE api_tokens.secret_hash = :digest"""
)


def token_holder(session: Session, digest: str) -> TokenHolder | None:
    """The token of this digest with its account's state, in one query (every API request asks)."""
    rows = fetch(session, HOLDER, {"digest": digest})
    if not rows:
        return None
    tenant_id, user_id, revoked_at, status, deleted, name, profile, revision = rows[0]
    usable = user_id is None or (status == ACTIVE and deleted == NOT_DELETED)
    return TokenHolder(
        tenant_id, user_id, revoked_at is not None, usable, TenantHead(name, profile, revision)
    )


def find_token(session: Session, digest: str) -> t.ApiToken | None:
    return session.scalar(select(t.ApiToken).where(t.ApiToken.secret_hash == digest))


def tokens_of(session: Session, tenant_id: int, user_id: str | None) -> list[t.ApiToken]:
    owner = t.ApiToken.user_id.is_(None) if user_id is None else t.ApiToken.user_id == user_id
    statement = (
        select(t.ApiToken).where(t.ApiToken.tenant_id == tenant_id, owner).order_by(t.ApiToken.created_at)
    )
    return list(session.scalars(statement))


def add_invitation(
    session: Session, tenant_id: int, user_id: str, *, digest: str, now: datetime, expires_at: datetime
) -> None:
    # a new invitation replaces any earlier unused one
    session.execute(
        delete(t.Invitation).where(
            t.Invitation.tenant_id == tenant_id,
            t.Invitation.user_id == user_id,
            t.Invitation.used_at.is_(None),
        )
    )
    session.add(
        t.Invitation(tenant_id=tenant_id, id=digest, user_id=user_id, created_at=now, expires_at=expires_at)
    )
    session.flush()


def find_invitation(session: Session, digest: str) -> t.Invitation | None:
    return session.scalar(select(t.Invitation).where(t.Invitation.id == digest))


def add_failure(session: Session, tenant_id: int, subject: str, *, failure_id: str, now: datetime) -> None:
    session.add(t.LoginFailure(tenant_id=tenant_id, id=failure_id, subject=subject, at=now))
    session.flush()


def recent_failures(session: Session, tenant_id: int, subject: str, *, since: datetime) -> list[datetime]:
    f = t.LoginFailure
    statement = (
        select(f.at).where(f.tenant_id == tenant_id, f.subject == subject, f.at >= since).order_by(f.at)
    )
    return list(session.scalars(statement))


def clear_failures(session: Session, tenant_id: int, subject: str) -> None:
    session.execute(
        delete(t.LoginFailure).where(t.LoginFailure.tenant_id == tenant_id, t.LoginFailure.subject == subject)
    )


def count_sessions(session: Session, tenant_id: int, user_id: str) -> int:
    s = t.LoginSession
    return int(
        session.scalar(select(func.count()).where(s.tenant_id == tenant_id, s.user_id == user_id)) or 0
    )
