"""Facts loading: decide() on the facts the store loads for a check equals decide() on the whole world."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from store_helpers import SCENARIO_FILES, scenario_id, store_world

from homeroom.policy import decide
from homeroom.policy.facts import Facts
from homeroom.policy.world import Assignment, Check, Ref
from homeroom.scenarios.files import load_scenario
from homeroom.store import raw
from homeroom.store.facts import load_facts
from homeroom.store.tables import RoleAssignment
from homeroom.store.tenants import advance_revision, revision

pytestmark = pytest.mark.db
MAX_QUERIES = 10


class QueryCounter(logging.Handler):
    """Counts the statements the engine runs and the raw reads (store/raw.py), which it does not see."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def __call__(self, *_args: object) -> None:
        self.count += 1

    def emit(self, _record: logging.LogRecord) -> None:
        self.count += 1


@pytest.fixture
def queries(engine: Engine) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    level = raw.logger.level
    raw.logger.setLevel(logging.DEBUG)
    raw.logger.addHandler(counter)
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)
    raw.logger.removeHandler(counter)
    raw.logger.setLevel(level)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=scenario_id)
def test_decisions_on_loaded_facts_equal_decisions_on_the_world(
    path: Path, session: Session, queries: QueryCounter
) -> None:
    scenario = load_scenario(path)
    tenant_id = store_world(session, scenario.world, scenario.profile)
    full = Facts(scenario.world, scenario.profile)
    most = 0
    for expected in scenario.checks:
        before = queries.count
        loaded = load_facts(session, tenant_id, scenario.profile, expected.check)
        most = max(most, queries.count - before)
        assert decide(expected.check, loaded) == decide(expected.check, full), str(expected.check)
    assert most <= MAX_QUERIES


def test_a_revoked_role_denies_at_once(session: Session) -> None:
    scenario = load_scenario(SCENARIO_FILES[0])
    tenant_id = store_world(session, scenario.world, scenario.profile)
    actor = next(u for u in scenario.world.users.values() if u.roles)
    assignment: Assignment = actor.roles[0]
    check = Check(actor.id, "org.view", Ref("org", assignment.org))
    before = revision(session, tenant_id)
    session.query(RoleAssignment).filter_by(tenant_id=tenant_id, user_id=actor.id).delete()
    advance_revision(session, tenant_id)
    session.commit()
    assert revision(session, tenant_id) > before
    facts = load_facts(session, tenant_id, scenario.profile, check)
    assert facts.world.users[actor.id].roles == ()
    assert not decide(check, facts).allowed
