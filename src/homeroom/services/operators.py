"""What operators do from the command line, holding the database URL and no account.

Opening a tenant (its root org and, optionally, its first administrator), listing tenants, issuing a
tenant's service token, and reading or verifying its audit chain are not decided by the policy: whoever
can reach the database can do them anyway. They are still audited, with no actor (`via` "cli"), so the
chain shows who did what even before the tenant has any account.

Everything else the command line does runs as an account of the tenant (`as_account`), through the same
use cases, authorization and audit as the API.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from homeroom.errors import InvalidInput, NotFound
from homeroom.policy import registry
from homeroom.policy.profiles import Profile
from homeroom.policy.world import ACTIVE, INVITED, STAFF, Assignment, Org, Ref, User
from homeroom.services import audit
from homeroom.services.access import Access, Principal
from homeroom.services.accounts import AccountView, read_account
from homeroom.services.logins import IssuedInvitation, IssuedToken, issue_service_token, new_invitation
from homeroom.services.passwords import check_password, hash_password
from homeroom.services.runtime import Homeroom, new_request_id
from homeroom.store import audit as audit_log
from homeroom.store import tables as t
from homeroom.store import tenants as tenant_rows
from homeroom.store.accounts import find_by_username, require_account
from homeroom.store.orgs import add_org
from homeroom.store.rosters import add_user
from homeroom.store.tenants import create_tenant, require_tenant_named

ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
ROOT_KINDS: Final = ("district", "customer", "organization", "school")  # preferred first


@dataclass(frozen=True)
class Root:
    id: str
    kind: str
    name: str


@dataclass(frozen=True)
class FirstAdmin:
    username: str
    role: str | None = None  # default: the profile's highest-ranked staff role held at the root's kind
    given_name: str = ""
    family_name: str = ""
    email: str | None = None
    password: str | None = None
    invite: bool = False


@dataclass(frozen=True)
class OpenedTenant:
    id: int
    name: str
    profile: str
    root: Root
    admin: AccountView | None
    invitation: IssuedInvitation | None


@dataclass(frozen=True)
class TenantSummary:
    id: int
    name: str
    profile: str


def root_id_for(name: str) -> str:
    """An org id made from a tenant name: `Maple Valley` -> `maple-valley`."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:64]
    return slug or "root"


def root_kind(profile: Profile) -> str:
    """Where a new tenant's tree starts: a district when the profile has district roles, else the
    widest kind one of its staff roles is held at."""
    kinds = {kind for role in profile.roles.values() if role.account == STAFF for kind in role.assignable_at}
    return next((kind for kind in ROOT_KINDS if kind in kinds), ROOT_KINDS[0])


def admin_role(profile: Profile, kind: str) -> str:
    """The highest-ranked staff role of the profile that can be held at an org of `kind`."""
    candidates = [r for r in profile.roles.values() if r.account == STAFF and kind in r.assignable_at]
    if not candidates:
        raise InvalidInput(
            f"profile {profile.id!r} has no staff role that can be held at a {kind}",
            code="no_admin_role",
            details={"kind": kind},
        )
    return max(candidates, key=lambda role: role.rank or 0).id


def open_tenant(
    app: Homeroom, name: str, profile_id: str, *, root: Root | None = None, admin: FirstAdmin | None = None
) -> OpenedTenant:
    """A new tenant with its root org and, if asked, a first administrator there; all or nothing."""
    profile = registry.profile(profile_id)
    if not name.strip() or len(name) > 200:
        raise InvalidInput("a tenant name needs 1 to 200 characters", code="invalid_name")
    root = root or Root(root_id_for(name), root_kind(profile), name)
    if not ID_PATTERN.match(root.id):
        raise InvalidInput(
            f"root org id {root.id!r} must match {ID_PATTERN.pattern}",
            code="invalid_id",
            details={"id": root.id},
        )
    with app.sessions.begin() as session:
        tenant_id = create_tenant(session, name, profile.id)
        add_org(session, tenant_id, Org(root.id, root.kind))
        org = session.get(t.Org, (tenant_id, root.id))
        if org is not None:
            org.name = root.name
        access = _operator(app, session, tenant_id)
        details: dict[str, object] = {"name": name, "profile": profile.id, "root": root.id, "kind": root.kind}
        audit.record(access, "tenant.create", Ref("org", root.id), details=details)
        view, invitation = _first_admin(access, root, admin) if admin else (None, None)
    return OpenedTenant(tenant_id, name, profile.id, root, view, invitation)


def _operator(app: Homeroom, session: Session, tenant_id: int) -> Access:
    principal = Principal(tenant_id, None, "cli")
    return Access.start(app, session, principal, request_id=new_request_id(), denials=[])


def _first_admin(
    access: Access, root: Root, admin: FirstAdmin
) -> tuple[AccountView, IssuedInvitation | None]:
    role = admin.role or admin_role(access.profile, root.kind)
    if admin.invite and "staff.setup_own_account" not in access.profile.permissions:
        raise InvalidInput(
            "only staff of a product with first-time set-up can be invited", code="no_invitations"
        )
    if admin.password is not None:
        check_password(admin.password, STAFF)
    status = INVITED if admin.invite else ACTIVE
    user = User(f"u-{secrets.token_hex(6)}", STAFF, status, roles=(Assignment(role, root.id),))
    add_user(access.session, access.tenant_id, user, access.profile)
    row = require_account(access.session, access.tenant_id, user.id)
    row.username, row.given_name, row.family_name, row.email = (
        admin.username,
        admin.given_name,
        admin.family_name,
        admin.email,
    )
    if admin.password is not None:
        row.password_hash = hash_password(access.app.passwords, admin.password)
    access.session.flush()
    invitation = new_invitation(access, user.id) if admin.invite else None
    details = {
        "username": admin.username,
        "kind": STAFF,
        "role": role,
        "org": root.id,
        "invited": admin.invite,
    }
    audit.record(access, "staff.create", Ref("user", user.id), details=details)
    return read_account(access, user.id), invitation


def list_tenants(app: Homeroom) -> list[TenantSummary]:
    """Every tenant of the database, by name."""
    with app.sessions.begin() as session:
        return [TenantSummary(row.id, row.name, row.profile) for row in tenant_rows.list_tenants(session)]


def issue_token(app: Homeroom, tenant: str, name: str) -> IssuedToken:
    """A new service token of the tenant called `tenant` (shown once)."""
    with app.sessions.begin() as session:
        tenant_id = require_tenant_named(session, tenant).id
        access = _operator(app, session, tenant_id)
        issued = issue_service_token(session, tenant_id, name, access.now)
        audit.record(access, "tenant.issue_service_token", None, details={"token": issued.id, "name": name})
    return issued


def read_audit(app: Homeroom, tenant: str, *, after: int = 0, limit: int = 100) -> list[dict[str, object]]:
    """Entries of the tenant's audit log after sequence number `after`; the read itself is recorded."""
    with app.sessions.begin() as session:
        tenant_id = require_tenant_named(session, tenant).id
        entries = [
            audit.as_dict(row) for row in audit_log.entries(session, tenant_id, after=after, limit=limit)
        ]
        audit.record(
            _operator(app, session, tenant_id),
            "audit.read",
            None,
            details={"after": after, "count": len(entries)},
        )
    return entries


def verify_audit(app: Homeroom, tenant: str) -> audit.Verification:
    """Walk the tenant's audit chain (see `audit.verify`)."""
    with app.sessions.begin() as session:
        return audit.verify(session, require_tenant_named(session, tenant).id)


def as_account(tenant: str, username: str) -> Callable[[Session, Homeroom], Principal]:
    """Authenticate as the account `username` of the tenant called `tenant`, without credentials: the
    command line is run by operators. What the account may do is still decided by the policy."""

    def authenticate(session: Session, _app: Homeroom) -> Principal:
        tenant_id = require_tenant_named(session, tenant).id
        account = find_by_username(session, tenant_id, username)
        if account is None:
            raise NotFound(
                f"tenant {tenant!r} has no account with username {username!r}",
                code="user_not_found",
                details={"username": username},
            )
        return Principal(tenant_id, account.id, "cli")

    return authenticate


def as_operator(tenant: str) -> Callable[[Session, Homeroom], Principal]:
    """Authenticate as the operator of the tenant called `tenant`: the command line without an account."""

    def authenticate(session: Session, _app: Homeroom) -> Principal:
        return Principal(require_tenant_named(session, tenant).id, None, "cli")

    return authenticate
