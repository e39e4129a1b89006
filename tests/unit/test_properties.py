"""Invariants of decide() over random worlds (Hypothesis)."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from worlds import checks, math_worlds

from homeroom.policy import Facts, decide, registry
from homeroom.policy.ranks import missing_for_grant
from homeroom.policy.world import Assignment, Check, CustomRole, Org, Ref, User, World

MATH = registry.profile("math")
PLATFORM = registry.profile("assessment-platform")


@given(math_worlds(), st.data())
def test_a_subtree_grant_reaches_every_descendant(world: World, data: st.DataObject) -> None:
    root = data.draw(st.sampled_from(sorted(o for o in world.orgs if world.orgs[o].kind != "school")))
    role = "customer_admin" if world.orgs[root].kind == "customer" else "district_admin"
    admin = User("admin", "staff", roles=(Assignment(role, root),))
    facts = Facts(replace(world, users={**world.users, "admin": admin}), MATH)
    for student in world.users.values():
        if student.kind != "student" or student.deleted != "none":
            continue
        decision = decide(Check("admin", "student.view", Ref("user", student.id)), facts)
        assert decision.allowed == facts.anchored_in(Ref("user", student.id), root)


@given(math_worlds(), st.data())
def test_a_gate_never_turns_a_deny_into_an_allow(world: World, data: st.DataObject) -> None:
    opened = replace(world, settings={o: {"teacher_student_creation": True} for o in world.orgs})
    closed = replace(world, settings={o: {"teacher_student_creation": False} for o in world.orgs})
    for _ in range(20):
        check = data.draw(checks(world))
        allowed_closed = decide(check, Facts(closed, MATH)).allowed
        allowed_as_given = decide(check, Facts(world, MATH)).allowed
        allowed_open = decide(check, Facts(opened, MATH)).allowed
        assert allowed_closed <= allowed_as_given <= allowed_open


@given(math_worlds(), st.data())
def test_a_narrower_cell_never_allows_more(world: World, data: st.DataObject) -> None:
    # Replacing every teacher's grants by a custom role holding a subset of them only narrows.
    subset = tuple(
        (permission, "assigned")
        for permission in sorted(MATH.permission_ids)
        if MATH.cell("teacher", permission) == {"assigned"}
    )
    chosen = data.draw(st.lists(st.sampled_from(subset), unique=True, max_size=len(subset)))
    narrow = CustomRole("narrow", "cust", tuple(chosen))
    narrowed_users = {
        u.id: u._replace(
            roles=tuple(Assignment("narrow", a.org) if a.role == "teacher" else a for a in u.roles)
        )
        for u in world.users.values()
    }
    narrowed = replace(world, users=narrowed_users, custom_roles={"narrow": narrow})
    for _ in range(20):
        check = data.draw(checks(world))
        if decide(check, Facts(narrowed, MATH)).allowed:
            assert decide(check, Facts(world, MATH)).allowed


@given(math_worlds(), st.data())
def test_ordinal_grants_never_exceed_the_granters_rank(world: World, data: st.DataObject) -> None:
    facts = Facts(world, MATH)
    actor = data.draw(st.sampled_from(sorted(world.users)))
    role = data.draw(st.sampled_from(sorted(MATH.roles)))
    target = data.draw(st.sampled_from(sorted(world.orgs)))
    decision = decide(Check(actor, "staff.create", Ref("org", target), role=role), facts)
    if decision.allowed:
        assert facts.assignment_rank(role, target) <= facts.user_rank(world.users[actor])


PLATFORM_ROLES = sorted(PLATFORM.roles)


@st.composite
def platform_worlds(draw: st.DrawFn) -> World:
    orgs = {"acme": Org("acme", "organization"), "acme_eu": Org("acme_eu", "organization", "acme")}
    users = {}
    for index in range(draw(st.integers(1, 4))):
        held = draw(
            st.lists(st.tuples(st.sampled_from(PLATFORM_ROLES), st.sampled_from(sorted(orgs))), max_size=3)
        )
        kind = "student" if any(role == "student" for role, _ in held) else "staff"
        roles = tuple(
            Assignment(role, org) for role, org in held if (role == "student") == (kind == "student")
        )
        users[f"u{index}"] = User(f"u{index}", kind, roles=roles)
    permissions = sorted(PLATFORM.permission_ids)
    grants = draw(st.lists(st.sampled_from(permissions), unique=True, min_size=1, max_size=6))
    scope = draw(st.sampled_from(("org", "subtree", "self")))
    custom = CustomRole("custom", "acme", tuple((p, scope) for p in grants))
    return World(orgs=orgs, users=users, custom_roles={"custom": custom})


@given(platform_worlds(), st.data())
def test_subset_grants_never_exceed_what_the_granter_holds(world: World, data: st.DataObject) -> None:
    facts = Facts(world, PLATFORM)
    actor = data.draw(st.sampled_from(sorted(world.users)))
    role = data.draw(st.sampled_from([*PLATFORM_ROLES, "custom"]))
    at = data.draw(st.sampled_from(sorted(world.orgs)))
    for check in (
        Check(actor, "user.create", Ref("org", at), role=role),
        Check(actor, "role.grant", Ref("user", actor), role=role, at=Ref("org", at)),
        Check(actor, "role.create", Ref("role", "custom")),
    ):
        if decide(check, facts).allowed:
            granted = check.role or "custom"
            place = at if check.permission != "role.create" else "acme"
            assert missing_for_grant(facts, world.users[actor], granted, place) is None


@given(math_worlds(), st.data())
def test_deleted_and_inactive_actors_are_denied_everything(world: World, data: st.DataObject) -> None:
    facts = Facts(world, MATH)
    for _ in range(20):
        check = data.draw(checks(world))
        actor = world.users[check.actor]
        decision = decide(check, facts)
        if actor.deleted != "none" or actor.status == "inactive":
            assert not decision.allowed
            assert decision.code == "actor"
        if actor.status == "invited" and check.permission != "staff.setup_own_account":
            assert not decision.allowed


@given(math_worlds(), st.data())
@settings(max_examples=50)
def test_decide_is_deterministic_and_order_free(world: World, data: st.DataObject) -> None:
    batch = [data.draw(checks(world)) for _ in range(15)]
    shared = Facts(world, MATH)
    first = [decide(c, shared) for c in batch]
    shuffled = batch[:]
    random.Random(data.draw(st.integers())).shuffle(shuffled)
    fresh = Facts(world, MATH)
    again = {c: decide(c, fresh) for c in shuffled}
    assert first == [again[c] for c in batch]
    assert first == [decide(c, Facts(world, MATH)) for c in batch]
