"""Classroom settings and motivational programs: each field by its own permission, based on the version."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant
from tests.services.prek2 import Prek2Tenant

from homeroom.errors import Forbidden, InvalidInput, NotFound, StaleVersion
from homeroom.services import class_settings
from homeroom.services.class_settings import Goal, SettingsChange
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t

pytestmark = pytest.mark.db


@pytest.fixture
def prek2(homeroom: Homeroom) -> Tenant:
    return Prek2Tenant(homeroom)


def _row(tenant: Tenant, class_id: str) -> tuple[bool, bool, str] | None:
    s = t.ClassSetting
    query = select(s.calculator, s.avatar_restricted, s.goals).where(
        s.tenant_id == tenant.id, s.class_id == class_id
    )
    row = tenant.read(lambda session: session.execute(query).one_or_none())
    return (bool(row[0]), bool(row[1]), row[2]) if row is not None else None


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None]]:
    a = t.AuditEntry
    rows = tenant.read(lambda s: list(s.scalars(select(a).where(a.tenant_id == tenant.id).order_by(a.seq))))
    return [(r.action, r.allowed, r.target_id) for r in rows]


def test_a_teacher_changes_the_settings_of_his_class(math: Tenant) -> None:
    assert math.as_("tomas_teacher", lambda a: class_settings.get_settings(a, "math_4a")).calculator is True
    change = SettingsChange(calculator=False, goals=(Goal("fractions", 5), Goal("decimals", 3)))
    view = math.as_("tomas_teacher", lambda a: class_settings.edit_settings(a, "math_4a", change, expected=1))
    assert (view.calculator, view.avatar_restricted, view.version) == (False, False, 2)
    assert view.goals == (Goal("fractions", 5), Goal("decimals", 3))
    assert _row(math, "math_4a") == (
        False,
        False,
        '[{"skill": "fractions", "target": 5}, {"skill": "decimals", "target": 3}]',
    )
    audited = _audit(math)
    assert ("class.set_calculator", True, "math_4a") in audited
    assert ("class.set_goals", True, "math_4a") in audited
    later = SettingsChange(avatar_restricted=True)
    view = math.as_(
        "priya_principal", lambda a: class_settings.edit_settings(a, "math_4a", later, expected=2)
    )
    assert (view.calculator, view.avatar_restricted, len(view.goals)) == (False, True, 2)


def test_a_stale_version_changes_nothing(math: Tenant) -> None:
    math.as_(
        "tomas_teacher",
        lambda a: class_settings.edit_settings(a, "math_4a", SettingsChange(calculator=False), expected=1),
    )
    with pytest.raises(StaleVersion, match="is at version 2, not 1"):
        math.as_(
            "tomas_teacher",
            lambda a: class_settings.edit_settings(a, "math_4a", SettingsChange(calculator=True), expected=1),
        )
    assert _row(math, "math_4a") == (False, False, "[]")


def test_another_class_is_forbidden_or_not_found(math: Tenant) -> None:
    change = SettingsChange(calculator=False)
    with pytest.raises(Forbidden):  # a class of his school: visible, not his
        math.as_("tomas_teacher", lambda a: class_settings.edit_settings(a, "math_4b", change, expected=1))
    with pytest.raises(NotFound, match="there is no class 'math_4a'"):  # another school's class
        math.as_("rosa_teacher", lambda a: class_settings.edit_settings(a, "math_4a", change, expected=1))
    assert _row(math, "math_4a") is None
    assert _row(math, "math_4b") is None
    denied = [x for x in _audit(math) if not x[1]]
    assert denied == [("class.set_calculator", False, "math_4b"), ("class.set_calculator", False, "math_4a")]


def test_every_field_needs_its_permission_or_nothing_changes(prek2: Tenant) -> None:
    change = SettingsChange(avatar_restricted=True, calculator=False)  # prek2 has no calculator setting
    with pytest.raises(Forbidden, match="set_calculator"):
        prek2.as_("tomas_teacher", lambda a: class_settings.edit_settings(a, "k_a", change, expected=1))
    assert _row(prek2, "k_a") is None
    view = prek2.as_(
        "tomas_teacher",
        lambda a: class_settings.edit_settings(a, "k_a", SettingsChange(avatar_restricted=True), expected=1),
    )
    assert view.avatar_restricted is True


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        ((Goal("Fractions!", 1),), "goals\\[0\\].skill 'Fractions!' is not a skill id"),
        ((Goal("fractions", 0),), "goals\\[0\\].target 0 is out of range"),
        ((Goal("a", 1), Goal("a", 2)), "goals\\[1\\]: skill 'a' has two goals"),
    ],
)
def test_goals_are_checked(math: Tenant, goals: tuple[Goal, ...], message: str) -> None:
    change = SettingsChange(goals=goals)
    with pytest.raises(InvalidInput, match=message):
        math.as_("tomas_teacher", lambda a: class_settings.edit_settings(a, "math_4a", change, expected=1))
    assert _row(math, "math_4a") is None


def test_an_empty_change_is_invalid(math: Tenant) -> None:
    with pytest.raises(InvalidInput, match="nothing to change"):
        math.as_(
            "tomas_teacher",
            lambda a: class_settings.edit_settings(a, "math_4a", SettingsChange(), expected=1),
        )


def test_the_customer_administrator_runs_motivational_programs(prek2: Tenant) -> None:
    view = prek2.as_(
        "carol_customer", lambda a: class_settings.administer_motivation(a, "k_a", "star_tokens", active=True)
    )
    assert view.motivation == {"star_tokens": True}
    assert view.version == 2
    view = prek2.as_(
        "carol_customer",
        lambda a: class_settings.administer_motivation(a, "k_a", "star_tokens", active=False),
    )
    assert view.motivation == {"star_tokens": False}
    with pytest.raises(Forbidden):  # customer administrators only
        prek2.as_(
            "tomas_teacher",
            lambda a: class_settings.administer_motivation(a, "k_a", "star_tokens", active=True),
        )
    with pytest.raises(InvalidInput, match="motivation program 'tokens' is not offered"):
        prek2.as_(
            "carol_customer", lambda a: class_settings.administer_motivation(a, "k_a", "tokens", active=True)
        )
    assert ("class.administer_motivation", False, "k_a") in _audit(prek2)


def test_math_has_no_motivational_programs(math: Tenant) -> None:
    with pytest.raises(Forbidden, match="administer_motivation"):
        math.as_(
            "carol_customer",
            lambda a: class_settings.administer_motivation(a, "math_4a", "star_tokens", active=True),
        )
