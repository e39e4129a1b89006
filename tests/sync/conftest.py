"""Roster import and export tests: real packages into real SQLite and PostgreSQL tenants.

`district` opens a fresh math tenant whose root org is a district (unique name per test); `snapshot`
reads every row of a tenant's tables, so a test can prove that a run changed nothing at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from tests.services.conftest import FAST_HASHING

from homeroom.config import Settings
from homeroom.policy import registry
from homeroom.policy.world import STUDENT, User
from homeroom.services import operators
from homeroom.services.operators import Root, as_operator
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t
from homeroom.store.rosters import add_user
from homeroom.sync.exports import export_package
from homeroom.sync.imports import ImportOptions, ImportOutcome, import_package

TABLES = (
    t.Tenant, t.Org, t.OrgClosure, t.User, t.SchoolClass, t.UserOrg, t.RoleAssignment, t.Teaching,
    t.Enrollment, t.AuditEntry,
)  # fmt: skip


@pytest.fixture(scope="session")
def homeroom(database_url: str) -> Iterator[Homeroom]:
    app = Homeroom.open(Settings(database_url=database_url, **FAST_HASHING))  # type: ignore[arg-type]
    yield app
    app.close()


@dataclass
class District:
    app: Homeroom
    name: str
    root: str

    @property
    def tenant_id(self) -> int:
        with self.app.sessions.begin() as session:
            return int(session.scalar(select(t.Tenant.id).where(t.Tenant.name == self.name)) or 0)

    def run(self, path: Path, **options: Any) -> ImportOutcome:
        return import_package(self.app, as_operator(self.name), path, ImportOptions(**options))

    def export(self, path: Path) -> Path:
        with path.open("wb") as out:
            export_package(self.app, as_operator(self.name), out)
        return path

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the tenant's tables (and its tenant row), in key order."""
        tenant_id = self.tenant_id
        found: dict[str, list[tuple[Any, ...]]] = {}
        with self.app.sessions.begin() as session:
            for table in TABLES:
                column = table.id if table is t.Tenant else table.tenant_id  # type: ignore[attr-defined]
                keys = list(table.__table__.primary_key.columns)
                rows = session.execute(select(table.__table__).where(column == tenant_id).order_by(*keys))
                found[table.__tablename__] = [tuple(row) for row in rows]
        return found

    def add_hand_made_student(self, user_id: str, school: str) -> None:
        """An account made by hand (no external id), as the console would make it."""
        profile = registry.profile("math")
        with self.app.sessions.begin() as session:
            add_user(session, self.tenant_id, User(user_id, STUDENT, orgs=(school,)), profile)
            session.execute(
                update(t.User)
                .where(t.User.tenant_id == self.tenant_id, t.User.id == user_id)
                .values(username=user_id, given_name="Hand", family_name="Made")
            )

    def users(self) -> dict[str, t.User]:
        with self.app.sessions.begin() as session:
            rows = session.scalars(select(t.User).where(t.User.tenant_id == self.tenant_id))
            return {u.source_id or u.id: u for u in rows}

    def rows(self, table: Any) -> list[tuple[Any, ...]]:
        with self.app.sessions.begin() as session:
            query = select(table.__table__).where(table.tenant_id == self.tenant_id)
            return [tuple(r)[1:] for r in session.execute(query)]


@pytest.fixture
def district(homeroom: Homeroom) -> Callable[..., District]:
    def make(profile: str = "math", kind: str = "district") -> District:
        name = f"r-{uuid.uuid4().hex[:12]}"
        root = f"root-{uuid.uuid4().hex[:6]}"
        operators.open_tenant(homeroom, name, profile, root=Root(root, kind, name))
        return District(homeroom, name, root)

    return make
