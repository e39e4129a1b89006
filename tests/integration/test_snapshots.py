"""Tenant snapshots: decisions and lists over a snapshot equal decide() over the whole world, a snapshot
follows the revision, and a unit of work that has written stops using it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker
from store_helpers import SCENARIO_FILES, scenario_id, store_world
from test_twin import LISTED, ids_of

from homeroom.policy import decide
from homeroom.policy.facts import Facts
from homeroom.policy.world import Check, Ref
from homeroom.scenarios.demo import demo_scenario
from homeroom.scenarios.files import load_scenario
from homeroom.store import raw
from homeroom.store.constraints import Request
from homeroom.store.facts import load_facts
from homeroom.store.settings import set_setting
from homeroom.store.snapshots import Snapshots, track_writes
from homeroom.store.tenants import revision
from homeroom.store.twin import page

pytestmark = pytest.mark.db
CHECK_QUERIES = 2  # the users with their links, and classes not yet in the snapshot


class _RawReads(logging.Handler):
    def __init__(self, seen: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement run: the engine's, and the raw reads (store/raw.py), which it does not see."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    reads, level = _RawReads(seen), raw.logger.level
    raw.logger.setLevel(logging.DEBUG)
    raw.logger.addHandler(reads)
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)
    raw.logger.removeHandler(reads)
    raw.logger.setLevel(level)


@pytest.mark.parametrize("path", SCENARIO_FILES[::4], ids=scenario_id)
def test_decisions_over_a_snapshot_equal_decisions_on_the_world(
    path: Path, session: Session, statements: list[str]
) -> None:
    scenario = load_scenario(path)
    tenant_id = store_world(session, scenario.world, scenario.profile)
    full = Facts(scenario.world, scenario.profile)
    snapshots = Snapshots()
    snapshot = snapshots.get(session, tenant_id, revision(session, tenant_id))
    assert snapshot is not None
    # group members are not facts of decisions: no loader reads them (school_group_members)
    assert snapshot.orgs == {k: replace(o, schools=()) for k, o in scenario.world.orgs.items()}
    assert snapshot.custom_roles == scenario.world.custom_roles
    most = 0
    for expected in scenario.checks:
        before = len(statements)
        loaded = load_facts(session, tenant_id, scenario.profile, expected.check, snapshot=snapshot)
        most = max(most, len(statements) - before)
        assert decide(expected.check, loaded) == decide(expected.check, full), str(expected.check)
    assert most <= CHECK_QUERIES + 1  # things (assessments, content) add one query where a check names them


def test_a_snapshot_follows_the_revision_and_is_left_after_a_write(engine: Engine) -> None:
    scenario = demo_scenario("math")
    sessions = sessionmaker(engine)
    track_writes(sessions)
    snapshots = Snapshots()
    with sessions.begin() as session:
        tenant_id = store_world(session, scenario.world, scenario.profile)
    with sessions.begin() as session:
        first = snapshots.get(session, tenant_id, revision(session, tenant_id))
        assert first is not None
        assert snapshots.get(session, tenant_id, first.revision) is first  # kept by the process
    with sessions.begin() as session:
        org = "maple_valley"
        set_setting(session, tenant_id, org, "teacher_student_creation", value=False)
        assert snapshots.get(session, tenant_id, first.revision) is None  # this unit of work wrote
    with sessions.begin() as session:
        current = revision(session, tenant_id)
        second = snapshots.get(session, tenant_id, current)
    assert current > first.revision
    assert second is not None
    assert second is not first
    assert second.settings[org]["teacher_student_creation"] is False


@pytest.mark.parametrize("path", SCENARIO_FILES[1::4], ids=scenario_id)
def test_lists_over_a_snapshot_are_exactly_what_decide_allows(path: Path, session: Session) -> None:
    scenario = load_scenario(path)
    world, profile = scenario.world, scenario.profile
    tenant_id = store_world(session, world, profile)
    snapshot = Snapshots().get(session, tenant_id, revision(session, tenant_id))
    facts = Facts(world, profile)
    for permission in (p for p in LISTED if p in profile.permissions):
        type_ = (
            "org" if permission.startswith("org") else "class" if permission.startswith("class") else "user"
        )
        for actor in sorted(world.users):
            expected = [
                i
                for i in ids_of(world, type_)
                if decide(Check(actor, permission, Ref(type_, i)), facts).allowed
            ]
            request = Request(actor, permission, type_)
            got = page(session, tenant_id, profile, request, limit=10_000, snapshot=snapshot)
            assert list(got.ids) == expected, f"{actor} {permission}"
