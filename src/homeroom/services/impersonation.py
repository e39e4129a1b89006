"""Partner impersonation: sales and support staff act as a partner's account for a limited time.

* A partner (an object at an org) names the account it signs in with (`account`, linked by operators). A
  caller who holds `partner.impersonate` on the partner starts an impersonation: a new session of that
  account which names the caller as its impersonator and ends by itself after
  `Settings.impersonation_minutes` (30 by default), measured on the application's clock.
* Every audit entry and disclosure made during it names the impersonator (the principal carries it), and
  so does every denial. Starting and stopping are audited too.
* The session works only while it is live (checked on every request, `require_live`): not expired, the
  impersonator still active and still allowed `partner.impersonate` on the partner, the partner live and
  still linked to the account. Revoking the impersonator's role ends the impersonation at once.
* Bulk exports, new credentials and nested impersonations are refused (services/impersonating.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from homeroom.errors import Conflict, Unauthenticated
from homeroom.policy import registry
from homeroom.policy.engine import decide
from homeroom.policy.world import ACTIVE, NOT_DELETED, STAFF, Check, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.content import authorize_on, require_row
from homeroom.services.impersonating import refuse_while_impersonating
from homeroom.store import content as store
from homeroom.store import credentials
from homeroom.store import tables as t
from homeroom.store.facts import load_facts
from homeroom.store.impersonations import NewImpersonation, add_impersonation
from homeroom.store.tenants import require_tenant

IMPERSONATE = "partner.impersonate"


@dataclass(frozen=True)
class Impersonation:
    partner: str
    account: str
    impersonator: str
    expires_at: datetime
    secret: str | None = None  # the new session's secret: returned once, when it starts
    csrf_token: str | None = None


def start(access: Access, partner_id: str) -> Impersonation:
    """Act as the partner's account (`partner.impersonate` on the partner) until it expires or is stopped."""
    ref = Ref("partner", partner_id)
    refuse_while_impersonating(access, IMPERSONATE, ref, "starting another impersonation")
    partner = require_row(access, "partner", partner_id)
    decision = authorize_on(access, IMPERSONATE, ref, ref)
    account = _account_of(access, partner)
    secret = secrets.token_urlsafe(32)
    csrf = access.principal.csrf_token or secrets.token_urlsafe(24)
    expires = access.now + timedelta(minutes=access.app.settings.impersonation_minutes)
    add_impersonation(
        access.session,
        access.tenant_id,
        NewImpersonation(_digest(secret), account, access.actor, partner_id, csrf, access.now, expires),
    )
    details: dict[str, object] = {"account": account, "expires_at": expires.isoformat()}
    audit.record(access, IMPERSONATE, ref, decision=decision, details=details)
    return Impersonation(partner_id, account, access.actor, expires, secret, csrf)


def _account_of(access: Access, partner: t.Thing) -> str:
    if partner.account_id is None:
        raise Conflict(
            f"partner {partner.id!r} has no account to act as: an operator links one first",
            code="partner_without_account",
            details={"partner": partner.id},
        )
    account = access.session.get(t.User, (access.tenant_id, partner.account_id))
    usable = (
        account is not None
        and account.kind == STAFF
        and account.status == ACTIVE
        and account.deleted == NOT_DELETED
        and account.id != access.actor
    )
    if not usable:
        raise Conflict(
            f"the account of partner {partner.id!r} cannot be impersonated (inactive, deleted or your own)",
            code="partner_account_unusable",
            details={"partner": partner.id, "account": partner.account_id},
        )
    return partner.account_id


def current(access: Access) -> Impersonation:
    """The impersonation the caller is in; Conflict when there is none."""
    row = _session_row(access)
    return Impersonation(row.partner_id or "", row.user_id, row.impersonator_id or "", row.expires_at)


def stop(access: Access) -> Impersonation:
    """End the impersonation the caller is in (the impersonator's own session is untouched)."""
    row = _session_row(access)
    ended = Impersonation(row.partner_id or "", row.user_id, row.impersonator_id or "", row.expires_at)
    credentials.end_session(access.session, row.id)
    audit.record(
        access, "partner.impersonate.stop", Ref("partner", ended.partner), details={"account": ended.account}
    )
    return ended


def _session_row(access: Access) -> t.LoginSession:
    digest = access.principal.session_digest
    row = credentials.find_session(access.session, digest) if digest else None
    if row is None or row.impersonator_id is None or access.principal.impersonator_id is None:
        raise Conflict("you are not impersonating a partner", code="not_impersonating")
    return row


def require_live(session: Session, found: t.LoginSession) -> None:
    """An impersonation session acts only while its impersonator may still impersonate its partner."""
    tenant = require_tenant(session, found.tenant_id)
    partner = store.get(session, found.tenant_id, found.partner_id or "")
    live = (
        partner is not None
        and partner.type == "partner"
        and partner.deleted == NOT_DELETED
        and partner.account_id == found.user_id
        and found.impersonator_id is not None
    )
    if live and found.impersonator_id is not None and partner is not None:
        check = Check(found.impersonator_id, IMPERSONATE, Ref("partner", partner.id))
        facts = load_facts(session, found.tenant_id, registry.profile(tenant.profile), check)
        live = decide(check, facts).allowed
    if not live:
        raise Unauthenticated(
            "the impersonation has ended: its partner or the impersonator's permission is gone",
            code="impersonation_ended",
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
