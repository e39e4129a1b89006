"""Policy test files (spec/scenarios.md): read, check against the schema, and turn into a World and checks.

Any problem is a `ScenarioFileError` naming the file, the path in the document and what was expected;
a broken file never yields a decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from homeroom.errors import InvalidInput
from homeroom.policy import registry
from homeroom.policy.profiles import Profile
from homeroom.policy.validation import check_problems, validate_world
from homeroom.policy.world import (
    REF_TYPES,
    Assignment,
    Check,
    CustomRole,
    Org,
    Ref,
    SchoolClass,
    Thing,
    User,
    World,
)

_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_ID = r"[A-Za-z][A-Za-z0-9_-]*"
Id = Annotated[str, StringConstraints(pattern=rf"^{_ID}$")]
RefText = Annotated[str, StringConstraints(pattern=rf"^({'|'.join(REF_TYPES)}):{_ID}$")]
RoleAt = Annotated[str, StringConstraints(pattern=rf"^{_ID}@{_ID}$")]
Deleted = Literal["none", "soft", "purged"]
_OBJECT_FIELDS = {
    "assessment": ({"kind", "student"}, {"number", "deleted"}),
    "test": ({"org"}, {"published", "created_by", "deleted"}),
    "notification": ({"recipient"}, {"deleted"}),
}
_CONTENT_FIELDS = ({"org"}, {"created_by", "deleted"})


class ScenarioFileError(InvalidInput):
    """A policy test file that cannot be run: malformed YAML, a schema violation or an invalid world."""

    code = "invalid_scenario_file"

    def __init__(self, file: str, problems: list[tuple[str, str]]) -> None:
        self.file = file
        self.problems = problems
        listed = "; ".join(f"{path}: {message}" for path, message in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{file}: {listed}{more}", details={"problems": problems})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _OrgIn(_Strict):
    id: Id
    kind: Literal["customer", "district", "school", "school_group", "organization"]
    parent: Id | None = None
    schools: list[Id] = []


class _ClassIn(_Strict):
    id: Id
    school: Id
    status: Literal["active", "inactive"] = "active"
    created_by: Id | None = None
    deleted: Deleted = "none"


class _UserIn(_Strict):
    id: Id
    kind: Literal["staff", "student"]
    status: Literal["invited", "active", "inactive"] = "active"
    deleted: Deleted = "none"
    orgs: list[Id] = []
    roles: list[RoleAt] = []
    teaches: list[Id] = []
    enrolled_in: list[Id] = []
    created_by: Id | None = None


class _ObjectIn(_Strict):
    id: Id
    type: Literal[
        "assessment", "question", "test", "media", "category", "workflow",
        "article", "product", "sale", "partner", "key", "notification",
    ]  # fmt: skip
    org: Id | None = None
    created_by: Id | None = None
    deleted: Deleted = "none"
    kind: Literal["benchmark", "pretest", "placement"] | None = None
    number: Annotated[int, Field(ge=1)] | None = None
    student: Id | None = None
    published: bool = False
    recipient: Id | None = None

    @model_validator(mode="before")
    @classmethod
    def _fields_of_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("type"), str):
            required, optional = _OBJECT_FIELDS.get(data["type"], _CONTENT_FIELDS)
            given = set(data) - {"id", "type"}
            if given - required - optional:
                extra = ", ".join(sorted(given - required - optional))
                raise ValueError(f"a {data['type']} takes no field {extra}")
            if required - given:
                raise ValueError(f"a {data['type']} needs {', '.join(sorted(required - given))}")
        return data


class _ScopedPermission(_Strict):
    id: str
    scope: str


class _CustomRoleIn(_Strict):
    id: Id
    org: Id
    permissions: list[str | _ScopedPermission]


class _WorldIn(_Strict):
    orgs: Annotated[list[_OrgIn], Field(min_length=1)]
    classes: list[_ClassIn] = []
    users: Annotated[list[_UserIn], Field(min_length=1)]
    objects: list[_ObjectIn] = []
    custom_roles: list[_CustomRoleIn] = []
    settings: dict[Id, dict[str, Any]] = {}


class _CheckIn(_Strict):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    as_: Annotated[Id, Field(alias="as")]
    can: str
    target: RefText
    to: RefText | None = None
    from_: Annotated[RefText | None, Field(alias="from")] = None
    role: Id | None = None
    at: RefText | None = None
    expect: Literal["allow", "deny"]
    note: str | None = None


class _FileIn(_Strict):
    version: Literal[1]
    profile: Literal["district-license", "math", "math-prek2", "literacy", "assessment-platform"]
    name: str | None = None
    world: _WorldIn
    checks: Annotated[list[_CheckIn], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class ExpectedCheck:
    index: int
    check: Check
    expect: str
    note: str | None


@dataclass(frozen=True, slots=True)
class Scenario:
    file: str
    name: str | None
    profile: Profile
    world: World
    checks: tuple[ExpectedCheck, ...]


def load_scenario(path: Path) -> Scenario:
    """Read and check one policy test file; raises ScenarioFileError with every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioFileError(str(path), [("(file)", f"cannot read: {error}")]) from error
    return parse_scenario(text, str(path))


def parse_scenario(text: str, file: str = "<text>") -> Scenario:
    document = _parse_yaml(text, file)
    try:
        parsed = _FileIn.model_validate(document)
    except ValidationError as error:
        raise ScenarioFileError(file, [(_loc(e["loc"]), _message(e)) for e in error.errors()]) from None
    profile = registry.profile(parsed.profile)
    problems = _duplicate_ids(parsed.world) + _reserved_ids(parsed)
    world = _build_world(parsed.world, profile)
    problems += validate_world(world, profile)
    checks = tuple(_build_check(i, c) for i, c in enumerate(parsed.checks))
    for expected in checks:
        problems += [(f"checks[{expected.index}]", p) for p in check_problems(expected.check, world, profile)]
    if problems:
        raise ScenarioFileError(file, problems)
    return Scenario(file, parsed.name, profile, world, checks)


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(text: str, file: str) -> Any:
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(document)"
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioFileError(file, [(where, f"not valid YAML: {problem}")]) from None
    if not isinstance(document, dict):
        raise ScenarioFileError(
            file, [("(document)", "expected a mapping with version, profile, world, checks")]
        )
    return document


def _loc(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in {"str", "_ScopedPermission", "function-after[_fields_of_type()]"}:
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "(document)"


def _message(error: Any) -> str:
    given = error.get("input")
    shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
    return f"{error['msg']}{shown}"


def _duplicate_ids(world: _WorldIn) -> list[tuple[str, str]]:
    problems = []
    for name in ("orgs", "classes", "users", "objects", "custom_roles"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(world, name)):
            if item.id in seen:
                problems.append((f"world.{name}[{index}].id", f"id {item.id!r} is used twice"))
            seen.add(item.id)
    return problems


def _reserved_ids(parsed: _FileIn) -> list[tuple[str, str]]:
    """Ids must not be YAML 1.1 boolean or null words, even when quoted (scenarios.md 1)."""
    problems = []
    for name in ("orgs", "classes", "users", "objects", "custom_roles"):
        for index, item in enumerate(getattr(parsed.world, name)):
            if item.id.lower() in _YAML11_WORDS:
                problems.append(
                    (f"world.{name}[{index}].id", f"{item.id!r} reads as a YAML 1.1 boolean or null")
                )
    return problems


def _build_world(world: _WorldIn, profile: Profile) -> World:
    return World(
        orgs={o.id: Org(o.id, o.kind, o.parent, tuple(o.schools)) for o in world.orgs},
        classes={c.id: SchoolClass(c.id, c.school, c.status, c.created_by, c.deleted) for c in world.classes},
        users={u.id: _build_user(u) for u in world.users},
        things={o.id: _build_thing(o) for o in world.objects},
        custom_roles={r.id: _build_custom_role(r, profile) for r in world.custom_roles},
        settings={org: dict(values) for org, values in world.settings.items()},
    )


def _build_user(user: _UserIn) -> User:
    roles = tuple(Assignment(*text.split("@", 1)) for text in user.roles)
    return User(
        id=user.id,
        kind=user.kind,
        status=user.status,
        deleted=user.deleted,
        orgs=tuple(user.orgs),
        roles=roles,
        teaches=tuple(user.teaches),
        enrolled_in=tuple(user.enrolled_in),
        created_by=user.created_by,
    )


def _build_thing(item: _ObjectIn) -> Thing:
    return Thing(
        id=item.id,
        type=item.type,
        org=item.org,
        created_by=item.created_by,
        deleted=item.deleted,
        kind=item.kind,
        number=item.number,
        student=item.student,
        published=item.published,
        recipient=item.recipient,
    )


def _build_custom_role(role: _CustomRoleIn, profile: Profile) -> CustomRole:
    grants = tuple(
        (entry, profile.canonical_scope(entry)) if isinstance(entry, str) else (entry.id, entry.scope)
        for entry in role.permissions
    )
    return CustomRole(role.id, role.org, grants)


def _build_check(index: int, check: _CheckIn) -> ExpectedCheck:
    return ExpectedCheck(
        index=index,
        check=Check(
            actor=check.as_,
            permission=check.can,
            target=parse_ref(check.target),
            to=parse_ref(check.to) if check.to else None,
            from_=parse_ref(check.from_) if check.from_ else None,
            role=check.role,
            at=parse_ref(check.at) if check.at else None,
        ),
        expect=check.expect,
        note=check.note,
    )


def parse_ref(text: str) -> Ref:
    """`TYPE:ID` to a Ref; raises InvalidInput for anything else."""
    match = re.fullmatch(rf"({'|'.join(REF_TYPES)}):({_ID})", text)
    if match is None:
        raise InvalidInput(f"{text!r} is not a reference TYPE:ID with TYPE one of {', '.join(REF_TYPES)}")
    return Ref(match.group(1), match.group(2))
