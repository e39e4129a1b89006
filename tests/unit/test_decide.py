"""decide(): reasons, fail-closed behaviour and the product extensions, on the Maple Valley personas."""

from __future__ import annotations

import pytest
from personas import check, facts, maple_valley, with_custom_roles, with_users

from homeroom.policy import decide, scopes
from homeroom.policy.decisions import allow
from homeroom.policy.world import Assignment, CustomRole, Ref, User


def test_an_allow_names_the_assignment_and_scope() -> None:
    decision = decide(check("tomas", "student.edit", "user:sam"), facts())
    assert decision.allowed
    assert decision.code == "teacher@lincoln:assigned"
    assert decision.explain().startswith("allow teacher@lincoln:assigned: ")


def test_a_deny_names_the_step_and_keeps_every_assignment_reason() -> None:
    decision = decide(check("tomas", "student.edit", "user:sofia"), facts())
    assert not decision.allowed
    assert decision.code == "scope"
    assert [r.assignment for r in decision.considered] == ["teacher@lincoln"]
    assert decision.explain().startswith("deny scope: target user:sofia is outside teacher@lincoln:assigned")


def test_the_furthest_assignment_explains_the_deny() -> None:
    both = User(
        "both", "staff", roles=(Assignment("teacher", "roosevelt"), Assignment("school_admin", "lincoln"))
    )
    decision = decide(check("both", "staff.edit", "user:paul"), facts(with_users(maple_valley(), both)))
    assert decision.code == "R1"
    assert [r.rule for r in decision.considered] == ["scope", "R1"]


def test_an_actor_without_assignments_is_denied() -> None:
    loner = User("loner", "staff")
    decision = decide(check("loner", "student.view", "user:sam"), facts(with_users(maple_valley(), loner)))
    assert decision.code == "no grant"


def test_an_unknown_actor_is_denied_not_an_error() -> None:
    assert decide(check("ghost", "student.view", "user:sam"), facts()).code == "actor"


def test_an_unknown_object_is_denied() -> None:
    decision = decide(check("dana", "student.view", "user:nobody"), facts())
    assert (decision.allowed, decision.code) == (False, "lifecycle")


def test_a_wrong_kind_names_the_precondition_it_restates() -> None:
    assert decide(check("dana", "school.edit_info", "org:maple"), facts()).code == "P-SCHOOL"
    assert decide(check("dana", "student.edit", "user:tomas"), facts()).code == "type"


def test_evaluation_failures_deny(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr("homeroom.policy.engine.tests_for", broken)
    decision = decide(check("dana", "student.view", "user:sam"), facts())
    assert (decision.allowed, decision.code) == (False, "error")
    assert "boom" in decision.reason.message
    assert scopes.tests_for is not broken


def test_a_granted_role_that_does_not_exist_is_denied() -> None:
    world = maple_valley()
    decision = decide(check("dana", "staff.create", "org:lincoln", role="wizard"), facts(world))
    assert decision.code == "lifecycle"


# -- product extension: custom roles in an ordinal profile ---------------------------------------------


def _helper_role(**changes: object) -> CustomRole:
    fields: dict[str, object] = {
        "id": "attendance_clerk",
        "org": "lincoln",
        "grants": (("student.view", "subtree"), ("student.edit", "org")),
    }
    fields.update(changes)
    return CustomRole(**fields)  # type: ignore[arg-type]


def test_a_custom_role_grants_its_permissions_where_it_is_held() -> None:
    clerk = User("clerk", "staff", roles=(Assignment("attendance_clerk", "lincoln"),))
    world = with_users(with_custom_roles(maple_valley(), _helper_role()), clerk)
    decision = decide(check("clerk", "student.view", "user:sofia"), facts(world))
    assert decision.code == "attendance_clerk@lincoln:subtree"
    assert not decide(check("clerk", "student.view", "user:omar"), facts(world)).allowed


def test_a_custom_role_held_outside_its_org_grants_nothing() -> None:
    clerk = User("clerk", "staff", roles=(Assignment("attendance_clerk", "roosevelt"),))
    world = with_users(with_custom_roles(maple_valley(), _helper_role()), clerk)
    decision = decide(check("clerk", "student.view", "user:omar"), facts(world))
    assert decision.code == "no grant"
    assert "outside the custom role's org" in decision.reason.message


def test_a_deleted_custom_role_grants_nothing() -> None:
    clerk = User("clerk", "staff", roles=(Assignment("attendance_clerk", "lincoln"),))
    world = with_users(with_custom_roles(maple_valley(), _helper_role(deleted="soft")), clerk)
    assert decide(check("clerk", "student.view", "user:sam"), facts(world)).code == "no grant"


def test_custom_roles_in_ordinal_profiles_pass_rank_and_subset() -> None:
    world = with_custom_roles(maple_valley(), _helper_role(rank=1))
    grant = check("priya", "staff.create", "org:lincoln", role="attendance_clerk")
    assert decide(grant, facts(world)).allowed  # a principal holds both permissions at subtree


def test_a_custom_role_ranked_above_the_actor_is_refused() -> None:
    world = with_custom_roles(maple_valley(), _helper_role(rank=3))
    decision = decide(check("priya", "staff.create", "org:lincoln", role="attendance_clerk"), facts(world))
    assert decision.code == "R2"
    assert "ranks (3, 2)" in decision.reason.message


def test_nobody_grants_a_custom_role_holding_more_than_they_hold() -> None:
    greedy = _helper_role(grants=(("org.set_teacher_student_creation", "subtree"),))
    world = with_custom_roles(maple_valley(), greedy)
    decision = decide(check("dana", "staff.create", "org:lincoln", role="attendance_clerk"), facts(world))
    assert decision.code == "R2"
    assert "org.set_teacher_student_creation" in decision.reason.message


def test_an_unranked_custom_role_ranks_below_every_built_in_role() -> None:
    clerk = User("clerk", "staff", roles=(Assignment("attendance_clerk", "lincoln"),))
    world = with_users(with_custom_roles(maple_valley(), _helper_role()), clerk)
    assert facts(world).user_rank(clerk) == (0, 2)
    assert decide(check("priya", "staff.edit", "user:clerk"), facts(world)).allowed


def test_an_invited_actor_may_set_up_only_its_own_account() -> None:
    setup_any = _helper_role(id="setup_any", grants=(("staff.setup_own_account", "subtree"),))
    newbie = User("newbie", "staff", status="invited", roles=(Assignment("setup_any", "lincoln"),))
    world = with_users(with_custom_roles(maple_valley(), setup_any), newbie)
    assert decide(check("newbie", "staff.setup_own_account", "user:newbie"), facts(world)).allowed
    assert decide(check("newbie", "staff.setup_own_account", "user:tomas"), facts(world)).code == "P-INVITED"


def test_self_scope_covers_only_the_actor_and_its_notifications() -> None:
    viewer = _helper_role(id="self_viewer", grants=(("class.manage", "self"),))
    tomas = User("tomas2", "staff", roles=(Assignment("self_viewer", "lincoln"),), teaches=())
    world = with_users(with_custom_roles(maple_valley(), viewer), tomas)
    assert decide(check("tomas2", "class.manage", "class:math4a"), facts(world)).code == "scope"


def test_purged_or_missing_custom_roles_hold_no_pairs() -> None:
    world = with_custom_roles(maple_valley(), _helper_role(deleted="purged"))
    assert facts(world).role_pairs("attendance_clerk") == frozenset()
    assert facts(world).role_pairs("never_defined") == frozenset()


def test_checks_print_with_their_arguments() -> None:
    printed = str(check("dana", "student.move", "user:sam", to="class:alg7"))
    assert printed == "dana student.move user:sam to=class:alg7"
    assert str(check("priya", "role.grant", "user:tomas", role="school_admin", at="org:lincoln")).endswith(
        "role=school_admin at=org:lincoln"
    )


def test_decisions_built_by_other_engines_read_the_same() -> None:

    decision = allow("teacher@lincoln", "assigned", "in the accessible set")
    assert (decision.allowed, decision.effect, decision.code) == (True, "allow", "teacher@lincoln:assigned")


def test_a_built_in_roles_cell_is_its_chart_cell_for_every_permission() -> None:
    # decide reads built-in cells straight from the chart; the store's twin asks Facts: both must agree
    given = facts()
    profile = given.profile
    for permission in profile.permissions:
        for role in profile.roles:
            assert given.role_cell(role, permission) == profile.cell(role, permission)
    assert given.role_cell("teacher", "student.edit")


def test_covers_answers_the_first_scope_in_order_that_reaches_the_object() -> None:
    given = facts()
    tomas = given.world.users["tomas"]
    sam, sofia = Ref("user", "sam"), Ref("user", "sofia")
    # the order of model.md 6 puts `subtree` first whichever way the cell was written
    assert scopes.covers(frozenset({"assigned", "subtree"}), sam, tomas, "lincoln", given) == "subtree"
    assert scopes.covers(frozenset({"assigned"}), sam, tomas, "lincoln", given) == "assigned"
    assert scopes.covers(frozenset({"assigned"}), sofia, tomas, "lincoln", given) is None
    assert scopes.covers(frozenset({"subtree"}), sam, tomas, "roosevelt", given) is None
    # `assigned` reaches students only: staff and unknown users are nobody's assigned students
    for other in ("priya", "nobody"):
        assert scopes.covers(frozenset({"assigned"}), Ref("user", other), tomas, "lincoln", given) is None
