"""Service tests: the use cases on real SQLite and PostgreSQL, with the demo world's personas.

Each test gets a fresh tenant written from the math demo world (the Maple Valley personas), so tests
never share data; `as_` runs a use case as a persona in one unit of work, the way the API does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from sqlalchemy.orm import Session

from homeroom.config import Settings
from homeroom.policy import registry
from homeroom.scenarios.demo import demo_scenario
from homeroom.services.access import Access, acting_as
from homeroom.services.runtime import Homeroom
from homeroom.store.worlds import write_world

T = TypeVar("T")

# cheap argon2id parameters: the tests exercise the flow, not the cost
FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}


@pytest.fixture(scope="session")
def homeroom(database_url: str) -> Iterator[Homeroom]:
    app = Homeroom.open(Settings(database_url=database_url, **FAST_HASHING))  # type: ignore[arg-type]
    yield app
    app.close()


class Tenant:
    """A fresh tenant holding a demo world, and a way to act in it as any of its personas."""

    def __init__(self, app: Homeroom, profile: str) -> None:
        self.app = app
        self.name = f"t-{uuid.uuid4().hex[:12]}"
        scenario = demo_scenario(profile)
        with app.sessions.begin() as session:
            self.id = write_world(session, scenario.world, registry.profile(profile), tenant=self.name)

    def as_(self, persona: str, use_case: Callable[[Access], T]) -> T:
        return self.app.work(acting_as(self.id, persona), use_case)

    def read(self, query: Callable[[Session], T]) -> T:
        with self.app.sessions.begin() as session:
            return query(session)


@pytest.fixture
def tenant_of(homeroom: Homeroom) -> Callable[[str], Tenant]:
    return lambda profile: Tenant(homeroom, profile)


@pytest.fixture
def math(tenant_of: Callable[[str], Tenant]) -> Tenant:
    return tenant_of("math")
