"""Assessments as rows with a history: assign, unassign, reassign, invalidate, read; benchmark windows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant
from tests.services.prek2 import Prek2Tenant

from homeroom.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from homeroom.policy.world import Ref
from homeroom.services import assessments, benchmark_schedules
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t
from homeroom.store.assessments import add_assessment

pytestmark = pytest.mark.db


def _seed(tenant: Tenant, assessment_id: str, kind: str, student: str, number: int | None = None) -> None:
    tenant.read(
        lambda s: add_assessment(s, tenant.id, assessment_id, kind=kind, number=number, student_id=student)
    )


def _row(tenant: Tenant, assessment_id: str) -> tuple[str, int] | None:
    row = tenant.read(lambda s: s.get(t.Assessment, (tenant.id, assessment_id)))
    return (row.deleted, row.version) if row is not None else None


def _events(tenant: Tenant, assessment_id: str) -> list[tuple[int, str, str | None]]:
    h = t.AssessmentEvent
    query = (
        select(h.version, h.event, h.actor_id)
        .where(h.tenant_id == tenant.id, h.assessment_id == assessment_id)
        .order_by(h.version)
    )
    return tenant.read(lambda s: [tuple(r) for r in s.execute(query)])


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None]]:
    a = t.AuditEntry
    rows = tenant.read(lambda s: list(s.scalars(select(a).where(a.tenant_id == tenant.id).order_by(a.seq))))
    return [(r.action, r.allowed, r.target_id) for r in rows]


def test_a_teacher_assigns_and_unassigns_a_benchmark(math: Tenant) -> None:
    view, created = math.as_("tomas_teacher", lambda a: assessments.assign_benchmark(a, "sam_student", 1))
    assert created
    assert (view.kind, view.number, view.student, view.state, view.version) == (
        "benchmark",
        1,
        "sam_student",
        "assigned",
        1,
    )
    again, created = math.as_("tomas_teacher", lambda a: assessments.assign_benchmark(a, "sam_student", 1))
    assert (again.id, created) == (view.id, False)
    with pytest.raises(StaleVersion):
        math.as_("tomas_teacher", lambda a: assessments.unassign_benchmark(a, "sam_student", 1, expected=7))
    math.as_("tomas_teacher", lambda a: assessments.unassign_benchmark(a, "sam_student", 1, expected=1))
    assert _row(math, view.id) == ("soft", 2)
    back, created = math.as_("priya_principal", lambda a: assessments.assign_benchmark(a, "sam_student", 1))
    assert (back.id, created, back.state) == (view.id, False, "assigned")
    assert _events(math, view.id) == [
        (1, "assigned", "tomas_teacher"),
        (2, "unassigned", "tomas_teacher"),
        (3, "assigned", "priya_principal"),
    ]
    assert _audit(math).count(("benchmark.assign", True, "sam_student")) == 3


def test_assigning_is_denied_outside_the_grant(math: Tenant) -> None:
    with pytest.raises(NotFound, match="there is no user 'sofia_student'"):
        math.as_("tomas_teacher", lambda a: assessments.assign_benchmark(a, "sofia_student", 1))
    with pytest.raises(Forbidden):  # customer administrators hold no assessment rows
        math.as_("carol_customer", lambda a: assessments.assign_benchmark(a, "sam_student", 1))
    with pytest.raises(InvalidInput, match="benchmark 7 is not offered in math"):
        math.as_("tomas_teacher", lambda a: assessments.assign_benchmark(a, "sam_student", 7))
    a = t.Assessment
    assert math.read(lambda s: list(s.scalars(select(a.id).where(a.tenant_id == math.id)))) == []
    assert ("benchmark.assign", False, "sofia_student") in _audit(math)
    assert ("benchmark.assign", False, "sam_student") in _audit(math)


def test_unassigning_what_is_not_assigned_is_not_found(math: Tenant) -> None:
    with pytest.raises(NotFound, match="sam_student has no benchmark 2 assigned"):
        math.as_("tomas_teacher", lambda a: assessments.unassign_benchmark(a, "sam_student", 2, expected=1))


def test_reassign_and_invalidate_a_math_benchmark(math: Tenant) -> None:
    _seed(math, "b1", "benchmark", "sam_student", 2)
    view = math.as_("tomas_teacher", lambda a: assessments.invalidate(a, "b1"))
    assert (view.state, view.version) == ("invalidated", 2)
    with pytest.raises(Conflict, match="already invalidated"):
        math.as_("tomas_teacher", lambda a: assessments.invalidate(a, "b1"))
    with pytest.raises(StaleVersion):
        math.as_("tomas_teacher", lambda a: assessments.reassign(a, "b1", expected=1))
    view = math.as_("tomas_teacher", lambda a: assessments.reassign(a, "b1", expected=2))
    assert (view.state, [h.event for h in view.history]) == ("assigned", ["invalidated", "reassigned"])
    assert ("benchmark.invalidate", True, "b1") in _audit(math)
    assert ("benchmark.reassign", True, "b1") in _audit(math)


def test_the_permission_follows_the_kind(math: Tenant) -> None:
    _seed(math, "p1", "pretest", "sam_student")
    view = math.as_("tomas_teacher", lambda a: assessments.reassign(a, "p1"))
    assert [h.event for h in view.history] == ["reassigned"]
    assert ("pretest.reassign", True, "p1") in _audit(math)
    with pytest.raises(Forbidden):  # P-KIND: a pretest is not a benchmark
        math.as_("tomas_teacher", lambda a: assessments.invalidate(a, "p1"))
    assert _row(math, "p1") == ("none", 2)


def test_an_assessment_of_an_invisible_student_is_not_found(math: Tenant) -> None:
    _seed(math, "b9", "benchmark", "sofia_student", 1)
    with pytest.raises(NotFound, match="there is no assessment 'b9'"):
        math.as_("tomas_teacher", lambda a: assessments.reassign(a, "b9"))
    with pytest.raises(NotFound, match="there is no assessment 'b9'"):
        math.as_("tomas_teacher", lambda a: assessments.get_assessment(a, "b9"))
    with pytest.raises(NotFound, match="there is no assessment 'nope'"):
        math.as_("tomas_teacher", lambda a: assessments.reassign(a, "nope"))
    assert _row(math, "b9") == ("none", 1)
    assert ("benchmark.reassign", False, "b9") in _audit(math)


def test_viewers_read_assessments_and_the_reads_are_audited(math: Tenant) -> None:
    _seed(math, "b1", "benchmark", "sam_student", 1)
    _seed(math, "p1", "pretest", "sam_student")
    listed = math.as_("priya_principal", lambda a: assessments.list_assessments(a, "sam_student"))
    assert [(v.id, v.kind, v.state) for v in listed] == [
        ("b1", "benchmark", "assigned"),
        ("p1", "pretest", "assigned"),
    ]
    one = math.as_("tomas_teacher", lambda a: assessments.get_assessment(a, "b1"))
    assert one.student == "sam_student"
    with pytest.raises(NotFound):
        math.as_("tomas_teacher", lambda a: assessments.list_assessments(a, "sofia_student"))
    audited = _audit(math)
    assert ("student.view", True, "sam_student") in audited
    assert ("student.view", True, "b1") in audited


@pytest.fixture
def prek2(homeroom: Homeroom) -> Tenant:
    return Prek2Tenant(homeroom)


def test_prek2_benchmark_numbers(prek2: Tenant) -> None:
    assert prek2.as_("tomas_teacher", lambda a: assessments.reassign(a, "bm1")).state == "assigned"
    with pytest.raises(Forbidden, match="benchmark number 2 is not one of \\[1\\]") as raised:
        prek2.as_("tomas_teacher", lambda a: assessments.reassign(a, "bm2"))
    assert raised.value.details["rule"] == "P-BENCH-N"
    assert prek2.as_("tomas_teacher", lambda a: assessments.invalidate(a, "bm3")).state == "invalidated"
    with pytest.raises(Forbidden, match=r"benchmark number 1 is not one of \[2, 3\]"):
        prek2.as_("tomas_teacher", lambda a: assessments.invalidate(a, "bm1"))
    assert [_row(prek2, f"bm{n}") for n in (1, 2, 3)] == [("none", 2), ("none", 1), ("none", 2)]
    assert _events(prek2, "bm2") == []


def test_literacy_placement_tests_and_benchmark_windows(tenant_of: Callable[[str], Tenant]) -> None:
    riverbend = tenant_of("literacy")
    _seed(riverbend, "pl1", "placement", "sam_student")
    view = riverbend.as_("tomas_teacher", lambda a: assessments.reassign(a, "pl1"))
    assert view.history[0].event == "reassigned"
    assert ("placement_test.reassign", True, "pl1") in _audit(riverbend)
    window = (date(2026, 9, 14), date(2026, 9, 25))
    made = riverbend.as_(
        "tomas_teacher",
        lambda a: benchmark_schedules.schedule_benchmark(a, Ref("class", "bluebirds"), *window),
    )
    assert (made.target, made.window_start, made.created_by) == (
        "class:bluebirds",
        window[0],
        "tomas_teacher",
    )
    riverbend.as_(
        "dana_district", lambda a: benchmark_schedules.schedule_benchmark(a, Ref("org", "riverbend"), *window)
    )
    listed = riverbend.as_(
        "dana_district", lambda a: benchmark_schedules.list_schedules(a, Ref("class", "bluebirds"))
    )
    assert [s.id for s in listed] == [made.id]


def test_benchmark_windows_are_denied_and_checked(tenant_of: Callable[[str], Tenant]) -> None:
    riverbend = tenant_of("literacy")
    window = (date(2026, 9, 14), date(2026, 9, 25))
    with pytest.raises(Forbidden):  # not his group
        riverbend.as_(
            "tomas_teacher",
            lambda a: benchmark_schedules.schedule_benchmark(a, Ref("class", "robins"), *window),
        )
    with pytest.raises(Forbidden):  # teachers schedule for their groups, not for schools
        riverbend.as_(
            "tomas_teacher",
            lambda a: benchmark_schedules.schedule_benchmark(a, Ref("org", "hill_school"), *window),
        )
    with pytest.raises(NotFound):
        riverbend.as_(
            "priya_principal",
            lambda a: benchmark_schedules.schedule_benchmark(a, Ref("org", "lake_school"), *window),
        )
    with pytest.raises(InvalidInput, match="the end must be on or after the start"):
        riverbend.as_(
            "dana_district",
            lambda a: benchmark_schedules.schedule_benchmark(
                a, Ref("org", "riverbend"), window[1], window[0]
            ),
        )
    s = t.BenchmarkSchedule
    assert riverbend.read(lambda x: list(x.scalars(select(s.id).where(s.tenant_id == riverbend.id)))) == []
    assert ("benchmark.schedule", False, "robins") in _audit(riverbend)
