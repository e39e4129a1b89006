"""Settings: nearest value wins, defaults apply, and locks freeze a key for a whole subtree."""

from __future__ import annotations

from dataclasses import replace

from personas import check, facts, maple_valley

from homeroom.policy import decide
from homeroom.policy.settings import effective, locked_above
from homeroom.policy.validation import validate_world


def test_the_default_applies_where_nobody_sets_the_key() -> None:
    value = effective(facts(), "lincoln", "teacher_student_creation")
    assert (value.value, value.source, value.locked_at) == (True, None, None)


def test_the_nearest_value_wins() -> None:
    world = maple_valley(settings={"northwind": {"sin_min_length": 6}, "maple": {"sin_min_length": 8}})
    assert effective(facts(world), "lincoln", "sin_min_length").value == 8
    assert effective(facts(world), "lincoln", "sin_min_length").source == "maple"
    assert effective(facts(world), "northwind", "sin_min_length").value == 6


def test_a_lock_freezes_the_value_for_the_subtree() -> None:
    world = maple_valley(
        settings={
            "maple": {"teacher_student_creation": False},
            "roosevelt": {"teacher_student_creation": True},
        },
        locks={"maple": frozenset({"teacher_student_creation"})},
    )
    value = effective(facts(world), "roosevelt", "teacher_student_creation")
    assert (value.value, value.source, value.locked_at) == (False, "maple", "maple")
    assert locked_above(facts(world), "roosevelt", "teacher_student_creation") == "maple"
    assert locked_above(facts(world), "maple", "teacher_student_creation") is None


def test_a_lock_without_its_own_value_freezes_the_inherited_one() -> None:
    world = maple_valley(
        settings={"northwind": {"second_languages": True}, "lincoln": {"second_languages": False}},
        locks={"maple": frozenset({"second_languages"})},
    )
    value = effective(facts(world), "lincoln", "second_languages")
    assert (value.value, value.source, value.locked_at) == (True, "northwind", "maple")


def test_locks_reach_gates() -> None:
    unlocked = maple_valley(
        settings={"maple": {"teacher_student_creation": False}, "lincoln": {"teacher_student_creation": True}}
    )
    locked = replace(unlocked, locks={"maple": frozenset({"teacher_student_creation"})})
    create = check("tomas", "student.create", "class:math4a")
    assert decide(create, facts(unlocked)).allowed
    denied = decide(create, facts(locked))
    assert denied.code == "gate teacher_student_creation"
    assert "from maple" in denied.reason.message


def test_unknown_keys_have_no_value() -> None:
    assert effective(facts(), "lincoln", "colour").value is None


def test_locks_must_name_declared_settings_at_known_orgs() -> None:
    locks = {
        "maple": frozenset({"colour"}),
        "atlantis": frozenset({"sin_required"}),
        "lincoln": frozenset({"sin_required"}),
    }
    world = maple_valley(locks=locks)
    problems = validate_world(world, facts().profile)
    assert ("world.locks.maple.colour", "locks name a declared setting at an org of the world") in problems
    assert (
        "world.locks.atlantis.sin_required",
        "locks name a declared setting at an org of the world",
    ) in problems
    assert not [p for p, _ in problems if p.startswith("world.locks.lincoln")]
