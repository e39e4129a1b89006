"""The SQL engine for policy test files: each scenario world in a fresh database, checks via the twin.

`SqlEngine` has the shape of `homeroom.scenarios.runner.Engine` (World, Profile -> answer). Each call
builds a fresh database (a temporary SQLite file, or a new PostgreSQL database on the server of the
given URL), migrates it, writes the world and answers checks with `twin.allows`. The previous file's
database is dropped when the next one starts and when the engine is closed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from homeroom.policy.decisions import Decision, allow, deny
from homeroom.policy.profiles import Profile
from homeroom.policy.world import Check, World
from homeroom.store.database import create_database, drop_database, engine_for, is_postgresql
from homeroom.store.migrations import upgrade
from homeroom.store.twin import allows
from homeroom.store.worlds import write_world

TWIN = "twin"


class SqlEngine:
    """World, Profile -> answer: decisions of the SQL twin on a fresh database per world."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._session: Session | None = None
        self._cleanup: Callable[[], None] | None = None

    def __call__(self, world: World, profile: Profile) -> Callable[[Check], Decision]:
        self.close()
        engine = self._fresh_engine()
        upgrade(engine)
        session = Session(engine)
        tenant_id = write_world(session, world, profile, tenant="scenario")
        session.commit()
        self._engine, self._session = engine, session

        def answer(check: Check) -> Decision:
            if allows(session, tenant_id, profile, check):
                return allow(TWIN, "sql", f"{check.target} is in the accessible set")
            return deny(TWIN, f"{check.target} is not in the accessible set")

        return answer

    def _fresh_engine(self) -> Engine:
        if self.url is not None and is_postgresql(self.url):
            url = create_database(self.url, prefix="homeroom_scenario")
            self._cleanup = lambda: drop_database(url)
            return engine_for(url)
        folder = tempfile.TemporaryDirectory(prefix="homeroom-")
        self._cleanup = folder.cleanup
        return engine_for(f"sqlite:///{Path(folder.name) / 'scenario.db'}")

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        if self._engine is not None:
            self._engine.dispose()
        if self._cleanup is not None:
            self._cleanup()
        self._engine = self._session = self._cleanup = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
