"""Products and pathways of students, as the Maple Valley (math) and Riverbend (literacy) personas."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant

from homeroom.errors import Forbidden, InvalidInput, NotFound
from homeroom.services import products
from homeroom.store import tables as t

pytestmark = pytest.mark.db


def _products(tenant: Tenant, student: str) -> list[str]:
    p = t.StudentProduct
    query = select(p.product).where(p.tenant_id == tenant.id, p.student_id == student).order_by(p.product)
    return tenant.read(lambda s: list(s.scalars(query)))


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None]]:
    a = t.AuditEntry
    rows = tenant.read(lambda s: list(s.scalars(select(a).where(a.tenant_id == tenant.id).order_by(a.seq))))
    return [(r.action, r.allowed, r.target_id) for r in rows]


def test_a_teacher_assigns_and_unassigns_a_product_to_his_student(math: Tenant) -> None:
    view = math.as_("tomas_teacher", lambda a: products.assign_product(a, "sam_student", "math_facts"))
    assert [(p.id, p.name, p.assigned_by) for p in view.products] == [
        ("math_facts", "Imagine Math Facts", "tomas_teacher")
    ]
    assert _products(math, "sam_student") == ["math_facts"]
    again = math.as_("tomas_teacher", lambda a: products.assign_product(a, "sam_student", "math_facts"))
    assert [p.id for p in again.products] == ["math_facts"]  # idempotent
    math.as_("tomas_teacher", lambda a: products.unassign_product(a, "sam_student", "math_facts"))
    assert _products(math, "sam_student") == []
    assert _audit(math).count(("student.assign_product", True, "sam_student")) == 3


def test_another_teachers_student_is_not_found_and_nothing_changes(math: Tenant) -> None:
    with pytest.raises(NotFound, match="there is no user 'sofia_student'"):
        math.as_("tomas_teacher", lambda a: products.assign_product(a, "sofia_student", "math_facts"))
    assert _products(math, "sofia_student") == []
    assert ("student.assign_product", False, "sofia_student") in _audit(math)


def test_products_go_to_students_only(math: Tenant) -> None:
    with pytest.raises(Forbidden):  # a staff account is visible to the principal, but is no student
        math.as_("priya_principal", lambda a: products.assign_product(a, "tomas_teacher", "math_facts"))
    assert ("student.assign_product", False, "tomas_teacher") in _audit(math)


def test_unknown_products_are_invalid_after_authorization(math: Tenant) -> None:
    with pytest.raises(InvalidInput, match="product 'espanol' is not offered in math") as raised:
        math.as_("tomas_teacher", lambda a: products.assign_product(a, "sam_student", "espanol"))
    assert raised.value.details["expected"] == ["imagine_math", "math_facts", "parent_portal"]
    with pytest.raises(NotFound):  # a denied caller learns nothing about the catalog
        math.as_("tomas_teacher", lambda a: products.assign_product(a, "sofia_student", "espanol"))


def test_literacy_teachers_assign_their_products(tenant_of: Callable[[str], Tenant]) -> None:
    riverbend = tenant_of("literacy")
    view = riverbend.as_("tomas_teacher", lambda a: products.assign_product(a, "sam_student", "espanol"))
    assert [p.name for p in view.products] == ["Imagine Español"]
    read = riverbend.as_("priya_principal", lambda a: products.get_offerings(a, "sam_student"))
    assert [p.id for p in read.products] == ["espanol"]
    with pytest.raises(NotFound):
        riverbend.as_("tomas_teacher", lambda a: products.get_offerings(a, "sofia_student"))


def test_pathways_are_enrolled_and_replaced(math: Tenant) -> None:
    first = math.as_("tomas_teacher", lambda a: products.enroll_pathway(a, "sam_student", "grade_4"))
    assert first.pathway == "grade_4"
    second = math.as_("priya_principal", lambda a: products.enroll_pathway(a, "sam_student", "grade_5"))
    assert second.pathway == "grade_5"
    w = t.StudentPathway
    query = select(w.pathway, w.enrolled_by).where(w.tenant_id == math.id, w.student_id == "sam_student")
    assert math.read(lambda s: [tuple(r) for r in s.execute(query)]) == [("grade_5", "priya_principal")]
    with pytest.raises(InvalidInput, match="pathway 'prek' is not offered in math"):
        math.as_("tomas_teacher", lambda a: products.enroll_pathway(a, "sam_student", "prek"))


def test_literacy_has_no_pathways(tenant_of: Callable[[str], Tenant]) -> None:
    riverbend = tenant_of("literacy")
    with pytest.raises(Forbidden, match="enroll_pathway"):  # not in the profile: denied for everyone
        riverbend.as_("dana_district", lambda a: products.enroll_pathway(a, "sam_student", "grade_4"))
