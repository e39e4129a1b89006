"""How a tenant's OneRoster imports map onto Homeroom, and what they do with records that disappear.

The defaults follow from the tenant's profile (its roles, the org kinds they are held at, their ranks);
a tenant administrator may override any part (`roster.configure`, stored as JSON in `roster_settings`).

* `org_types`: OneRoster org type -> Homeroom org kind, or None for types Homeroom does not keep (a state,
  a department): such an org is not stored and whatever references it lands on its nearest kept ancestor,
  or the org the import is anchored at.
* `roles`: OneRoster role -> {Homeroom org kind -> Homeroom role id, or None for an account without a
  role there; aides, proctors and counselors are staff without a role by default, for an administrator to
  grant one). A OneRoster role missing from the table is not imported (parents, guardians, relatives by
  default): the user is skipped with a warning, and so are their enrollments.
* `absent` (a record missing from a bulk file) and `tobedeleted` (a delta row): `deactivate` (default),
  `delete` (soft), or for `absent` also `keep`.
* `max_removal_share`: a plan that would deactivate or delete more than this share of the stored rostered
  orgs, classes, staff or students in the import's scope is held for approval; so is one that removes an
  administrator when `hold_admin_removal` is on.
* `include_hand_made`: whether bulk absence also removes accounts and classes created by hand (off).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

from homeroom.errors import InvalidInput
from homeroom.policy.profiles import Profile, Role

Removal = Literal["deactivate", "delete", "keep"]
ADMIN_ROLES: Final = (
    "administrator",
    "districtAdministrator",
    "systemAdministrator",
    "siteAdministrator",
    "principal",
)
STAFF_WITHOUT_ROLE: Final = ("aide", "proctor", "counselor")
STUDENT_ROLE: Final = "student"
NOT_KEPT: Final = ("department", "local", "state", "national")
_REMOVALS: Final = ("deactivate", "delete", "keep")


@dataclass(frozen=True)
class RosterConfig:
    org_types: dict[str, str | None]
    roles: dict[str, dict[str, str | None]]
    absent: Removal = "deactivate"
    tobedeleted: Removal = "deactivate"
    max_removal_share: float = 0.10
    hold_admin_removal: bool = True
    include_hand_made: bool = False
    admin_roles: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["admin_roles"] = list(self.admin_roles)
        return document


def default_config(profile: Profile) -> RosterConfig:
    """The mapping a tenant of `profile` starts with."""
    kinds = _org_kinds(profile)
    if kinds == ["organization"]:
        org_types: dict[str, str | None] = dict.fromkeys((*NOT_KEPT, "district", "school"), "organization")
    else:
        org_types = {kind: (kind if kind in kinds else None) for kind in ("district", "school")}
        org_types.update(dict.fromkeys(NOT_KEPT))
    roles: dict[str, dict[str, str | None]] = {}
    for name in ADMIN_ROLES:
        roles[name] = {kind: _admin_at(profile, kind) for kind in kinds}
    roles["teacher"] = {kind: _teacher_at(profile, kind) for kind in kinds}
    roles[STUDENT_ROLE] = {kind: _student_at(profile, kind) for kind in kinds}
    for name in STAFF_WITHOUT_ROLE:
        roles[name] = dict.fromkeys(kinds)
    return RosterConfig(org_types, roles, admin_roles=_admins(profile))


def config_from_json(profile: Profile, text: str | None) -> RosterConfig:
    """The stored configuration over the profile's defaults; None (never configured) means the defaults."""
    base = default_config(profile)
    if text is None:
        return base
    return merge(profile, base, json.loads(text))


def merge(profile: Profile, base: RosterConfig, changes: Mapping[str, Any]) -> RosterConfig:
    """`base` with `changes` applied, validated against the profile; InvalidInput names the first fault."""
    known = {
        "org_types",
        "roles",
        "absent",
        "tobedeleted",
        "max_removal_share",
        "hold_admin_removal",
        "include_hand_made",
    }
    unknown = sorted(set(changes) - known)
    if unknown:
        raise _bad(f"unknown setting {unknown[0]!r}; expected one of {', '.join(sorted(known))}")
    org_types = {**base.org_types, **dict(changes.get("org_types", {}))}
    roles = {**base.roles, **{k: dict(v) for k, v in dict(changes.get("roles", {})).items()}}
    config = RosterConfig(
        org_types,
        roles,
        absent=changes.get("absent", base.absent),
        tobedeleted=changes.get("tobedeleted", base.tobedeleted),
        max_removal_share=changes.get("max_removal_share", base.max_removal_share),
        hold_admin_removal=changes.get("hold_admin_removal", base.hold_admin_removal),
        include_hand_made=changes.get("include_hand_made", base.include_hand_made),
        admin_roles=base.admin_roles,
    )
    _validate(profile, config)
    return config


def _validate(profile: Profile, config: RosterConfig) -> None:
    kinds = _org_kinds(profile)
    for org_type, kind in config.org_types.items():
        if kind is not None and kind not in kinds:
            raise _bad(
                f"org_types.{org_type}: {kind!r} is not an org kind of {profile.id}; "
                f"expected {', '.join(kinds)}"
            )
    for name, by_kind in config.roles.items():
        for kind, role in by_kind.items():
            if kind not in kinds:
                raise _bad(f"roles.{name}: {kind!r} is not an org kind of {profile.id}")
            if role is not None and (
                role not in profile.roles or kind not in profile.roles[role].assignable_at
            ):
                raise _bad(f"roles.{name}.{kind}: {role!r} is not a role of {profile.id} held at a {kind}")
    if config.absent not in _REMOVALS or config.tobedeleted not in _REMOVALS[:2]:
        raise _bad("absent is deactivate, delete or keep; tobedeleted is deactivate or delete")
    share = config.max_removal_share
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise _bad("max_removal_share is a number from 0 to 1")
    if not isinstance(config.hold_admin_removal, bool) or not isinstance(config.include_hand_made, bool):
        raise _bad("hold_admin_removal and include_hand_made are true or false")


def _bad(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_roster_settings")


def _org_kinds(profile: Profile) -> list[str]:
    kinds = {kind for role in profile.roles.values() for kind in role.assignable_at}
    order = ("customer", "district", "school", "organization")
    return [kind for kind in order if kind in kinds]


def _staff_at(profile: Profile, kind: str) -> list[Role]:
    return [r for r in profile.roles.values() if r.account == "staff" and kind in r.assignable_at]


def _admin_at(profile: Profile, kind: str) -> str | None:
    staff = _staff_at(profile, kind)
    named = [r.id for r in staff if r.id == "administrator"]
    ranked = sorted((r for r in staff if r.rank is not None and r.rank >= 2), key=lambda r: -(r.rank or 0))
    return named[0] if named else (ranked[0].id if ranked else None)


def _teacher_at(profile: Profile, kind: str) -> str | None:
    staff = _staff_at(profile, kind)
    named = [r.id for r in staff if r.id in ("teacher", "educator")]
    return named[0] if named else None


def _student_at(profile: Profile, kind: str) -> str | None:
    roles = [r.id for r in profile.roles.values() if r.account == "student" and kind in r.assignable_at]
    return roles[0] if roles else None


def _admins(profile: Profile) -> tuple[str, ...]:
    """Roles whose removal holds an import: every staff role above the lowest rank, or named administrator."""
    return tuple(
        r.id
        for r in profile.roles.values()
        if r.account == "staff" and (r.id == "administrator" or (r.rank is not None and r.rank >= 2))
    )
