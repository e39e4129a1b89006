"""The permission catalog: every `resource.verb` id, what its arguments must be, and which rules apply.

The catalog is data (catalog.yaml); this module gives it types. The same id means the same action in
every profile; who holds it, and with which scope, is the profiles' business (profiles.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from homeroom.errors import InvalidProfile

ARGUMENTS: Final = ("to", "from", "role", "at")
CONSTRAINTS: Final = frozenset(
    {
        "R1",
        "R2",
        "grant",
        "P-PLACE",
        "P-SCHOOL",
        "P-GROUP",
        "P-TEACHER-ONLY",
        "P-SAME-SCHOOL",
        "P-ENROLLED",
        "P-TEACHES",
        "P-STAFF",
        "P-BENCH-N",
        "P-KIND",
        "P-PUBLISHED",
        "P-INACTIVE",
        "P-INVITED",
    }
)
_KIND_SPEC: Final = re.compile(r"^\s*([a-z_]+)\s*(?:\(([^)]*)\))?\s*$")


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One acceptable kind of argument: an object type, optionally narrowed to some kinds."""

    type: str
    kinds: frozenset[str] | None = None

    def __str__(self) -> str:
        return self.type if self.kinds is None else f"{self.type}({' | '.join(sorted(self.kinds))})"


Acceptance = Mapping[str, frozenset[str | None] | None]  # object type -> its accepted kinds (None: any)


@dataclass(frozen=True, slots=True)
class Permission:
    id: str
    meaning: str
    target: tuple[KindSpec, ...]
    args: Mapping[str, tuple[KindSpec, ...]]
    optional: frozenset[str]
    one_of: frozenset[str]
    scope_checked: tuple[str, ...]
    constraints: tuple[str, ...]
    # Derived once, read by every check: the id's parts and, per argument, its kind specs as a table.
    resource: str = field(init=False, compare=False, repr=False)
    verb: str = field(init=False, compare=False, repr=False)
    acceptance: Mapping[str, Acceptance] = field(init=False, compare=False, repr=False)
    target_acceptance: Acceptance = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        resource, _, verb = self.id.partition(".")
        specs_by_argument = {"target": self.target, **self.args}
        acceptance = {name: _acceptance(specs) for name, specs in specs_by_argument.items()}
        object.__setattr__(self, "resource", resource)
        object.__setattr__(self, "verb", verb)
        object.__setattr__(self, "acceptance", MappingProxyType(acceptance))
        object.__setattr__(self, "target_acceptance", acceptance["target"])

    def accepts(self, argument: str, ref_type: str, kind: str | None) -> bool:
        """Whether an object of `ref_type` and `kind` may be given as `argument` (any of its kind specs)."""
        table = self.acceptance.get(argument)
        if table is None or ref_type not in table:
            return False
        kinds = table[ref_type]
        return kinds is None or kind in kinds

    def required_args(self) -> frozenset[str]:
        return frozenset(self.args) - self.optional - self.one_of


def _acceptance(specs: tuple[KindSpec, ...]) -> dict[str, frozenset[str | None] | None]:
    table: dict[str, frozenset[str | None] | None] = {}
    for spec in specs:
        if spec.kinds is None or (spec.type in table and table[spec.type] is None):
            table[spec.type] = None
        else:
            table[spec.type] = table.get(spec.type, frozenset()) | spec.kinds  # type: ignore[operator]
    return table


@dataclass(frozen=True, slots=True)
class Catalog:
    permissions: Mapping[str, Permission]
    edit_implies_view: frozenset[str]

    def __contains__(self, permission_id: object) -> bool:
        return permission_id in self.permissions

    def implied_view(self, permission_id: str) -> str | None:
        """`X.view` when `permission_id` is `X.edit` for a resource where edit implies view (model.md 5)."""
        resource, _, verb = permission_id.partition(".")
        if verb == "edit" and resource in self.edit_implies_view:
            return f"{resource}.view"
        return None


def parse_kinds(text: str) -> tuple[KindSpec, ...]:
    """Parse `org | class | user(student)` or `org(school_group | district)` into kind specs."""
    specs: list[KindSpec] = []
    for part in _split_top_level(text):
        match = _KIND_SPEC.match(part)
        if match is None:
            raise InvalidProfile(f"catalog: cannot read the kind {part!r} in {text!r}")
        type_, kinds = match.groups()
        narrowed = frozenset(k.strip() for k in kinds.split("|")) if kinds else None
        specs.append(KindSpec(type_, narrowed))
    return tuple(specs)


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def build_catalog(data: Mapping[str, Any]) -> Catalog:
    """Build the catalog from its data file's content, checking every entry."""
    permissions = {pid: _build_permission(pid, entry) for pid, entry in data["permissions"].items()}
    return Catalog(permissions=permissions, edit_implies_view=frozenset(data["edit_implies_view"]))


def _build_permission(pid: str, entry: Mapping[str, Any]) -> Permission:
    args = {name: parse_kinds(spec) for name, spec in entry.get("args", {}).items()}
    unknown_args = set(args) - set(ARGUMENTS)
    constraints = tuple(entry.get("constraints", ()))
    scope_checked = tuple(entry["scope_checked"])
    if unknown_args or set(constraints) - CONSTRAINTS or set(scope_checked) - {"target", *args}:
        raise InvalidProfile(f"catalog: {pid} names unknown arguments or constraints")
    return Permission(
        id=pid,
        meaning=entry["meaning"],
        target=parse_kinds(entry["target"]),
        args=args,
        optional=frozenset(entry.get("optional", ())),
        one_of=frozenset(entry.get("one_of", ())),
        scope_checked=scope_checked,
        constraints=constraints,
    )
