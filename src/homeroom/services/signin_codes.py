"""One-time sign-in codes: the secret printed on a student's start or login card.

Passwords are kept only as argon2id hashes, so a card cannot show one; instead it shows a fresh random code
of 12 characters (60 bits, from an alphabet without look-alikes, printed as `ABCD-EFGH-JKLM`). Only
SHA-256 of (tenant, student, code) is stored, with an expiry. `code_login` consumes a code once and starts a
browser session, exactly like a password sign-in: same throttling per account and per address, same audit.
Issuing a student a new code retires the student's earlier unused ones, so a reprinted card replaces a
lost one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select

from homeroom.errors import InvalidInput, Unauthenticated
from homeroom.policy.world import ACTIVE, NOT_DELETED
from homeroom.services.access import Access
from homeroom.services.logins import NewSession, audit_sign_in, open_session, throttle
from homeroom.services.runtime import Homeroom
from homeroom.store import credentials
from homeroom.store import signin_codes as store
from homeroom.store import tables as t
from homeroom.store.accounts import find_by_username

ACTION: Final = "auth.code_login"

ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I: read aloud and typed by children
LENGTH: Final = 12
GROUP: Final = 4
DEFAULT_DAYS: Final = 14
MAX_DAYS: Final = 90
REFUSED: Final = "the username or sign-in code is wrong, used or expired, or the account is not active"


@dataclass(frozen=True)
class IssuedCode:
    user_id: str
    code: str  # shown once, on the card
    expires_at: datetime


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalized(code: str) -> str:
    """What a person typed, as stored: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def code_digest(tenant_id: int, user_id: str, code: str) -> str:
    """SHA-256 of the code bound to its tenant and student: equal codes of two students never collide."""
    return hashlib.sha256(f"{tenant_id}:{user_id}:{normalized(code)}".encode()).hexdigest()


def issue_codes(
    access: Access, user_ids: Sequence[str], *, days: int = DEFAULT_DAYS
) -> dict[str, IssuedCode]:
    """A new code for each student (already authorized by the calling use case), valid for `days` days."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            f"a sign-in code is valid for 1 to {MAX_DAYS} days, not {days}",
            code="invalid_validity",
            details={"field": "valid_days"},
        )
    expires = access.now + timedelta(days=days)
    issued = {user_id: IssuedCode(user_id, new_code(), expires) for user_id in dict.fromkeys(user_ids)}
    store.replace_codes(
        access.session,
        access.tenant_id,
        {u: code_digest(access.tenant_id, u, c.code) for u, c in issued.items()},
        issued_by=access.actor,
        now=access.now,
        expires_at=expires,
    )
    return issued


def code_login(app: Homeroom, tenant: str, username: str, code: str, *, address: str) -> NewSession:
    """A new session for the student whose card shows `code`; the code works once. Failures are audited."""
    with app.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant))
        if tenant_id is None:
            raise Unauthenticated(REFUSED)
        now = app.clock()
        subjects = (f"account:{username.casefold()}", f"address:{address}")
        throttle(app, session, tenant_id, subjects, now)
        account = find_by_username(session, tenant_id, username)
        usable = account is not None and account.status == ACTIVE and account.deleted == NOT_DELETED
        if usable and account is not None:
            key = code_digest(tenant_id, account.id, code)
            if store.consume(session, tenant_id, key, user_id=account.id, now=now):
                credentials.clear_failures(session, tenant_id, subjects[0])
                audit_sign_in(
                    session,
                    tenant_id,
                    account.id,
                    now,
                    allowed=True,
                    reason="sign-in code accepted",
                    action=ACTION,
                )
                return open_session(app, session, tenant_id, account.id, now)
        for subject in subjects:
            credentials.add_failure(session, tenant_id, subject, failure_id=secrets.token_hex(16), now=now)
        reason = f"failed sign-in code for username {username!r}"
        audit_sign_in(
            session,
            tenant_id,
            account.id if account else None,
            now,
            allowed=False,
            reason=reason,
            action=ACTION,
        )
    raise Unauthenticated(REFUSED)
