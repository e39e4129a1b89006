"""The catalog and profile data files, and the checks that keep them consistent."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from homeroom.errors import InvalidProfile, NotFound
from homeroom.policy import registry
from homeroom.policy.catalog import build_catalog, parse_kinds
from homeroom.policy.profiles import build_profile, format_scope, parse_scope
from homeroom.policy.registry import _read


def test_the_catalog_holds_the_114_permission_ids() -> None:
    permissions = registry.catalog().permissions
    assert len(permissions) == 114
    assert permissions["class.assign_teacher"].one_of == frozenset({"to", "from"})
    assert permissions["user.create"].optional == frozenset({"role"})
    assert str(permissions["school_group.manage"].target[0]) == "org(customer | district | school_group)"
    assert (permissions["role.grant"].resource, permissions["role.grant"].verb) == ("role", "grant")


@pytest.mark.parametrize(
    ("profile_id", "ids", "roles"),
    [
        ("district-license", 16, 4),
        ("math", 41, 4),
        ("math-prek2", 38, 4),
        ("literacy", 26, 2),
        ("assessment-platform", 56, 17),
    ],
)
def test_each_profile_has_its_chart_and_implied_views(profile_id: str, ids: int, roles: int) -> None:
    profile = registry.profile(profile_id)
    assert len(profile.permission_ids) == ids
    assert len(profile.roles) == roles


def test_edit_implies_view_at_the_same_scope() -> None:
    literacy = registry.profile("literacy")
    assert literacy.cell("teacher", "student.view") == frozenset({"assigned"})
    assert literacy.cell("teacher", "staff.view") == frozenset({"self"})
    assert literacy.implied_view("class.edit") is None


def test_unknown_profiles_are_not_found() -> None:
    with pytest.raises(NotFound, match="unknown profile 'chess'"):
        registry.profile("chess")


def test_scopes_parse_and_format() -> None:
    assert parse_scope("assigned, created") == frozenset({"assigned", "created"})
    assert format_scope(frozenset({"created", "assigned"})) == "assigned, created"
    assert format_scope(frozenset()) == "-"
    with pytest.raises(InvalidProfile, match="unknown scope"):
        parse_scope("galaxy")


def test_kind_specs_must_be_readable() -> None:
    with pytest.raises(InvalidProfile, match="cannot read the kind"):
        parse_kinds("org(")


def _math() -> dict[str, Any]:
    return copy.deepcopy(_read("profiles/math.yaml"))


def _broken(mutate: Any) -> dict[str, Any]:
    data = _math()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(rank_mode="feudal"), "rank_mode"),
        (lambda d: d["columns"].pop(), "columns must be exactly the roles"),
        (lambda d: d["rows"][0].update(ids=["school.fly"]), "unknown ids"),
        (lambda d: d["rows"][0]["cells"].pop(), "wrong cell count"),
        (lambda d: d["roles"][0].update(account="robot"), "bad account kind"),
        (lambda d: d["rows"][14].update(cells=["-", "-", "-", "-"]), "rows for roster.bulk_import disagree"),
        (lambda d: d["settings"][0].update(type="colour"), "bad type or setter"),
        (lambda d: d["settings"][0].update(set_by="org.fly"), "bad type or setter"),
    ],
)
def test_inconsistent_profile_data_fails_at_load(mutate: Any, message: str) -> None:
    with pytest.raises(InvalidProfile, match=message):
        build_profile(_broken(mutate), registry.catalog())


def test_inconsistent_catalog_data_fails_at_load() -> None:
    data = copy.deepcopy(_read("catalog.yaml"))
    data["permissions"]["article.create"]["constraints"] = ["R9"]
    with pytest.raises(InvalidProfile, match=r"article\.create names unknown"):
        build_catalog(data)


def test_setting_types() -> None:
    math = registry.profile("math")
    assert math.settings["sin_min_length"].accepts(None)
    assert math.settings["sin_min_length"].accepts(8)
    assert not math.settings["sin_min_length"].accepts(True)
    assert math.setting("colour") is None
    district = registry.profile("district-license")
    assert district.setting("comments_allowed") is not None
    assert district.setter_keys("org.edit_settings") == ()
    assert math.setter_keys("org.set_sin_required") == ("sin_required",)
