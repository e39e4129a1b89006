"""Account use cases as the Maple Valley personas: authorized, validated, written, audited, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.services.conftest import Tenant

from homeroom.errors import Forbidden, InvalidInput, NotFound, StaleVersion
from homeroom.services import accounts
from homeroom.services.accounts import AccountChanges, NewAccount
from homeroom.services.audit import verify
from homeroom.store import tables as t

pytestmark = pytest.mark.db


def _count_users(tenant: Tenant) -> int:
    return tenant.read(lambda s: s.scalar(select(func.count()).where(t.User.tenant_id == tenant.id)) or 0)


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None]]:
    query = select(t.AuditEntry).where(t.AuditEntry.tenant_id == tenant.id)
    rows = tenant.read(lambda s: list(s.scalars(query)))
    return [(r.action, r.allowed, r.target_id) for r in rows]


def test_teacher_creates_a_student_in_his_class(math: Tenant) -> None:
    new = NewAccount("student", "newkid", "New", "Kid", password="abcd", classes=("math_4a",))
    created = math.as_("tomas_teacher", lambda a: accounts.create_account(a, new))
    assert created.account.enrolled_in == ("math_4a",)
    assert created.account.orgs == ("lincoln_elem",)
    assert created.account.created_by == "tomas_teacher"
    assert ("student.create", True, created.account.id) in _audit(math)


def test_a_denied_create_writes_nothing_but_is_audited(math: Tenant) -> None:
    before = _count_users(math)
    new = NewAccount("student", "x1", classes=("algebra_7",))
    with pytest.raises(NotFound, match="class 'algebra_7'"):  # another school's class: not even visible
        math.as_("tomas_teacher", lambda a: accounts.create_account(a, new))
    assert _count_users(math) == before
    assert ("student.create", False, "algebra_7") in _audit(math)


def test_forbidden_when_the_object_is_visible(math: Tenant) -> None:
    change = AccountChanges(status="inactive")
    with pytest.raises(Forbidden, match="does not rank strictly below") as raised:
        math.as_("priya_principal", lambda a: accounts.edit_account(a, "paul_principal", change, expected=1))
    assert raised.value.details["rule"] == "R1"


def test_bulk_create_is_all_or_nothing(math: Tenant) -> None:
    before = _count_users(math)
    batch = [
        NewAccount("staff", "t1", role="teacher", org="lincoln_elem"),
        NewAccount("staff", "t2", role="teacher", org="lincoln_elem", password="short"),
    ]
    with pytest.raises(InvalidInput, match=r"accounts\[1\]: a staff password needs 8"):
        math.as_("priya_principal", lambda a: accounts.create_staff_bulk(a, batch))
    assert _count_users(math) == before


def test_stale_version_is_refused(math: Tenant) -> None:
    change = AccountChanges(values={"given_name": "Samuel"})
    view = math.as_("tomas_teacher", lambda a: accounts.edit_account(a, "sam_student", change, expected=1))
    assert view.version == 2
    with pytest.raises(StaleVersion):
        math.as_("tomas_teacher", lambda a: accounts.edit_account(a, "sam_student", change, expected=1))


def test_audit_chain_verifies(math: Tenant) -> None:
    math.as_("tomas_teacher", lambda a: accounts.get_account(a, "sam_student"))
    with pytest.raises(NotFound):
        math.as_("tomas_teacher", lambda a: accounts.get_account(a, "sofia_student"))
    result = math.read(lambda s: verify(s, math.id))
    assert result.intact, result.problems
    assert result.entries == 2
