"""Class use cases as the demo personas: authorized, validated, written, audited, all or nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from tests.services.conftest import Tenant

from homeroom.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from homeroom.services import classes
from homeroom.services.classes import ClassChanges, NewClass, NewStudent
from homeroom.store import tables as t

pytestmark = pytest.mark.db


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None]]:
    query = select(t.AuditEntry).where(t.AuditEntry.tenant_id == tenant.id).order_by(t.AuditEntry.seq)
    return [(r.action, r.allowed, r.target_id) for r in tenant.read(lambda s: list(s.scalars(query)))]


def _user(tenant: Tenant, user_id: str) -> tuple[str, int]:
    row = tenant.read(lambda s: s.get(t.User, (tenant.id, user_id)))
    assert row is not None
    return row.deleted, row.version


def _count(tenant: Tenant, table: type[t.User | t.SchoolClass]) -> int:
    query = select(func.count()).select_from(table).where(table.tenant_id == tenant.id)
    return tenant.read(lambda s: s.scalar(query) or 0)


def test_lists_are_what_each_persona_may_manage(math: Tenant) -> None:
    def ids(
        persona: str, permission: str | None = None, after: str | None = None, limit: int = 50
    ) -> list[str]:
        found = math.as_(
            persona, lambda a: classes.list_classes(a, permission=permission, after=after, limit=limit)
        )
        return [c.id for c in found.items]

    assert ids("tomas_teacher") == ["math_4a"]
    assert ids("priya_principal") == ["math_4a", "math_4b"]
    assert ids("dana_district") == ["algebra_7", "math_4a", "math_4b"]
    assert ids("dana_district", after="algebra_7", limit=1) == ["math_4a"]
    assert ids("tomas_teacher", permission="class.assign_teacher") == []


def test_without_a_class_permission_lists_show_what_one_may_see(tenant_of: Callable[[str], Tenant]) -> None:
    cedar = tenant_of("district-license")

    def ids(persona: str) -> list[str]:
        return [c.id for c in cedar.as_(persona, classes.list_classes).items]

    cedar.as_("emma_educator", lambda a: classes.create_class(a, NewClass("oak_elem", "Chess", id="chess")))
    assert ids("emma_educator") == ["chess", "reading_club"]
    assert ids("dana_district") == ["chess", "reading_club"]
    assert ids("sam_student") == [
        "chess",
        "reading_club",
    ]  # held at oak_elem, the district-license student role
    assert ids("eli_educator") == []
    with pytest.raises(NotFound):
        cedar.as_("eli_educator", lambda a: classes.get_class(a, "chess"))
    assert cedar.as_("dana_district", lambda a: classes.get_class(a, "chess")).teachers == ("emma_educator",)
    assert cedar.as_("eli_educator", lambda a: classes.list_classes(a, permission="class.create")).items == []


def test_a_class_shows_its_roster(math: Tenant) -> None:
    view = math.as_("tomas_teacher", lambda a: classes.get_class(a, "math_4a"))
    assert (view.school, view.status, view.version) == ("lincoln_elem", "active", 1)
    assert view.teachers == ("tomas_teacher",)
    assert view.students == ("sam_student",)


def test_another_school_s_class_is_not_found_a_colleague_s_is_forbidden(math: Tenant) -> None:
    with pytest.raises(NotFound, match="there is no class 'algebra_7'"):
        math.as_("tomas_teacher", lambda a: classes.get_class(a, "algebra_7"))
    with pytest.raises(Forbidden) as raised:
        math.as_("tomas_teacher", lambda a: classes.get_class(a, "math_4b"))
    assert raised.value.details["rule"] == "scope"
    assert ("class.manage", False, "algebra_7") in _audit(math)
    assert ("class.manage", False, "math_4b") in _audit(math)


def test_a_teacher_creating_a_class_teaches_it(math: Tenant) -> None:
    new = NewClass("lincoln_elem", "Math 4C", id="math_4c")
    view = math.as_("tomas_teacher", lambda a: classes.create_class(a, new))
    assert (view.name, view.created_by, view.teachers) == ("Math 4C", "tomas_teacher", ("tomas_teacher",))
    assert _user(math, "tomas_teacher")[1] == 2
    assert ("class.create", True, "math_4c") in _audit(math)


def test_an_administrator_creating_a_class_does_not_teach_it(math: Tenant) -> None:
    view = math.as_("priya_principal", lambda a: classes.create_class(a, NewClass("lincoln_elem", "Art")))
    assert view.id.startswith("c-")
    assert view.teachers == ()


def test_a_denied_create_writes_nothing_and_is_audited(math: Tenant) -> None:
    before = _count(math, t.SchoolClass)
    with pytest.raises(NotFound, match="there is no org 'roosevelt_ms'"):
        math.as_("tomas_teacher", lambda a: classes.create_class(a, NewClass("roosevelt_ms", "X")))
    with pytest.raises(Forbidden) as raised:  # a district is not a school (P-SCHOOL)
        math.as_("dana_district", lambda a: classes.create_class(a, NewClass("maple_valley", "X")))
    assert raised.value.details["rule"] == "P-SCHOOL"
    assert _count(math, t.SchoolClass) == before
    assert ("class.create", False, "roosevelt_ms") in _audit(math)


def test_a_duplicate_id_is_a_conflict(math: Tenant) -> None:
    with pytest.raises(Conflict, match="math_4a"):
        math.as_("priya_principal", lambda a: classes.create_class(a, NewClass("lincoln_elem", id="math_4a")))


def test_rename_and_deactivate_with_versions(math: Tenant) -> None:
    renamed = math.as_(
        "tomas_teacher", lambda a: classes.edit_class(a, "math_4a", ClassChanges(name="4A"), expected=1)
    )
    assert (renamed.name, renamed.version) == ("4A", 2)
    with pytest.raises(StaleVersion):
        math.as_(
            "tomas_teacher", lambda a: classes.edit_class(a, "math_4a", ClassChanges(name="B"), expected=1)
        )
    change = ClassChanges(status="inactive")
    inactive = math.as_("tomas_teacher", lambda a: classes.edit_class(a, "math_4a", change, expected=2))
    assert (inactive.name, inactive.status, inactive.version) == ("4A", "inactive", 3)
    assert ("class.set_active", True, "math_4a") in _audit(math)


def test_bad_status_and_empty_changes_are_invalid(math: Tenant) -> None:
    with pytest.raises(InvalidInput, match="status must be one of"):
        math.as_(
            "tomas_teacher",
            lambda a: classes.edit_class(a, "math_4a", ClassChanges(status="closed"), expected=1),
        )
    with pytest.raises(InvalidInput, match="nothing to change"):
        math.as_("tomas_teacher", lambda a: classes.edit_class(a, "math_4a", ClassChanges(), expected=1))
    assert math.as_("tomas_teacher", lambda a: classes.get_class(a, "math_4a")).status == "active"


def test_delete_is_soft_and_only_where_the_profile_has_it(tenant_of: Callable[[str], Tenant]) -> None:
    literacy = tenant_of("literacy")
    literacy.as_("tomas_teacher", lambda a: classes.delete_class(a, "bluebirds", expected=1))
    with pytest.raises(NotFound):
        literacy.as_("tomas_teacher", lambda a: classes.get_class(a, "bluebirds"))
    row = literacy.read(lambda s: s.get(t.SchoolClass, (literacy.id, "bluebirds")))
    assert row is not None
    assert (row.deleted, row.version) == ("soft", 2)
    math = tenant_of("math")
    with pytest.raises(Forbidden) as raised:
        math.as_("priya_principal", lambda a: classes.delete_class(a, "math_4a", expected=1))
    assert raised.value.details["rule"] == "unknown permission"


def test_assign_and_unassign_a_teacher(math: Tenant) -> None:
    view = math.as_("priya_principal", lambda a: classes.assign_teacher(a, "math_4a", "tara_teacher"))
    assert view.teachers == ("tara_teacher", "tomas_teacher")
    assert view.version == 2
    assert _user(math, "tara_teacher")[1] == 2
    view = math.as_("priya_principal", lambda a: classes.unassign_teacher(a, "math_4a", "tomas_teacher"))
    assert view.teachers == ("tara_teacher",)
    with pytest.raises(Forbidden) as raised:  # no longer teaches it (P-TEACHES)
        math.as_("priya_principal", lambda a: classes.unassign_teacher(a, "math_4a", "tomas_teacher"))
    assert raised.value.details["rule"] == "P-TEACHES"


def test_teachers_do_not_assign_teachers(math: Tenant) -> None:
    with pytest.raises(Forbidden) as raised:
        math.as_("tomas_teacher", lambda a: classes.assign_teacher(a, "math_4a", "tomas_teacher"))
    assert raised.value.details["rule"] == "no grant"
    with pytest.raises(Forbidden) as raised:  # Rosa holds no role over Lincoln
        math.as_("dana_district", lambda a: classes.assign_teacher(a, "math_4a", "rosa_teacher"))
    assert raised.value.details["rule"] == "P-TEACHES"
    assert math.as_("dana_district", lambda a: classes.get_class(a, "math_4a")).teachers == ("tomas_teacher",)


def test_add_an_existing_student_of_the_same_school(math: Tenant) -> None:
    view = math.as_("tomas_teacher", lambda a: classes.add_existing_student(a, "math_4a", "sofia_student"))
    assert view.students == ("sam_student", "sofia_student")
    with pytest.raises(InvalidInput, match="already enrolled"):
        math.as_("tomas_teacher", lambda a: classes.add_existing_student(a, "math_4a", "sam_student"))
    with pytest.raises(Forbidden) as raised:
        math.as_("dana_district", lambda a: classes.add_existing_student(a, "math_4a", "omar_student"))
    assert raised.value.details["rule"] == "P-SAME-SCHOOL"


def test_a_teacher_adds_a_new_student_to_his_class(math: Tenant) -> None:
    new = NewStudent("newkid", "New", "Kid", id="new_kid")
    view, student = math.as_("tomas_teacher", lambda a: classes.add_new_student(a, "math_4a", new))
    assert student == "new_kid"
    assert view.students == ("new_kid", "sam_student")
    assert view.version == 2
    assert ("class.add_new_student", True, "new_kid") in _audit(math)


def test_the_teacher_gate_closes_adding_new_students(math: Tenant) -> None:
    before = _count(math, t.User)
    with pytest.raises(Forbidden) as raised:
        math.as_("rosa_teacher", lambda a: classes.add_new_student(a, "algebra_7", NewStudent("x")))
    assert raised.value.details["rule"] == "gate teacher_student_creation"
    assert _count(math, t.User) == before
    assert ("class.add_new_student", False, "algebra_7") in _audit(math)


def test_a_failed_add_leaves_the_class_unchanged(math: Tenant) -> None:
    new = NewStudent("kid", id="kid1")
    math.as_("tomas_teacher", lambda a: classes.add_new_student(a, "math_4a", new))
    before = _count(math, t.User)
    with pytest.raises(Conflict, match="username 'kid' is already taken"):
        math.as_("tomas_teacher", lambda a: classes.add_new_student(a, "math_4a", NewStudent("kid")))
    assert _count(math, t.User) == before
    assert math.as_("tomas_teacher", lambda a: classes.get_class(a, "math_4a")).version == 2


def test_without_add_new_student_the_profile_uses_student_create(tenant_of: Callable[[str], Tenant]) -> None:
    literacy = tenant_of("literacy")
    new = NewStudent("pip", id="pip")
    view, _ = literacy.as_("tomas_teacher", lambda a: classes.add_new_student(a, "bluebirds", new))
    assert view.students == ("pip", "sam_student")
    assert ("student.create", True, "pip") in _audit(literacy)


def test_remove_a_student_keeps_the_account(tenant_of: Callable[[str], Tenant]) -> None:
    literacy = tenant_of("literacy")
    view = literacy.as_("tomas_teacher", lambda a: classes.remove_student(a, "bluebirds", "sam_student"))
    assert view.students == ()
    assert _user(literacy, "sam_student") == ("none", 2)
    with pytest.raises(Forbidden) as raised:
        literacy.as_("priya_principal", lambda a: classes.remove_student(a, "bluebirds", "sofia_student"))
    assert raised.value.details["rule"] == "P-ENROLLED"


def test_delete_the_inactive_students_of_a_class(math: Tenant) -> None:
    assert math.as_("dana_district", lambda a: classes.delete_inactive_students(a, "math_4a")) == []
    deleted = math.as_("rosa_teacher", lambda a: classes.delete_inactive_students(a, "algebra_7"))
    assert deleted == ["omar_student"]
    assert _user(math, "omar_student") == ("soft", 2)
    view = math.as_("dana_district", lambda a: classes.get_class(a, "algebra_7"))
    assert (view.students, view.version) == ((), 2)
    assert ("class.delete_inactive_students", True, "omar_student") in _audit(math)
    with pytest.raises(NotFound):
        math.as_("tomas_teacher", lambda a: classes.delete_inactive_students(a, "algebra_7"))
