"""Assessments (math, math-prek2, literacy): benchmarks, pretests and placement tests of students.

* `benchmark.assign` on the student assigns benchmark N (a new assessment row, or the unassigned one
  back) and unassigns it (a soft delete, based on the assessment's version).
* `reassign` and `invalidate` act on an assessment; the permission follows its kind (`benchmark.*`,
  `pretest.reassign`, `placement_test.reassign`), and the policy enforces P-KIND and P-BENCH-N.
* Every state change appends to the assessment's history (store/assessments.py).
* Reading an assessment, or a student's list, needs `student.view` on the student; an assessment of a
  student the caller may not see is "not found", like a missing one.
* `benchmark.schedule` (literacy) records a testing window for an org or a class (benchmark_schedules.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeroom.errors import Conflict, Forbidden, InvalidInput, NotFound
from homeroom.policy.decisions import Decision
from homeroom.policy.world import NOT_DELETED, SOFT_DELETED, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, not_found, require_visible
from homeroom.services.offerings import offering
from homeroom.store import assessments as store
from homeroom.store import tables as t
from homeroom.store.assessments import Event

ASSIGN: Final = "benchmark.assign"
INVALIDATE: Final = "benchmark.invalidate"
REASSIGN_BY_KIND: Final = {
    "benchmark": "benchmark.reassign",
    "pretest": "pretest.reassign",
    "placement": "placement_test.reassign",
}
STUDENT_VIEW: Final = "student.view"


@dataclass(frozen=True)
class HistoryLine:
    version: int
    event: str
    actor: str | None
    at: datetime


@dataclass(frozen=True)
class AssessmentView:
    id: str
    kind: str
    number: int | None
    student: str
    state: str
    version: int
    history: tuple[HistoryLine, ...]


def assign_benchmark(access: Access, user_id: str, number: int) -> tuple[AssessmentView, bool]:
    """Assign benchmark `number` to the student; (the assessment, whether it was newly created)."""
    target = Ref("user", user_id)
    decision = authorize(access, ASSIGN, target)
    numbers = offering(access.profile.id).benchmark_numbers
    if number not in numbers:
        raise InvalidInput(
            f"benchmark {number} is not offered in {access.profile.id}: expected one of {sorted(numbers)}",
            code="unknown_benchmark",
            details={"value": number, "expected": sorted(numbers)},
        )
    row = store.find_benchmark(access.session, access.tenant_id, user_id, number)
    if row is not None and row.deleted == NOT_DELETED:
        return read(access, row.id), False
    event = _event(access, "assigned")
    if row is not None:
        assessment_id = row.id
        store.change(access.session, access.tenant_id, row.id, event, expected=None, deleted=NOT_DELETED)
    else:
        assessment_id = f"a-{secrets.token_hex(8)}"
        store.add_assessment(
            access.session,
            access.tenant_id,
            assessment_id,
            kind="benchmark",
            number=number,
            student_id=user_id,
            event=event,
        )
    details: dict[str, object] = {"number": number, "assessment": assessment_id, "event": "assigned"}
    audit.record(access, ASSIGN, target, decision=decision, details=details)
    return read(access, assessment_id), row is None


def unassign_benchmark(access: Access, user_id: str, number: int, *, expected: int) -> None:
    """Unassign the student's benchmark `number` (a soft delete of the assessment)."""
    target = Ref("user", user_id)
    decision = authorize(access, ASSIGN, target)
    row = store.find_benchmark(access.session, access.tenant_id, user_id, number)
    if row is None or row.deleted != NOT_DELETED:
        raise NotFound(
            f"{user_id} has no benchmark {number} assigned",
            code="assessment_not_found",
            details={"student": user_id, "number": number},
        )
    event = _event(access, "unassigned")
    store.change(access.session, access.tenant_id, row.id, event, expected=expected, deleted=SOFT_DELETED)
    details: dict[str, object] = {"number": number, "assessment": row.id, "event": "unassigned"}
    audit.record(access, ASSIGN, target, decision=decision, details=details)


def reassign(access: Access, assessment_id: str, *, expected: int | None = None) -> AssessmentView:
    """Let the student take the assessment again (the permission follows the assessment's kind)."""
    row = store.get_assessment(access.session, access.tenant_id, assessment_id)
    permission = REASSIGN_BY_KIND.get(row.kind if row is not None else "benchmark", "benchmark.reassign")
    decision = _authorize_on(access, permission, assessment_id, row)
    return _change(access, assessment_id, "reassigned", permission, decision, expected)


def invalidate(access: Access, assessment_id: str, *, expected: int | None = None) -> AssessmentView:
    """Invalidate a benchmark result (`benchmark.invalidate`)."""
    row = store.get_assessment(access.session, access.tenant_id, assessment_id)
    decision = _authorize_on(access, INVALIDATE, assessment_id, row)
    history = store.histories(access.session, access.tenant_id, [assessment_id]).get(assessment_id, [])
    if row is not None and store.state_of(row, history) == "invalidated":
        raise Conflict(f"assessment {assessment_id!r} is already invalidated", code="already_invalidated")
    return _change(access, assessment_id, "invalidated", INVALIDATE, decision, expected)


def _change(
    access: Access, assessment_id: str, name: str, permission: str, decision: Decision, expected: int | None
) -> AssessmentView:
    store.change(access.session, access.tenant_id, assessment_id, _event(access, name), expected=expected)
    ref = Ref("assessment", assessment_id)
    audit.record(access, permission, ref, decision=decision, details={"event": name})
    return read(access, assessment_id)


def _authorize_on(access: Access, permission: str, assessment_id: str, row: t.Assessment | None) -> Decision:
    """`authorize`, but "not found" (never "forbidden") when the caller may not see the student."""
    ref = Ref("assessment", assessment_id)
    try:
        return authorize(access, permission, ref)
    except Forbidden:
        if row is None:
            raise
        try:
            require_visible(access, Ref("user", row.student_id))
        except NotFound:
            raise not_found(ref) from None
        raise


def get_assessment(access: Access, assessment_id: str) -> AssessmentView:
    """One assessment with its history, for whoever may view its student."""
    ref = Ref("assessment", assessment_id)
    row = store.get_assessment(access.session, access.tenant_id, assessment_id)
    if row is None or row.deleted == "purged":
        raise not_found(ref)
    try:
        decision = authorize(access, STUDENT_VIEW, Ref("user", row.student_id))
    except NotFound:
        raise not_found(ref) from None
    audit.record(access, STUDENT_VIEW, ref, decision=decision, details={"student": row.student_id})
    return read(access, assessment_id)


def list_assessments(access: Access, user_id: str) -> list[AssessmentView]:
    """The student's assessments (unassigned ones included, with their state), in id order."""
    target = Ref("user", user_id)
    decision = authorize(access, STUDENT_VIEW, target)
    rows = store.assessments_of(access.session, access.tenant_id, user_id)
    audit.record(access, STUDENT_VIEW, target, decision=decision, details={"read": "assessments"})
    histories = store.histories(access.session, access.tenant_id, [r.id for r in rows])
    return [_view(r, histories.get(r.id, [])) for r in rows]


def read(access: Access, assessment_id: str) -> AssessmentView:
    row = store.get_assessment(access.session, access.tenant_id, assessment_id)
    if row is None:  # pragma: no cover - callers found or wrote it in this unit of work
        raise not_found(Ref("assessment", assessment_id))
    history = store.histories(access.session, access.tenant_id, [assessment_id]).get(assessment_id, [])
    return _view(row, history)


def _view(row: t.Assessment, history: list[t.AssessmentEvent]) -> AssessmentView:
    lines = tuple(HistoryLine(h.version, h.event, h.actor_id, h.at) for h in history)
    return AssessmentView(
        row.id, row.kind, row.number, row.student_id, store.state_of(row, history), row.version, lines
    )


def _event(access: Access, name: str) -> Event:
    return Event(name, access.principal.user_id, access.now, access.request_id)
