"""Signing in: password logins with throttling, browser sessions with CSRF tokens, API tokens, invitations.

Secrets (session cookies, API tokens, invitation links) are random 256-bit values shown once; only their
SHA-256 is stored. A session or token works only while its account is active and not deleted, checked on
every request, and deactivating or deleting an account also deletes its sessions and revokes its tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeroom.errors import Forbidden, InvalidInput, Throttled, Unauthenticated
from homeroom.policy.world import ACTIVE, NOT_DELETED, Ref
from homeroom.services import audit
from homeroom.services.access import Access, Principal
from homeroom.services.authorization import authorize
from homeroom.services.impersonating import refuse_while_impersonating
from homeroom.services.impersonation import require_live
from homeroom.services.passwords import check_password, hash_password, verify_password
from homeroom.services.runtime import Homeroom
from homeroom.store import audit as audit_log
from homeroom.store import credentials
from homeroom.store import tables as t
from homeroom.store.accounts import find_by_username, require_account
from homeroom.store.tenants import advance_revision
from homeroom.store.versions import update_versioned

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_PREFIX = "hr_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class NewSession:
    secret: str
    csrf_token: str
    tenant_id: int
    user_id: str
    expires_at: datetime


def login(app: Homeroom, tenant: str, username: str, password: str, *, address: str) -> NewSession:
    """A new session for the account, or Unauthenticated / Throttled. Failures are recorded and audited."""
    with app.sessions.begin() as session:
        tenant_id = _tenant_id(session, tenant)
        now = app.clock()
        subjects = (f"account:{username.casefold()}", f"address:{address}")
        throttle(app, session, tenant_id, subjects, now)
        account = find_by_username(session, tenant_id, username)
        usable = account is not None and account.status == ACTIVE and account.deleted == NOT_DELETED
        matches = verify_password(app.passwords, account.password_hash if account else None, password)
        if usable and matches and account is not None:
            credentials.clear_failures(session, tenant_id, subjects[0])
            created = open_session(app, session, tenant_id, account.id, now)
            audit_sign_in(session, tenant_id, account.id, now, allowed=True, reason="password accepted")
            return created
        for subject in subjects:
            credentials.add_failure(session, tenant_id, subject, failure_id=secrets.token_hex(16), now=now)
        audit_sign_in(
            session,
            tenant_id,
            account.id if account else None,
            now,
            allowed=False,
            reason=f"failed login for username {username!r}",
        )
    raise Unauthenticated("the username or password is wrong, or the account is not active")


def _tenant_id(session: Session, name: str) -> int:
    found = session.scalar(select(t.Tenant.id).where(t.Tenant.name == name))
    if found is None:
        raise Unauthenticated("the username or password is wrong, or the account is not active")
    return found


def throttle(
    app: Homeroom, session: Session, tenant_id: int, subjects: tuple[str, str], now: datetime
) -> None:
    window = timedelta(seconds=app.settings.login_window_seconds)
    limits = (app.settings.login_account_limit, app.settings.login_address_limit)
    for subject, limit in zip(subjects, limits, strict=True):
        failures = credentials.recent_failures(session, tenant_id, subject, since=now - window)
        if len(failures) >= limit:
            retry = as_utc(failures[-limit]) + window - now
            raise Throttled(
                f"too many failed logins for this {subject.split(':')[0]}: try again later",
                retry_after=max(1, int(retry.total_seconds()) + 1),
            )


def open_session(app: Homeroom, session: Session, tenant_id: int, user_id: str, now: datetime) -> NewSession:
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + timedelta(hours=app.settings.session_hours)
    credentials.add_session(
        session, tenant_id, user_id, digest=digest(secret), csrf_token=csrf, now=now, expires_at=expires
    )
    return NewSession(secret, csrf, tenant_id, user_id, expires)


def audit_sign_in(  # noqa: PLR0913 - one entry's fields
    session: Session,
    tenant_id: int,
    user_id: str | None,
    now: datetime,
    *,
    allowed: bool,
    reason: str,
    action: str = "auth.login",
) -> None:
    draft = audit_log.Draft(
        now,
        secrets.token_hex(8),
        user_id,
        None,
        action,
        "user" if user_id else None,
        user_id,
        allowed,
        reason,
        {},
    )
    audit_log.append(session, tenant_id, draft)


def logout(access: Access) -> None:
    if access.principal.session_digest is not None:
        credentials.end_session(access.session, access.principal.session_digest)
        audit.record(access, "auth.logout", Ref("user", access.actor))


def session_principal(
    session: Session, app: Homeroom, *, secret: str, method: str, csrf: str | None
) -> Principal:
    """The caller of a browser request; unsafe methods must echo the session's CSRF token."""
    found = credentials.find_session(session, digest(secret))
    if found is None or as_utc(found.expires_at) <= app.clock():
        raise Unauthenticated("the session has ended: sign in again")
    _require_usable(session, found.tenant_id, found.user_id)
    if found.impersonator_id is not None:
        require_live(session, found)
    if method not in SAFE_METHODS and not hmac.compare_digest(csrf or "", found.csrf_token):
        raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)", code="csrf_failed")
    return Principal(
        found.tenant_id, found.user_id, "session", found.impersonator_id, found.csrf_token, found.id
    )


def token_principal(session: Session, _app: Homeroom, *, secret: str) -> Principal:
    return holder_principal(credentials.token_holder(session, digest(secret)))


def holder_principal(found: credentials.TokenHolder | None) -> Principal:
    """The caller holding the token `found` (None: no token has the secret's digest)."""
    if found is None or found.revoked:
        raise Unauthenticated("the API token is unknown or revoked")
    if found.user_id is None:
        return Principal(found.tenant_id, None, "service", tenant=found.tenant)
    if not found.usable:
        raise Unauthenticated("the account is no longer active")
    return Principal(found.tenant_id, found.user_id, "token", tenant=found.tenant)


def _require_usable(session: Session, tenant_id: int, user_id: str) -> None:
    account = session.get(t.User, (tenant_id, user_id))
    if account is None or account.status != ACTIVE or account.deleted != NOT_DELETED:
        raise Unauthenticated("the account is no longer active")


@dataclass(frozen=True)
class IssuedToken:
    id: str
    name: str
    token: str  # shown once
    created_at: datetime


def issue_token(access: Access, name: str) -> IssuedToken:
    """A new API token for the caller's own account (never while impersonating: it would outlive it)."""
    refuse_while_impersonating(access, "auth.token", Ref("user", access.actor), "issuing an API token")
    return _issue(access.session, access.tenant_id, access.actor, name, access.now)


def issue_service_token(session: Session, tenant_id: int, name: str, now: datetime) -> IssuedToken:
    """A tenant's service token (SCIM and the authorization service): issued by operators through the CLI."""
    return _issue(session, tenant_id, None, name, now)


def _issue(session: Session, tenant_id: int, user_id: str | None, name: str, now: datetime) -> IssuedToken:
    token_id = secrets.token_hex(8)
    secret = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    credentials.add_token(
        session, tenant_id, user_id, token_id=token_id, name=name, digest=digest(secret), now=now
    )
    return IssuedToken(token_id, name, secret, now)


def list_tokens(access: Access) -> list[t.ApiToken]:
    return credentials.tokens_of(access.session, access.tenant_id, access.actor)


def revoke_token(access: Access, token_id: str) -> None:
    row = access.session.get(t.ApiToken, (access.tenant_id, token_id))
    if row is None or row.user_id != access.actor:
        raise InvalidInput(f"you hold no token {token_id!r}", code="token_not_found")
    if row.revoked_at is None:
        row.revoked_at = access.now
        audit.record(access, "auth.revoke_token", Ref("user", access.actor), details={"token": token_id})


@dataclass(frozen=True)
class IssuedInvitation:
    token: str  # shown once
    expires_at: datetime


def invite(access: Access, user_id: str) -> IssuedInvitation:
    """A fresh one-time invitation for an invited staff account (replacing any earlier one)."""
    permission = "staff.edit" if "staff.edit" in access.profile.permissions else "user.edit"
    decision = authorize(access, permission, Ref("user", user_id))
    account = require_account(access.session, access.tenant_id, user_id)
    if account.status != "invited":
        raise InvalidInput(f"user {user_id!r} is {account.status}, not invited", code="not_invited")
    audit.record(access, "auth.invite", Ref("user", user_id), decision=decision)
    return new_invitation(access, user_id)


def new_invitation(access: Access, user_id: str) -> IssuedInvitation:
    secret = secrets.token_urlsafe(32)
    expires = access.now + timedelta(days=access.app.settings.invitation_days)
    credentials.add_invitation(
        access.session, access.tenant_id, user_id, digest=digest(secret), now=access.now, expires_at=expires
    )
    return IssuedInvitation(secret, expires)


def invitation_principal(session: Session, app: Homeroom, *, secret: str) -> Principal:
    found = credentials.find_invitation(session, digest(secret))
    if found is None or found.used_at is not None or as_utc(found.expires_at) <= app.clock():
        raise Unauthenticated("the invitation is unknown, used or expired: ask for a new one")
    return Principal(found.tenant_id, found.user_id, "invitation", session_digest=digest(secret))


def accept_invitation(access: Access, password: str) -> None:
    """The invited account sets its password and becomes active (`staff.setup_own_account`)."""
    me = Ref("user", access.actor)
    decision = authorize(access, "staff.setup_own_account", me)
    check_password(password, "staff")
    update_versioned(
        access.session,
        t.User,
        access.tenant_id,
        access.actor,
        expected=None,
        values={"password_hash": hash_password(access.app.passwords, password), "status": ACTIVE},
    )
    invitation = credentials.find_invitation(access.session, access.principal.session_digest or "")
    if invitation is not None:
        invitation.used_at = access.now
    advance_revision(access.session, access.tenant_id)
    audit.record(access, "staff.setup_own_account", me, decision=decision)
