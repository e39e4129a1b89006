"""Raw reads (store/raw.py): one statement per dialect for any number of ids, read in the session's own
transaction (pending changes flushed first, as `Session.execute` does), and the users loaded through
them keep every link in the order of its position, on both databases."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session
from store_helpers import store_world

from homeroom.policy.world import Assignment, User
from homeroom.scenarios.demo import demo_scenario
from homeroom.store import tables as t
from homeroom.store.facts import load_world
from homeroom.store.raw import RawQuery, fetch

pytestmark = pytest.mark.db
USERS = RawQuery.of(
    "SELECT u.id, u.kind FROM EACH(:ids) AS i JOIN users AS u ON u.tenant_id = :tenant AND u.id = i.value"
)

# links in orders that differ from the primary keys' (user_id, class_id / org_id / role, org_id)
ZED = User(
    "zed_teacher",
    "staff",
    orgs=("roosevelt_ms", "lincoln_elem"),
    roles=(Assignment("teacher", "roosevelt_ms"), Assignment("school_admin", "lincoln_elem")),
    teaches=("math_4b", "math_4a", "algebra_7"),
)


def test_a_query_is_one_text_per_dialect_whatever_the_number_of_ids() -> None:
    assert USERS.lists == {"ids"}
    assert "json_each(:ids) AS i" in USERS.sqlite
    assert ":tenant" in USERS.sqlite
    assert "unnest(CAST(%(ids)s AS text[])) AS i(value)" in USERS.postgresql
    assert "%(tenant)s" in USERS.postgresql
    assert ":" not in USERS.postgresql.replace("::", "")


def test_fetch_reads_the_ids_given_and_what_the_session_has_pending(session: Session) -> None:
    scenario = demo_scenario("math")
    tenant_id = store_world(session, scenario.world, scenario.profile)
    named = {"sam_student", "tomas_teacher", "nobody"}
    rows = fetch(session, USERS, {"tenant": tenant_id, "ids": named})
    assert sorted(rows) == [("sam_student", "student"), ("tomas_teacher", "staff")]
    assert fetch(session, USERS, {"tenant": tenant_id, "ids": []}) == []
    session.add(t.User(tenant_id=tenant_id, id="new_one", kind="staff", status="active", deleted="none"))
    with session.no_autoflush:
        assert fetch(session, USERS, {"tenant": tenant_id, "ids": ["new_one"]}) == []
    assert fetch(session, USERS, {"tenant": tenant_id, "ids": ["new_one"]}) == [("new_one", "staff")]
    session.rollback()


def test_links_come_back_in_the_order_of_their_positions(session: Session) -> None:
    scenario = demo_scenario("math")
    world = scenario.world
    zed = ZED
    yan = User("yan_student", "student", orgs=("lincoln_elem",), enrolled_in=("math_4b", "math_4a"))
    world = replace(world, users={**world.users, zed.id: zed, yan.id: yan})
    tenant_id = store_world(session, world, scenario.profile)
    loaded = load_world(session, tenant_id, users=[zed.id, yan.id, "sam_student"])
    assert loaded.users == {u: world.users[u] for u in (zed.id, yan.id, "sam_student")}


def test_a_world_only_decided_on_keeps_each_users_classes_but_not_their_order(session: Session) -> None:
    scenario = demo_scenario("math")
    world = scenario.world
    zed = ZED
    world = replace(world, users={**world.users, zed.id: zed})
    tenant_id = store_world(session, world, scenario.profile)
    ids = [zed.id, "sam_student", "tomas_teacher"]
    loaded = load_world(session, tenant_id, users=ids, classes_in_order=False)
    for user_id in ids:
        given, read = world.users[user_id], loaded.users[user_id]
        # the same classes, in whatever order the index gave them; homes and role assignments (whose
        # order decides which reason a deny shows) in their own order
        assert sorted(read.teaches) == sorted(given.teaches)
        assert sorted(read.enrolled_in) == sorted(given.enrolled_in)
        assert read == given._replace(teaches=read.teaches, enrolled_in=read.enrolled_in)
