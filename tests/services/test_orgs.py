"""Org use cases as the demo personas: who sees which orgs, school groups, school information."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant

from homeroom.errors import Forbidden, InvalidInput, NotFound, StaleVersion
from homeroom.services import orgs
from homeroom.services.orgs import NewOrg, OrgChanges
from homeroom.store import tables as t

pytestmark = pytest.mark.db

GROUP = NewOrg("school_group", "maple_valley", "Elementary", ("lincoln_elem", "roosevelt_ms"), id="elem")


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None]]:
    query = select(t.AuditEntry).where(t.AuditEntry.tenant_id == tenant.id).order_by(t.AuditEntry.seq)
    return [(r.action, r.allowed, r.target_id) for r in tenant.read(lambda s: list(s.scalars(query)))]


def _ids(tenant: Tenant, persona: str, *, after: str | None = None, limit: int = 50) -> list[str]:
    return [o.id for o in tenant.as_(persona, lambda a: orgs.list_orgs(a, after=after, limit=limit)).items]


def test_each_persona_sees_its_subtree_and_the_orgs_above(math: Tenant) -> None:
    assert _ids(math, "tomas_teacher") == ["lincoln_elem", "maple_valley", "northwind"]
    assert _ids(math, "dana_district") == ["lincoln_elem", "maple_valley", "northwind", "roosevelt_ms"]
    assert _ids(math, "rosa_teacher", after="maple_valley", limit=1) == ["northwind"]


def test_an_org_out_of_sight_is_not_found(math: Tenant) -> None:
    district = math.as_("tomas_teacher", lambda a: orgs.get_org(a, "maple_valley"))
    assert (district.kind, district.parent, district.active, district.version) == (
        "district",
        "northwind",
        True,
        1,
    )
    with pytest.raises(NotFound, match="there is no org 'roosevelt_ms'"):
        math.as_("tomas_teacher", lambda a: orgs.get_org(a, "roosevelt_ms"))


def test_a_district_administrator_makes_a_school_group(math: Tenant) -> None:
    group = math.as_("dana_district", lambda a: orgs.create_org(a, GROUP))
    assert (group.kind, group.parent, group.name) == ("school_group", "maple_valley", "Elementary")
    assert group.schools == ("lincoln_elem", "roosevelt_ms")
    assert "elem" in _ids(math, "dana_district")
    assert "elem" not in _ids(math, "priya_principal")
    assert ("school_group.manage", True, "elem") in _audit(math)


def test_school_group_members_must_be_schools_under_its_parent(math: Tenant) -> None:
    bad = NewOrg("school_group", "maple_valley", "Bad", ("lincoln_elem", "maple_valley"))
    with pytest.raises(InvalidInput, match="'maple_valley' is not a school of this tenant"):
        math.as_("dana_district", lambda a: orgs.create_org(a, bad))
    with pytest.raises(NotFound):
        math.as_("dana_district", lambda a: orgs.get_org(a, "bad"))


def test_a_principal_may_not_make_school_groups(math: Tenant) -> None:
    with pytest.raises(Forbidden) as raised:
        math.as_("priya_principal", lambda a: orgs.create_org(a, GROUP))
    assert raised.value.details["rule"] == "no grant"
    assert ("school_group.manage", False, "maple_valley") in _audit(math)
    assert "elem" not in _ids(math, "dana_district")


def test_districts_and_schools_are_not_created_here(math: Tenant) -> None:
    with pytest.raises(InvalidInput) as raised:
        math.as_("carol_customer", lambda a: orgs.create_org(a, NewOrg("school", "maple_valley", "New")))
    assert raised.value.code == "org_kind_not_creatable"


def test_organizations_nest_on_the_assessment_platform(tenant_of: Callable[[str], Tenant]) -> None:
    acme = tenant_of("assessment-platform")
    made = acme.as_("ada_admin", lambda a: orgs.create_org(a, NewOrg("organization", "acme", "Asia")))
    assert (made.kind, made.parent) == ("organization", "acme")
    with pytest.raises(Forbidden) as raised:  # `org` scope: children of her own org only
        acme.as_("ada_admin", lambda a: orgs.create_org(a, NewOrg("organization", "acme_europe", "X")))
    assert raised.value.details["rule"] == "scope"


def test_school_information_and_status(math: Tenant) -> None:
    renamed = math.as_(
        "dana_district", lambda a: orgs.edit_org(a, "lincoln_elem", OrgChanges(name="Lincoln"), expected=1)
    )
    assert (renamed.name, renamed.version) == ("Lincoln", 2)
    with pytest.raises(StaleVersion):
        math.as_(
            "dana_district", lambda a: orgs.edit_org(a, "lincoln_elem", OrgChanges(name="L"), expected=1)
        )
    with pytest.raises(Forbidden) as raised:  # only customer administrators (de)activate schools
        math.as_(
            "dana_district", lambda a: orgs.edit_org(a, "lincoln_elem", OrgChanges(active=False), expected=2)
        )
    assert raised.value.details["rule"] == "no grant"
    closed = math.as_(
        "carol_customer", lambda a: orgs.edit_org(a, "lincoln_elem", OrgChanges(active=False), expected=2)
    )
    assert (closed.active, closed.name, closed.version) == (False, "Lincoln", 3)


def test_a_district_has_no_information_to_edit(math: Tenant) -> None:
    with pytest.raises(Forbidden) as raised:
        math.as_(
            "dana_district", lambda a: orgs.edit_org(a, "maple_valley", OrgChanges(name="X"), expected=1)
        )
    assert raised.value.details["rule"] == "P-SCHOOL"
    with pytest.raises(NotFound):
        math.as_(
            "tomas_teacher", lambda a: orgs.edit_org(a, "roosevelt_ms", OrgChanges(name="X"), expected=1)
        )


def test_edit_and_delete_a_school_group(math: Tenant) -> None:
    math.as_("dana_district", lambda a: orgs.create_org(a, GROUP))
    change = OrgChanges(name="Lincoln only", schools=("lincoln_elem",))
    edited = math.as_("dana_district", lambda a: orgs.edit_org(a, "elem", change, expected=1))
    assert (edited.name, edited.schools, edited.version) == ("Lincoln only", ("lincoln_elem",), 2)
    with pytest.raises(InvalidInput, match="only schools are activated"):
        math.as_("dana_district", lambda a: orgs.edit_org(a, "elem", OrgChanges(active=False), expected=2))
    math.as_("dana_district", lambda a: orgs.delete_org(a, "elem", expected=2))
    with pytest.raises(NotFound):
        math.as_("dana_district", lambda a: orgs.get_org(a, "elem"))
    assert "elem" not in _ids(math, "dana_district")


def test_only_school_groups_are_deleted(math: Tenant) -> None:
    with pytest.raises(InvalidInput) as raised:
        math.as_("dana_district", lambda a: orgs.delete_org(a, "maple_valley", expected=1))
    assert raised.value.code == "org_not_deletable"
    with pytest.raises(Forbidden) as denied:
        math.as_("dana_district", lambda a: orgs.delete_org(a, "lincoln_elem", expected=1))
    assert denied.value.details["rule"] == "P-GROUP"
    assert _ids(math, "dana_district") == ["lincoln_elem", "maple_valley", "northwind", "roosevelt_ms"]
