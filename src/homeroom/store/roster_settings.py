"""A tenant's roster import settings, stored as JSON text (the services validate and merge them)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeroom.errors import StaleVersion
from homeroom.store import tables as t


def read_config(session: Session, tenant_id: int) -> str | None:
    return session.scalar(select(t.RosterSettings.config).where(t.RosterSettings.tenant_id == tenant_id))


def read_version(session: Session, tenant_id: int) -> int:
    """The stored settings' version; 0 while the tenant runs on its profile's defaults."""
    found = session.scalar(select(t.RosterSettings.version).where(t.RosterSettings.tenant_id == tenant_id))
    return int(found or 0)


def write_config(session: Session, tenant_id: int, config: str, *, expected: int | None) -> int:
    """Store the settings if they are still at version `expected` (0: never stored); the new version."""
    current = read_version(session, tenant_id)
    if expected is not None and expected != current:
        raise StaleVersion(
            f"the roster settings are at version {current}, not {expected}: reload them and try again",
            details={"expected": expected, "current": current},
        )
    if current == 0:
        session.add(t.RosterSettings(tenant_id=tenant_id, config=config, version=1))
        session.flush()  # a concurrent first write fails here on the primary key: nothing is lost
        return 1
    statement = (
        update(t.RosterSettings)
        .where(t.RosterSettings.tenant_id == tenant_id, t.RosterSettings.version == current)
        .values(config=config, version=t.RosterSettings.version + 1)
        .returning(t.RosterSettings.version)
    )
    version = session.scalar(statement)
    if version is None:
        raise StaleVersion("the roster settings changed meanwhile: reload them and apply the change again")
    return int(version)
