"""Profiles: a product's roles, settings and permission chart (model.md 12), built from data files.

A profile holds one cell per (role, permission): a set of scopes, empty when not granted. Nothing here
decides anything; it only answers "what does the chart say". Each profile is checked against the catalog
when it is built, so a typo in a data file fails loudly at load time, never as a silent deny.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from homeroom.errors import InvalidProfile
from homeroom.policy.catalog import Catalog, Permission
from homeroom.policy.world import ORG_KINDS, STAFF, STUDENT

Scope = frozenset[str]
SCOPES: Final = ("subtree", "org", "assigned", "self", "created")
NO_SCOPE: Final[Scope] = frozenset()
RANK_MODES: Final = ("ordinal", "subset")
SETTING_TYPES: Final = ("bool", "int", "any")
DEFAULT_CANONICAL_SCOPE: Final = "org"


def parse_scope(text: str) -> Scope:
    """`-` is no scope; `assigned, created` is a union of two."""
    if text.strip() == "-":
        return NO_SCOPE
    scope = frozenset(part.strip() for part in text.split(","))
    if not scope <= set(SCOPES):
        raise InvalidProfile(f"unknown scope in {text!r}; expected one of {', '.join(SCOPES)} or '-'")
    return scope


def format_scope(scope: Scope) -> str:
    """`subtree, assigned`: the scopes in SCOPES order, or `-` for none (kept per scope: reasons use it)."""
    text = _FORMATTED.get(scope)
    if text is None:
        text = _FORMATTED[scope] = ", ".join(s for s in SCOPES if s in scope) if scope else "-"
    return text


_FORMATTED: dict[Scope, str] = {}  # bounded: there are 2^5 scopes


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str
    account: str
    assignable_at: frozenset[str]
    rank: int | None


@dataclass(frozen=True, slots=True)
class Gate:
    """While `setting` is not true at the gate org, `permissions` granted through `roles` are denied."""

    setting: str
    permissions: frozenset[str]
    roles: frozenset[str] | None  # None: every role

    def applies(self, permission: str, role: str) -> bool:
        return permission in self.permissions and (self.roles is None or role in self.roles)


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    type: str
    default: object
    settable_at: frozenset[str]
    set_by: str | None
    gates: tuple[Gate, ...] = ()

    def accepts(self, value: object) -> bool:
        if self.type == "bool":
            return isinstance(value, bool)
        if self.type == "int":
            return value is None or (isinstance(value, int) and not isinstance(value, bool))
        return True


@dataclass(frozen=True, slots=True)
class ChartRow:
    number: int
    ids: tuple[str, ...]
    label: str
    cells: tuple[Scope, ...]


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    seed: str
    rank_mode: str
    custom_roles_in_seed: bool
    roles: Mapping[str, Role]
    settings: Mapping[str, Setting]
    open_settings: Setting | None
    bench_numbers: Mapping[str, frozenset[int]]
    canonical_scopes: Mapping[str, str]
    columns: tuple[str, ...]
    rows: tuple[ChartRow, ...]
    cells: Mapping[str, Mapping[str, Scope]] = field(repr=False)
    gates: Mapping[str, tuple[Gate, ...]] = field(repr=False)
    edit_implies_view: frozenset[str] = field(repr=False, default=frozenset())
    permissions: Mapping[str, Permission] = field(repr=False, default_factory=dict)
    # The engine's per-permission evaluation plans, compiled on first use (engine.py); never compared.
    compiled: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def implied_view(self, permission: str) -> str | None:
        """`X.view` when `permission` is `X.edit` and edit implies view for X (model.md 5)."""
        resource, _, verb = permission.partition(".")
        return f"{resource}.view" if verb == "edit" and resource in self.edit_implies_view else None

    @property
    def permission_ids(self) -> frozenset[str]:
        """The profile's permission set: its chart's ids plus the implied views (model.md 7, step 1)."""
        return frozenset(self.permissions)

    def cell(self, role: str, permission: str) -> Scope:
        """The scopes a built-in role holds for a permission, implied view included; empty if none."""
        by_role = self.cells.get(permission)
        return NO_SCOPE if by_role is None else by_role.get(role, NO_SCOPE)

    def canonical_scope(self, permission: str) -> str:
        return self.canonical_scopes.get(permission, DEFAULT_CANONICAL_SCOPE)

    def setting(self, key: str) -> Setting | None:
        """The declared setting, or an open setting ("any other key") where the profile allows them."""
        declared = self.settings.get(key)
        if declared is not None or self.open_settings is None:
            return declared
        template = self.open_settings
        return Setting(key, template.type, template.default, template.settable_at, template.set_by)

    def setter_keys(self, permission: str) -> tuple[str, ...]:
        return tuple(s.key for s in self.settings.values() if s.set_by == permission)


def build_profile(data: Mapping[str, Any], catalog: Catalog) -> Profile:
    """Build and check a profile from its data file's content."""
    pid = data["id"]
    if data["rank_mode"] not in RANK_MODES:
        raise InvalidProfile(f"profile {pid}: rank_mode must be one of {RANK_MODES}")
    roles = {r["id"]: _build_role(pid, r) for r in data["roles"]}
    columns = tuple(data["columns"])
    if set(columns) != set(roles):
        raise InvalidProfile(f"profile {pid}: the chart's columns must be exactly the roles")
    rows = tuple(_build_row(pid, r, columns, catalog) for r in data["rows"])
    cells = _cells(pid, rows, columns, catalog)
    settings = {s["key"]: _build_setting(pid, s, cells) for s in data.get("settings") or ()}
    open_settings = data.get("open_settings")
    return Profile(
        id=pid,
        name=data["name"],
        seed=str(data["seed"]),
        rank_mode=data["rank_mode"],
        custom_roles_in_seed=bool(data["custom_roles_in_seed"]),
        roles=MappingProxyType(roles),
        settings=MappingProxyType(settings),
        open_settings=_build_setting(
            pid, {"key": "*", "type": "any", "default": None, **open_settings}, cells
        )
        if open_settings
        else None,
        bench_numbers=MappingProxyType(
            {k: frozenset(v) for k, v in (data.get("bench_numbers") or {}).items()}
        ),
        canonical_scopes=MappingProxyType(
            {k: v for k, v in (data.get("canonical_scopes") or {}).items() if k != "*"}
        ),
        columns=columns,
        rows=rows,
        cells=MappingProxyType(cells),
        gates=MappingProxyType(_gates_by_permission(settings.values())),
        edit_implies_view=catalog.edit_implies_view,
        permissions=MappingProxyType({p: catalog.permissions[p] for p in cells}),
    )


def _build_role(pid: str, data: Mapping[str, Any]) -> Role:
    kinds = frozenset(data["assignable_at"])
    if data["account"] not in (STAFF, STUDENT) or not kinds <= set(ORG_KINDS):
        raise InvalidProfile(f"profile {pid}: role {data['id']} has a bad account kind or org kind")
    return Role(data["id"], data["name"], data["account"], kinds, data.get("rank"))


def _build_row(pid: str, data: Mapping[str, Any], columns: tuple[str, ...], catalog: Catalog) -> ChartRow:
    ids = tuple(data["ids"])
    unknown = [i for i in ids if i not in catalog]
    if unknown or len(data["cells"]) != len(columns):
        raise InvalidProfile(
            f"profile {pid}: row {data['row']} has unknown ids {unknown} or a wrong cell count"
        )
    return ChartRow(data["row"], ids, data["label"], tuple(parse_scope(c) for c in data["cells"]))


def _cells(
    pid: str, rows: tuple[ChartRow, ...], columns: tuple[str, ...], catalog: Catalog
) -> dict[str, dict[str, Scope]]:
    explicit: dict[str, dict[str, Scope]] = {}
    for row in rows:
        cells = dict(zip(columns, row.cells, strict=True))
        for permission in row.ids:
            if permission in explicit and explicit[permission] != cells:
                raise InvalidProfile(f"profile {pid}: rows for {permission} disagree (row {row.number})")
            explicit[permission] = cells
    combined = {permission: dict(cells) for permission, cells in explicit.items()}
    for permission, cells in explicit.items():
        view = catalog.implied_view(permission)
        if view is not None:
            implied = combined.setdefault(view, dict.fromkeys(columns, NO_SCOPE))
            for role, scope in cells.items():
                implied[role] = implied[role] | scope
    return combined


def _build_setting(pid: str, data: Mapping[str, Any], cells: Mapping[str, object]) -> Setting:
    gates = tuple(
        Gate(
            setting=data["key"],
            permissions=frozenset(g["permissions"]),
            roles=None if g["roles"] == "all" else frozenset(g["roles"]),
        )
        for g in data.get("gates") or ()
    )
    setter = data.get("set_by")
    if data["type"] not in SETTING_TYPES or (setter is not None and setter not in cells):
        raise InvalidProfile(f"profile {pid}: setting {data['key']} has a bad type or setter")
    return Setting(
        key=data["key"],
        type=data["type"],
        default=data.get("default"),
        settable_at=frozenset(data["settable_at"]),
        set_by=setter,
        gates=gates,
    )


def _gates_by_permission(settings: Any) -> dict[str, tuple[Gate, ...]]:
    found: dict[str, list[Gate]] = {}
    for setting in settings:
        for gate in setting.gates:
            for permission in gate.permissions:
                found.setdefault(permission, []).append(gate)
    return {permission: tuple(gates) for permission, gates in found.items()}
