"""Org settings (model.md 10): read the effective values at an org with where they come from; write or
remove a value (and a lock, a product extension) at an org.

A write is authorized as the setter permission the profile declares for the key, on the org written
(`org.set_teacher_student_creation`, `org.edit_settings` for district-license's open "rules"...). A key
that no permission sets (district-license `manual_account_creation`, license configuration, A-38) is
refused to everyone here; operators set it with the command line (`store.settings.set_setting`).
An org's settings are versioned with the org: every write bumps the org's version, so `If-Match` on a
setting carries the org's ETag (required to remove a value; optional to put one, which is idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from homeroom.errors import Forbidden, InvalidInput, NotFound
from homeroom.policy import registry
from homeroom.policy.decisions import deny
from homeroom.policy.facts import Facts
from homeroom.policy.settings import effective
from homeroom.policy.world import Check, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, require_visible
from homeroom.store import tables as t
from homeroom.store.settings import clear_setting, set_setting, setting_facts
from homeroom.store.versions import update_versioned

# The audit action of an attempt to write a key that no permission sets.
SETTING_WRITE: Final = "setting.write"
NO_SETTER: Final = "no setter"


def setter_permissions() -> tuple[str, ...]:
    """Every permission that sets a setting in some profile (the API names them)."""
    found: set[str] = set()
    for profile_id in registry.PROFILE_IDS:
        profile = registry.profile(profile_id)
        declared = [*profile.settings.values(), *([profile.open_settings] if profile.open_settings else [])]
        found |= {s.set_by for s in declared if s.set_by is not None}
    return tuple(sorted(found))


@dataclass(frozen=True)
class SettingView:
    key: str
    value: object
    source: str | None  # the org whose value applies; None: the profile's default
    locked_at: str | None  # the topmost org on the path that locks the key
    set_by: str | None  # the permission that writes it; None: nobody (license configuration)
    settable_here: bool  # the key may be written at an org of this kind
    set_here: bool
    locked_here: bool


@dataclass(frozen=True)
class OrgSettings:
    org: str
    version: int  # the org's version: the ETag for writes
    items: list[SettingView]


def setting_view(facts: Facts, org_id: str, key: str) -> SettingView:
    found = effective(facts, org_id, key)
    declared = facts.profile.setting(key)
    kind = facts.world.orgs[org_id].kind
    return SettingView(
        key,
        found.value,
        found.source,
        found.locked_at,
        declared.set_by if declared else None,
        declared is not None and kind in declared.settable_at,
        key in facts.world.settings_at(org_id),
        key in facts.world.locks.get(org_id, frozenset()),
    )


def list_settings(access: Access, org_id: str) -> OrgSettings:
    """Every setting the profile declares, and any other key set or locked on the org's path."""
    require_visible(access, Ref("org", org_id))
    facts = setting_facts(access.session, access.tenant_id, org_id)
    keys = dict.fromkeys([*access.profile.settings, *_path_keys(facts)])
    return OrgSettings(org_id, _version(access, org_id), [setting_view(facts, org_id, k) for k in keys])


def _path_keys(facts: Facts) -> list[str]:
    """The keys set or locked anywhere on the loaded path, in key order."""
    world = facts.world
    return sorted({k for org in world.orgs for k in (*world.settings_at(org), *world.locks.get(org, ()))})


@dataclass(frozen=True)
class Changed:
    setting: SettingView  # the key as it applies at the org
    version: int  # the org's version


def get_setting(access: Access, org_id: str, key: str) -> Changed:
    """One key as it applies at the org, with the org's version (for `If-Match` on a write)."""
    require_visible(access, Ref("org", org_id))
    facts = setting_facts(access.session, access.tenant_id, org_id)
    if access.profile.setting(key) is None and key not in _path_keys(facts):
        raise NotFound(
            f"profile {access.profile.id} has no setting {key!r}",
            code="setting_not_found",
            details={"key": key},
        )
    return Changed(setting_view(facts, org_id, key), _version(access, org_id))


def put_setting(
    access: Access, org_id: str, key: str, value: object, *, locked: bool | None = None, expected: int | None
) -> Changed:
    """Write `key: value` at the org (and lock or unlock it there when `locked` is given); `expected`, when
    given, is the org version the write is based on."""
    target = Ref("org", org_id)
    permission = _setter(access, org_id, key)
    decision = authorize(access, permission, target)
    written = set_setting(access.session, access.tenant_id, org_id, key, value, locked=locked)
    version = update_versioned(access.session, t.Org, access.tenant_id, org_id, expected=expected, values={})
    details = {"key": key, "value": value, "locked": written.locked}
    audit.record(access, permission, target, decision=decision, details=details)
    return Changed(
        setting_view(setting_facts(access.session, access.tenant_id, org_id), org_id, key), version
    )


def delete_setting(access: Access, org_id: str, key: str, *, expected: int) -> Changed:
    """Remove the org's own value and lock for `key`: it inherits the value from above again."""
    target = Ref("org", org_id)
    permission = _setter(access, org_id, key)
    decision = authorize(access, permission, target)
    clear_setting(access.session, access.tenant_id, org_id, key)
    version = update_versioned(access.session, t.Org, access.tenant_id, org_id, expected=expected, values={})
    audit.record(access, permission, target, decision=decision, details={"key": key, "removed": True})
    return Changed(
        setting_view(setting_facts(access.session, access.tenant_id, org_id), org_id, key), version
    )


def _setter(access: Access, org_id: str, key: str) -> str:
    """The permission that writes `key`; an unknown key is invalid, a key nobody sets is forbidden."""
    declared = access.profile.setting(key)
    if declared is not None and declared.set_by is not None:
        return declared.set_by
    target = Ref("org", org_id)
    require_visible(access, target)
    if declared is None:
        raise InvalidInput(
            f"profile {access.profile.id} declares no setting {key!r}",
            code="unknown_setting",
            details={"key": key},
        )
    message = (
        f"{key} is license configuration: no permission sets it, so no account may change it; "
        "an operator sets it with the command line"
    )
    check = Check(access.actor, SETTING_WRITE, target)
    access.denials.append(audit.denial(access, check, deny(NO_SETTER, message)))
    raise Forbidden(message, code="setting_not_settable", details={"key": key, "rule": NO_SETTER})


def _version(access: Access, org_id: str) -> int:
    row = access.session.get(t.Org, (access.tenant_id, org_id))
    return row.version if row is not None else 0
