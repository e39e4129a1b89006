"""Org settings as the demo personas: inheritance, overrides, locks, setter permissions, gates."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant

from homeroom.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from homeroom.services import classes, org_settings, orgs
from homeroom.services.classes import NewStudent
from homeroom.services.org_settings import SettingView
from homeroom.services.orgs import NewOrg
from homeroom.store import tables as t
from homeroom.store.settings import set_setting

pytestmark = pytest.mark.db

CREATION = "teacher_student_creation"


def _setting(tenant: Tenant, persona: str, org: str, key: str) -> SettingView:
    found = tenant.as_(persona, lambda a: org_settings.list_settings(a, org))
    return next(item for item in found.items if item.key == key)


def _put(
    tenant: Tenant, persona: str, org: str, value: object, *, expected: int, locked: bool | None = None
) -> SettingView:
    return tenant.as_(
        persona,
        lambda a: org_settings.put_setting(a, org, CREATION, value, locked=locked, expected=expected),
    ).setting


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None]]:
    query = select(t.AuditEntry).where(t.AuditEntry.tenant_id == tenant.id).order_by(t.AuditEntry.seq)
    return [(r.action, r.allowed, r.target_id) for r in tenant.read(lambda s: list(s.scalars(query)))]


def test_every_declared_setting_is_listed_with_its_source(math: Tenant) -> None:
    found = math.as_("tomas_teacher", lambda a: org_settings.list_settings(a, "lincoln_elem"))
    assert [i.key for i in found.items] == [CREATION, "second_languages", "sin_required", "sin_min_length"]
    creation = found.items[0]
    assert (creation.value, creation.source, creation.locked_at) == (True, None, None)
    assert (creation.set_by, creation.settable_here) == ("org.set_teacher_student_creation", True)
    roosevelt = _setting(math, "dana_district", "roosevelt_ms", CREATION)
    assert (roosevelt.value, roosevelt.source, roosevelt.set_here) == (False, "roosevelt_ms", True)
    with pytest.raises(NotFound):
        math.as_("tomas_teacher", lambda a: org_settings.list_settings(a, "roosevelt_ms"))


def test_district_default_and_school_override(math: Tenant) -> None:
    _put(math, "carol_customer", "maple_valley", value=False, expected=1)
    lincoln = _setting(math, "tomas_teacher", "lincoln_elem", CREATION)
    assert (lincoln.value, lincoln.source, lincoln.set_here) == (False, "maple_valley", False)
    override = _put(math, "carol_customer", "lincoln_elem", value=True, expected=1)
    assert (override.value, override.source, override.set_here) == (True, "lincoln_elem", True)
    assert ("org.set_teacher_student_creation", True, "lincoln_elem") in _audit(math)


def test_a_lock_freezes_the_subtree(math: Tenant) -> None:
    _put(math, "carol_customer", "lincoln_elem", value=True, expected=1)
    locked = _put(math, "carol_customer", "maple_valley", value=False, expected=1, locked=True)
    assert (locked.locked_here, locked.locked_at) == (True, "maple_valley")
    lincoln = _setting(math, "tomas_teacher", "lincoln_elem", CREATION)
    assert (lincoln.value, lincoln.source, lincoln.locked_at) == (False, "maple_valley", "maple_valley")
    with pytest.raises(Conflict) as raised:
        _put(math, "carol_customer", "lincoln_elem", value=True, expected=2)
    assert (raised.value.code, raised.value.details["locked_at"]) == ("setting_locked", "maple_valley")
    unlocked = _put(math, "carol_customer", "maple_valley", value=False, expected=2, locked=False)
    assert unlocked.locked_at is None
    assert _setting(math, "tomas_teacher", "lincoln_elem", CREATION).source == "lincoln_elem"


def test_only_the_setter_permission_writes(math: Tenant) -> None:
    with pytest.raises(Forbidden) as raised:
        _put(math, "dana_district", "lincoln_elem", value=False, expected=1)
    assert raised.value.details["rule"] == "no grant"
    assert ("org.set_teacher_student_creation", False, "lincoln_elem") in _audit(math)
    assert _setting(math, "dana_district", "lincoln_elem", CREATION).value is True


def test_values_are_typed_and_set_only_where_declared(math: Tenant) -> None:
    with pytest.raises(InvalidInput, match="takes a bool value"):
        _put(math, "carol_customer", "lincoln_elem", value="yes", expected=1)
    math.as_("carol_customer", lambda a: orgs.create_org(a, NewOrg("school_group", "maple_valley", id="g")))
    with pytest.raises(InvalidInput, match="not at a school_group"):
        _put(math, "carol_customer", "g", value=False, expected=1)
    with pytest.raises(InvalidInput) as raised:
        math.as_(
            "carol_customer", lambda a: org_settings.put_setting(a, "lincoln_elem", "colour", 1, expected=1)
        )
    assert raised.value.code == "unknown_setting"


def test_writes_are_versioned_with_the_org(math: Tenant) -> None:
    _put(math, "carol_customer", "lincoln_elem", value=False, expected=1)
    with pytest.raises(StaleVersion):
        _put(math, "carol_customer", "lincoln_elem", value=True, expected=1)
    assert math.as_("carol_customer", lambda a: org_settings.list_settings(a, "lincoln_elem")).version == 2
    changed = math.as_(
        "carol_customer",
        lambda a: org_settings.put_setting(a, "lincoln_elem", CREATION, value=True, expected=None),
    )
    assert (changed.version, changed.setting.value) == (3, True)


def test_the_gate_follows_the_setting_at_once(math: Tenant) -> None:
    _put(math, "carol_customer", "lincoln_elem", value=False, expected=1)
    with pytest.raises(Forbidden) as raised:
        math.as_("tomas_teacher", lambda a: classes.add_new_student(a, "math_4a", NewStudent("kid")))
    assert raised.value.details["rule"] == "gate teacher_student_creation"
    math.as_(
        "carol_customer",
        lambda a: org_settings.delete_setting(a, "roosevelt_ms", CREATION, expected=1),
    )
    assert _setting(math, "rosa_teacher", "roosevelt_ms", CREATION).source is None
    _, kid = math.as_("rosa_teacher", lambda a: classes.add_new_student(a, "algebra_7", NewStudent("kid")))
    assert kid.startswith("u-")


def test_removing_what_is_not_set_is_not_found(math: Tenant) -> None:
    with pytest.raises(NotFound) as raised:
        math.as_(
            "carol_customer", lambda a: org_settings.delete_setting(a, "lincoln_elem", CREATION, expected=1)
        )
    assert raised.value.code == "setting_not_set"


def test_license_configuration_is_set_by_operators_only(tenant_of: Callable[[str], Tenant]) -> None:
    cedar = tenant_of("district-license")
    key = "manual_account_creation"
    with pytest.raises(Forbidden) as raised:
        cedar.as_(
            "dana_district", lambda a: org_settings.put_setting(a, "cedar_falls", key, False, expected=1)
        )
    assert (raised.value.code, raised.value.details["rule"]) == ("setting_not_settable", "no setter")
    assert ("setting.write", False, "cedar_falls") in _audit(cedar)
    cedar.read(lambda s: set_setting(s, cedar.id, "cedar_falls", key, False))
    found = _setting(cedar, "dana_district", "cedar_falls", key)
    assert (found.value, found.source, found.set_by) == (False, "cedar_falls", None)


def test_open_settings_take_any_key(tenant_of: Callable[[str], Tenant]) -> None:
    cedar = tenant_of("district-license")
    view = cedar.as_(
        "priya_principal",
        lambda a: org_settings.put_setting(a, "oak_elem", "school_year", "2026-27", expected=1),
    ).setting
    assert (view.value, view.set_by, view.source) == ("2026-27", "org.edit_settings", "oak_elem")
    keys = [
        i.key for i in cedar.as_("dana_district", lambda a: org_settings.list_settings(a, "oak_elem")).items
    ]
    assert keys == ["manual_account_creation", "school_year"]
    with pytest.raises(NotFound):
        cedar.as_(
            "priya_principal",
            lambda a: org_settings.put_setting(a, "pine_high", "school_year", "x", expected=1),
        )
