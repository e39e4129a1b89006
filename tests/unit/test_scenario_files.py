"""Malformed policy test files and invalid worlds are file errors naming the path and what was expected."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from homeroom.errors import InvalidInput
from homeroom.scenarios.files import ScenarioFileError, load_scenario, parse_ref, parse_scenario

BASE: dict[str, Any] = {
    "version": 1,
    "profile": "math",
    "world": {
        "orgs": [
            {"id": "cust", "kind": "customer"},
            {"id": "d1", "kind": "district", "parent": "cust"},
            {"id": "s1", "kind": "school", "parent": "d1"},
            {"id": "g1", "kind": "school_group", "parent": "d1", "schools": ["s1"]},
        ],
        "classes": [{"id": "c1", "school": "s1"}],
        "users": [
            {"id": "t1", "kind": "staff", "roles": ["teacher@s1"], "teaches": ["c1"]},
            {"id": "st1", "kind": "student", "orgs": ["s1"], "enrolled_in": ["c1"]},
        ],
        "objects": [{"id": "b1", "type": "assessment", "kind": "benchmark", "student": "st1"}],
        "settings": {"d1": {"teacher_student_creation": False}},
    },
    "checks": [{"as": "t1", "can": "student.edit", "target": "user:st1", "expect": "allow"}],
}


def _text(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False)


def _mutated(path: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[int(last) if last.isdigit() else last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return document


_DELETE = object()

CASES = [
    ("version", 2, "version", "Input should be 1"),
    ("profile", "chess", "profile", "Input should be"),
    ("world.orgs.0.colour", "red", "world.orgs[0].colour", "Extra inputs are not permitted"),
    ("world.users.0.id", False, "world.users[0].id", "valid string"),
    ("world.users.0.id", "yes", "world.users[0].id", "YAML 1.1"),
    ("world.users.0.id", "9lives", "world.users[0].id", "pattern"),
    ("world.orgs.2.parent", "cust", "world.orgs[2].parent", "a school cannot have parent kind customer"),
    ("world.orgs.1.parent", "s1", "world.orgs[1].parent", "cannot have parent kind school"),
    ("world.orgs.2.parent", "nowhere", "world.orgs[2].parent", "'nowhere' is not an org"),
    ("world.orgs.3.schools", ["d1"], "world.orgs[3].schools[0]", "'d1' is not a school"),
    ("world.orgs.0.schools", ["s1"], "world.orgs[0].schools", "only a school_group lists schools"),
    ("world.classes.0.school", "d1", "world.classes[0].school", "'d1' is not a school"),
    ("world.classes.0.created_by", "ghost", "world.classes[0].created_by", "'ghost' is not a user"),
    ("world.users.0.roles", ["teacher@d1"], "world.users[0].roles[0]", "teacher is assigned at school"),
    ("world.users.0.roles", ["wizard@s1"], "world.users[0].roles[0]", "'wizard' is neither a role"),
    ("world.users.0.roles", ["teacher@zz"], "world.users[0].roles[0]", "'zz' is not an org"),
    ("world.users.0.roles", [], "world.users[0].teaches[0]", "holds no role over 's1'"),
    ("world.users.0.teaches", ["c9"], "world.users[0].teaches[0]", "'c9' is not a class"),
    ("world.users.0.orgs", ["zz"], "world.users[0].orgs[0]", "'zz' is not an org"),
    ("world.users.0.created_by", "ghost", "world.users[0].created_by", "'ghost' is not a user"),
    ("world.users.1.enrolled_in", ["c9"], "world.users[1].enrolled_in[0]", "'c9' is not a class"),
    ("world.users.1.teaches", ["c1"], "world.users[1].teaches", "only staff accounts teach"),
    ("world.users.1.status", "invited", "world.users[1].status", "only staff accounts can be invited"),
    ("world.users.0.enrolled_in", ["c1"], "world.users[0].enrolled_in", "only student accounts are enrolled"),
    ("world.objects.0.student", "t1", "world.objects[0].student", "'t1' is not a student"),
    ("world.objects.0.colour", "red", "world.objects[0]", "a assessment takes no field colour"),
    ("world.objects.0.kind", _DELETE, "world.objects[0]", "a assessment needs kind"),
    ("world.objects.0.number", 0, "world.objects[0].number", "greater than or equal to 1"),
    (
        "world.objects",
        [{"id": "q", "type": "question", "org": "zz"}],
        "world.objects[0].org",
        "'zz' is not an org",
    ),
    (
        "world.objects",
        [{"id": "n", "type": "notification", "recipient": "zz"}],
        "world.objects[0].recipient",
        "zz",
    ),
    ("world.objects", [{"id": "q", "type": "question", "org": "s1", "created_by": "zz"}], "created_by", "zz"),
    ("world.settings", {"d1": {"colour": 1}}, "world.settings.d1.colour", "declares no setting 'colour'"),
    (
        "world.settings",
        {"g1": {"sin_required": True}},
        "world.settings.g1.sin_required",
        "not at a school_group",
    ),
    ("world.settings", {"d1": {"sin_required": 3}}, "world.settings.d1.sin_required", "takes a bool value"),
    ("world.settings", {"zz": {"sin_required": True}}, "world.settings.zz", "'zz' is not an org"),
    (
        "world.custom_roles",
        [{"id": "r", "org": "s1", "permissions": []}],
        "world.custom_roles[0]",
        "no custom roles",
    ),
    ("world.users.1.id", "t1", "world.users[1].id", "used twice"),
    ("world.classes.0.id", "s1", "world.classes[0].id", "already used in world.orgs"),
    ("checks.0.can", "student.fly", "checks[0]", "not a permission id of the catalog"),
    ("checks.0.as", "ghost", "checks[0]", "'ghost' is not a user"),
    ("checks.0.target", "user:nobody", "checks[0]", "does not name an object"),
    ("checks.0.target", "class:st1", "checks[0]", "does not name an object"),
    ("checks.0.target", "person:st1", "checks[0].target", "pattern"),
    ("checks.0.to", "class:c1", "checks[0]", "takes no 'to' argument"),
    ("checks.0.expect", "maybe", "checks[0].expect", "Input should be"),
    ("checks", [], "checks", "at least 1 item"),
]


@pytest.mark.parametrize(("path", "value", "where", "message"), CASES, ids=[c[0] + ":" + c[3] for c in CASES])
def test_invalid_input_is_a_precise_file_error(path: str, value: Any, where: str, message: str) -> None:
    with pytest.raises(ScenarioFileError) as raised:
        parse_scenario(_text(_mutated(path, value)), "case.yaml")
    problems = raised.value.problems
    assert any(where in p and message in m for p, m in problems), problems
    assert raised.value.code == "invalid_scenario_file"


def test_the_base_document_is_valid() -> None:
    scenario = parse_scenario(_text(BASE), "base.yaml")
    assert [c.check.actor for c in scenario.checks] == ["t1"]


def test_cycles_in_the_tree_are_reported() -> None:
    document = copy.deepcopy(BASE)
    document["profile"] = "assessment-platform"
    document["world"] = {
        "orgs": [
            {"id": "a", "kind": "organization", "parent": "b"},
            {"id": "b", "kind": "organization", "parent": "a"},
        ],
        "users": [{"id": "u", "kind": "staff"}],
    }
    document["checks"] = [{"as": "u", "can": "org.create", "target": "org:a", "expect": "deny"}]
    with pytest.raises(ScenarioFileError, match="loops back on itself"):
        parse_scenario(_text(document))


def test_custom_roles_are_checked_against_the_profile() -> None:
    document = copy.deepcopy(BASE)
    document["profile"] = "assessment-platform"
    document["world"] = {
        "orgs": [{"id": "acme", "kind": "organization"}],
        "users": [{"id": "u", "kind": "staff", "roles": ["r@acme"]}],
        "custom_roles": [
            {
                "id": "r",
                "org": "acme",
                "permissions": ["student.edit", {"id": "user.view", "scope": "galaxy"}],
            },
            {"id": "teacher", "org": "zz", "permissions": []},
        ],
    }
    document["checks"] = [{"as": "u", "can": "user.view", "target": "user:u", "expect": "allow"}]
    with pytest.raises(ScenarioFileError) as raised:
        parse_scenario(_text(document))
    messages = " | ".join(f"{p}: {m}" for p, m in raised.value.problems)
    assert "'student.edit' is not a permission of assessment-platform" in messages
    assert "'galaxy' is not a scope" in messages
    assert "'teacher' is a built-in role" in messages
    assert "world.custom_roles[1].org: 'zz' is not an org" in messages


def test_custom_roles_are_placed_at_or_below_their_org() -> None:
    document = {
        "version": 1,
        "profile": "assessment-platform",
        "world": {
            "orgs": [{"id": "acme", "kind": "organization"}, {"id": "other", "kind": "organization"}],
            "users": [
                {"id": "u", "kind": "staff", "roles": ["r@other"]},
                {"id": "s", "kind": "student", "roles": ["r@acme"]},
            ],
            "custom_roles": [{"id": "r", "org": "acme", "permissions": ["user.view"]}],
        },
        "checks": [{"as": "u", "can": "user.view", "target": "user:u", "expect": "deny"}],
    }
    with pytest.raises(ScenarioFileError) as raised:
        parse_scenario(_text(document))
    messages = [m for _, m in raised.value.problems]
    assert "custom role r can be held only at 'acme' or below" in messages
    assert "r is a role for staff accounts, not student" in messages


def test_arguments_follow_the_catalog() -> None:
    document = copy.deepcopy(BASE)
    document["checks"] = [
        {"as": "t1", "can": "staff.create", "target": "org:s1", "expect": "deny"},
        {"as": "t1", "can": "class.assign_teacher", "target": "user:t1", "expect": "deny"},
        {"as": "t1", "can": "staff.create", "target": "org:s1", "role": "wizard", "expect": "deny"},
    ]
    with pytest.raises(ScenarioFileError) as raised:
        parse_scenario(_text(document))
    messages = [f"{p}: {m}" for p, m in raised.value.problems]
    assert "checks[0]: role: staff.create needs a 'role' argument" in messages
    assert "checks[1]: class.assign_teacher needs exactly one of from / to" in messages
    assert "checks[2]: role: 'wizard' is neither a role of math nor a custom role" in messages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nversion: 1\n", "duplicate key 'version'"),
        ("version: [1\n", "not valid YAML"),
        ("- 1\n- 2\n", "expected a mapping"),
    ],
)
def test_broken_yaml_is_reported_with_its_place(text: str, message: str) -> None:
    with pytest.raises(ScenarioFileError, match=message):
        parse_scenario(text)


def test_an_unreadable_file_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.policytest.yaml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioFileError, match="cannot read"):
        load_scenario(path)
    with pytest.raises(ScenarioFileError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")


def test_many_problems_are_summarised() -> None:
    document = copy.deepcopy(BASE)
    document["world"]["users"][0]["orgs"] = ["z1", "z2", "z3", "z4", "z5", "z6"]
    with pytest.raises(ScenarioFileError, match=r"and 1 more"):
        parse_scenario(_text(document))


def test_references_are_type_and_id() -> None:
    assert str(parse_ref("user:st1")) == "user:st1"
    with pytest.raises(InvalidInput, match="is not a reference"):
        parse_ref("user st1")
