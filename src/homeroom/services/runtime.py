"""The running application's handle and its units of work.

`Homeroom` holds what lives as long as the process: the settings, the database engine and its session
factory, the password hasher and the clock. `Homeroom.work` runs one use case as one transaction: it
authenticates the caller inside the transaction, hands the use case an `Access`, commits on success and
rolls back on any error. Denied attempts are audited after the rollback, in a transaction of their own,
so a denial leaves the data untouched but never goes unrecorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from homeroom.config import Settings
from homeroom.errors import HomeroomError
from homeroom.services.access import Access, Principal
from homeroom.store import audit as audit_log
from homeroom.store.database import engine_for
from homeroom.store.migrations import upgrade
from homeroom.store.snapshots import READ_ONLY, Snapshots, track_writes

T = TypeVar("T")
R = TypeVar("R")
Authenticate = Callable[[Session, "Homeroom"], Principal]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Homeroom:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    passwords: PasswordHasher
    clock: Callable[[], datetime] = utc_now
    snapshots: Snapshots = field(default_factory=Snapshots, repr=False)
    # the read-only units of work's engine (`read`), when not `engine`: on PostgreSQL with generic plans
    readers: Engine | None = field(default=None, repr=False)
    _closed: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        track_writes(self.sessions)  # a unit of work that wrote stops using the tenant's snapshot

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Homeroom:
        """Connect to the configured database, bringing its schema up to date first."""
        engine = engine_for(settings.database_url)
        if migrate:
            upgrade(engine)
        hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        readers = (
            engine_for(settings.database_url, generic_plans=True) if engine.dialect.name != "sqlite" else None
        )
        return cls(settings, engine, sessionmaker(engine, expire_on_commit=False), hasher, readers=readers)

    def close(self) -> None:
        if not self._closed:
            self.engine.dispose()
            if self.readers is not None:
                self.readers.dispose()
            self._closed = True

    def work(
        self, authenticate: Authenticate, use_case: Callable[[Access], T], *, request_id: str | None = None
    ) -> T:
        """Run `use_case` for the authenticated caller in one transaction."""
        request_id = request_id or new_request_id()
        denials: list[audit_log.Draft] = []
        tenant_id: int | None = None
        try:
            with self.sessions.begin() as session:
                principal = authenticate(session, self)
                tenant_id = principal.tenant_id
                access = Access.start(self, session, principal, request_id=request_id, denials=denials)
                return use_case(access)
        except HomeroomError:
            if denials and tenant_id is not None:
                self._record_denials(tenant_id, denials)
            raise

    def read(
        self,
        authenticate: Callable[[Session], tuple[Principal, R]],
        use_case: Callable[[Access, R], T],
        *,
        request_id: str | None = None,
    ) -> T:
        """Run `use_case`, which only reads, outside a transaction: each statement reads the committed
        state of its own moment, as statements of a READ COMMITTED transaction do, without the BEGIN and
        COMMIT round trips. `authenticate` reads the caller and whatever else its statement reads (handed
        to `use_case`). The session refuses to write (store/snapshots.py, `READ_ONLY`). On PostgreSQL it
        uses `readers`, whose prepared statements keep one generic plan."""
        request_id = request_id or new_request_id()
        denials: list[audit_log.Draft] = []
        tenant_id: int | None = None
        try:
            with (self.readers or self.engine).connect() as connection:
                if connection.dialect.name != "sqlite":  # pysqlite begins no transaction to read
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                with self.sessions(bind=connection, info={READ_ONLY: True}) as session:
                    principal, read = authenticate(session)
                    tenant_id = principal.tenant_id
                    access = Access.start(self, session, principal, request_id=request_id, denials=denials)
                    return use_case(access, read)
        except HomeroomError:
            if denials and tenant_id is not None:
                self._record_denials(tenant_id, denials)
            raise

    def _record_denials(self, tenant_id: int, denials: list[audit_log.Draft]) -> None:
        with self.sessions.begin() as session:
            for draft in denials:
                audit_log.append(session, tenant_id, draft)


def new_request_id() -> str:
    return secrets.token_hex(8)
