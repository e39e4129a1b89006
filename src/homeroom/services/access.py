"""Who is acting, in which tenant, within which transaction: what every use case receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy.orm import Session

from homeroom.errors import Forbidden
from homeroom.policy import registry
from homeroom.policy.profiles import Profile
from homeroom.store import audit as audit_log
from homeroom.store.snapshots import Snapshot
from homeroom.store.tenants import TenantHead, require_head

if TYPE_CHECKING:
    from homeroom.services.runtime import Homeroom

Via = Literal["session", "token", "service", "cli", "invitation", "anonymous"]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: an account of a tenant, or (user_id None) the tenant's service token."""

    tenant_id: int
    user_id: str | None
    via: Via
    impersonator_id: str | None = None
    csrf_token: str | None = None
    session_digest: str | None = None
    # the tenant's name, profile and revision when the authentication read them in its own query
    tenant: TenantHead | None = field(default=None, compare=False, repr=False)


@dataclass
class Access:
    app: Homeroom
    session: Session
    principal: Principal
    tenant_name: str
    profile: Profile
    request_id: str
    now: datetime
    denials: list[audit_log.Draft] = field(default_factory=list)
    revision: int = -1  # the tenant's revision when the unit of work began

    @classmethod
    def start(
        cls,
        app: Homeroom,
        session: Session,
        principal: Principal,
        *,
        request_id: str,
        denials: list[audit_log.Draft],
    ) -> Access:
        tenant = principal.tenant or require_head(session, principal.tenant_id)
        return cls(
            app,
            session,
            principal,
            tenant.name,
            registry.profile(tenant.profile),
            request_id,
            app.clock(),
            denials,
            tenant.revision,
        )

    def snapshot(self) -> Snapshot | None:
        """The tenant's orgs, settings and custom roles at this unit of work's revision, kept by the
        process (store/snapshots.py); None once this unit of work has written."""
        return self.app.snapshots.get(self.session, self.tenant_id, self.revision)

    @property
    def tenant_id(self) -> int:
        return self.principal.tenant_id

    @property
    def actor(self) -> str:
        """The acting account; a service token has none and may only use the service endpoints."""
        if self.principal.user_id is None:
            raise Forbidden("a service token acts for no account: use an account's session or token")
        return self.principal.user_id


def acting_as(
    tenant_id: int, user_id: str | None, *, via: Via = "cli"
) -> Callable[[Session, object], Principal]:
    """Authenticate as a known account without credentials: the CLI (run by operators) and tests."""

    def authenticate(_session: Session, _app: object) -> Principal:
        return Principal(tenant_id, user_id, via)

    return authenticate
