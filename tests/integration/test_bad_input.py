"""Bad input is rejected with a specific error, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from store_helpers import store_world

from homeroom.errors import Conflict, HomeroomError, InvalidInput, InvalidWorld
from homeroom.policy import registry
from homeroom.policy.world import Assignment, Org, SchoolClass, User, World
from homeroom.store import tables as t
from homeroom.store.orgs import add_org, move_org
from homeroom.store.rosters import add_class, add_user
from homeroom.store.worlds import closure_rows, write_world

pytestmark = pytest.mark.db
MATH = registry.profile("math")
PLATFORM = registry.profile("assessment-platform")


def district() -> World:
    orgs = [Org("c1", "customer"), Org("d1", "district", "c1"), Org("s1", "school", "d1")]
    admin = User("admin", "staff", roles=(Assignment("district_admin", "d1"),))
    return World(orgs={o.id: o for o in orgs}, users={"admin": admin})


def platform() -> World:
    orgs = [Org("o1", "organization"), Org("o2", "organization", "o1"), Org("o3", "organization", "o2")]
    return World(orgs={o.id: o for o in orgs}, users={"u1": User("u1", "staff")})


def snapshot(session: Session, tenant_id: int) -> dict[str, int]:
    counts = {
        name: session.scalar(select(func.count()).select_from(table).where(table.c.tenant_id == tenant_id))
        or 0
        for name, table in t.Base.metadata.tables.items()
        if name != "tenants"
    }
    counts["revision"] = session.scalar(select(t.Tenant.revision).where(t.Tenant.id == tenant_id)) or 0
    return counts


def rejected(
    session: Session, tenant_id: int, write: Callable[[], object], error: type[HomeroomError]
) -> HomeroomError:
    before = snapshot(session, tenant_id)
    with pytest.raises(error) as caught:
        write()
    session.rollback()
    assert snapshot(session, tenant_id) == before
    return caught.value


def test_a_cycle_in_the_tree_is_rejected(session: Session) -> None:
    tenant_id = store_world(session, platform(), PLATFORM)
    error = rejected(session, tenant_id, lambda: move_org(session, tenant_id, "o1", "o3"), InvalidInput)
    assert error.code == "tree_cycle"
    assert "'o3' is inside it" in error.message
    error = rejected(session, tenant_id, lambda: move_org(session, tenant_id, "o2", "o2"), InvalidInput)
    assert error.code == "tree_cycle"


def test_an_org_under_a_forbidden_parent_kind_is_rejected(session: Session) -> None:
    tenant_id = store_world(session, district(), MATH)
    add = lambda: add_org(session, tenant_id, Org("s2", "school", "c1"))  # noqa: E731
    error = rejected(session, tenant_id, add, InvalidInput)
    assert error.code == "invalid_parent"
    assert "a school cannot have parent kind customer" in error.message
    move = lambda: move_org(session, tenant_id, "d1", "s1")  # noqa: E731
    assert rejected(session, tenant_id, move, InvalidInput).code == "tree_cycle"


def test_a_class_in_a_non_school_is_rejected(session: Session) -> None:
    tenant_id = store_world(session, district(), MATH)
    add = lambda: add_class(session, tenant_id, SchoolClass("k1", "d1"))  # noqa: E731
    error = rejected(session, tenant_id, add, InvalidInput)
    assert error.code == "invalid_class_school"
    assert "'d1' is not a school" in error.message


def test_a_duplicate_external_id_is_rejected(session: Session) -> None:
    tenant_id = store_world(session, district(), MATH)
    add_user(session, tenant_id, User("st1", "student", orgs=("s1",)), MATH, source_id="SIS-1")
    session.commit()
    add = lambda: add_user(session, tenant_id, User("st2", "student", orgs=("s1",)), MATH, source_id="SIS-1")  # noqa: E731
    error = rejected(session, tenant_id, add, Conflict)
    assert error.code == "duplicate_external_id"
    assert "'SIS-1' is already used by users 'st1'" in error.message
    same_id = lambda: add_user(session, tenant_id, User("st1", "student", orgs=("s1",)), MATH)  # noqa: E731
    assert rejected(session, tenant_id, same_id, Conflict).code == "duplicate_id"


def test_the_same_external_id_in_two_tenants_is_fine(session: Session) -> None:
    for _ in range(2):
        tenant_id = store_world(session, district(), MATH)
        add_user(session, tenant_id, User("st1", "student", orgs=("s1",)), MATH, source_id="SIS-1")
        session.commit()


def test_a_cross_tenant_reference_is_rejected(session: Session) -> None:
    other = store_world(session, district(), MATH)
    add_org(session, other, Org("s9", "school", "d1"))
    session.commit()
    tenant_id = store_world(session, district(), MATH)
    add = lambda: add_class(session, tenant_id, SchoolClass("k1", "s9"))  # noqa: E731
    assert rejected(session, tenant_id, add, InvalidInput).code == "invalid_class_school"
    user = User("t9", "staff", roles=(Assignment("teacher", "s9"),))
    error = rejected(session, tenant_id, lambda: add_user(session, tenant_id, user, MATH), InvalidInput)
    assert error.code == "invalid_user"
    assert "'s9' is not an org" in error.message
    org = lambda: add_org(session, tenant_id, Org("s8", "school", "s9"))  # noqa: E731
    assert rejected(session, tenant_id, org, InvalidInput).code == "invalid_parent"


def test_an_invalid_world_writes_no_tenant(session: Session, tenant_name: str) -> None:
    world = district()
    bad = World(orgs={**world.orgs, "k": Org("k", "school", "c1")}, users=world.users)
    with pytest.raises(InvalidWorld) as caught:
        write_world(session, bad, MATH, tenant=tenant_name)
    session.rollback()
    assert "a school cannot have parent kind customer" in caught.value.message
    assert session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant_name)) is None


def test_moves_keep_the_closure_exact(session: Session) -> None:
    tenant_id = store_world(session, platform(), PLATFORM)
    add_org(session, tenant_id, Org("o4", "organization", "o3"))
    move_org(session, tenant_id, "o3", "o1")
    move_org(session, tenant_id, "o2", None)
    session.commit()
    orgs = {
        "o1": Org("o1", "organization"),
        "o2": Org("o2", "organization"),
        "o3": Org("o3", "organization", "o1"),
        "o4": Org("o4", "organization", "o3"),
    }
    c = t.OrgClosure
    stored = session.execute(
        select(c.descendant_id, c.ancestor_id, c.depth).where(c.tenant_id == tenant_id)
    ).all()
    expected = {(r["descendant_id"], r["ancestor_id"], r["depth"]) for r in closure_rows(tenant_id, orgs)}
    assert set(map(tuple, stored)) == expected
