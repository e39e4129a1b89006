"""Tenants (customers) and their revision counter.

Every write to a tenant advances its revision in the same transaction, so anything derived from the
tenant's data and keyed by (tenant, revision) is never older than the last committed write.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, NotFound
from homeroom.store.tables import Tenant


def create_tenant(session: Session, name: str, profile: str) -> int:
    """A new tenant; raises Conflict when the name is taken."""
    if find_tenant_id(session, name) is not None:
        raise Conflict(f"tenant {name!r} already exists", code="tenant_exists", details={"name": name})
    tenant = Tenant(name=name, profile=profile, revision=0)
    session.add(tenant)
    session.flush()
    return tenant.id


def find_tenant_id(session: Session, name: str) -> int | None:
    """The id of the tenant called `name`, or None."""
    return session.scalar(select(Tenant.id).where(Tenant.name == name))


def require_tenant_named(session: Session, name: str) -> Tenant:
    """The tenant called `name`; raises NotFound (`tenant_not_found`) when there is none."""
    tenant = session.scalar(select(Tenant).where(Tenant.name == name))
    if tenant is None:
        raise NotFound(f"there is no tenant named {name!r}", code="tenant_not_found", details={"name": name})
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    """Every tenant, by name."""
    return list(session.scalars(select(Tenant).order_by(Tenant.name)))


def require_tenant(session: Session, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"there is no tenant {tenant_id}", code="tenant_not_found")
    return tenant


class TenantHead(NamedTuple):
    name: str
    profile: str
    revision: int


_c = Tenant.__table__.c
HEAD = select(_c.name, _c.profile, _c.revision).where(_c.id == bindparam("tenant"))


def require_head(session: Session, tenant_id: int) -> TenantHead:
    """Name, profile and revision of the tenant (one light query: every request reads it first)."""
    row = session.execute(HEAD, {"tenant": tenant_id}).first()
    if row is None:
        raise NotFound(f"there is no tenant {tenant_id}", code="tenant_not_found")
    return TenantHead(*row)


def revision(session: Session, tenant_id: int) -> int:
    """The tenant's current revision: it changes whenever anything of the tenant is written."""
    return require_tenant(session, tenant_id).revision


def advance_revision(session: Session, tenant_id: int) -> None:
    session.execute(
        update(Tenant).where(Tenant.id == tenant_id).values(revision=Tenant.revision + 1),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()
