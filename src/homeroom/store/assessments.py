"""Assessments as rows (a benchmark, pretest or placement test of one student), their history, and the
literacy benchmark's testing windows.

Every state change bumps the assessment's version with a conditional update (as store/versions.py does
for the other objects) and appends a history row numbered by the version it produced, so two concurrent
changes of one assessment can never both win, and the history has exactly one row per change. Creating
or (un)deleting an assessment changes policy facts, so it advances the tenant's revision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeroom.errors import StaleVersion
from homeroom.policy.world import NOT_DELETED
from homeroom.store import tables as t
from homeroom.store.tenants import advance_revision

STATE_AFTER: Final = {
    "assigned": "assigned",
    "reassigned": "assigned",
    "invalidated": "invalidated",
    "unassigned": "unassigned",
}


@dataclass(frozen=True)
class Event:
    """One state change: what happened, by whom, when, in which request."""

    event: str
    actor_id: str | None
    at: datetime
    request_id: str


def get_assessment(session: Session, tenant_id: int, assessment_id: str) -> t.Assessment | None:
    return session.get(t.Assessment, (tenant_id, assessment_id), populate_existing=True)


def find_benchmark(session: Session, tenant_id: int, student_id: str, number: int) -> t.Assessment | None:
    """The student's benchmark `number`: the live one if any, else the most recently unassigned one."""
    a = t.Assessment
    rows = session.scalars(
        select(a)
        .where(
            a.tenant_id == tenant_id, a.student_id == student_id, a.kind == "benchmark", a.number == number
        )
        .order_by(a.id)
    )
    found = list(rows)
    live = [r for r in found if r.deleted == NOT_DELETED]
    return (live or sorted(found, key=lambda r: r.version))[-1] if found else None


def add_assessment(  # noqa: PLR0913 - the row's own columns
    session: Session,
    tenant_id: int,
    assessment_id: str,
    *,
    kind: str,
    number: int | None,
    student_id: str,
    event: Event | None = None,
) -> t.Assessment:
    """A new assessment at version 1 (with its first history row when `event` is given)."""
    creator = event.actor_id if event is not None else None
    row = t.Assessment(
        tenant_id=tenant_id,
        id=assessment_id,
        kind=kind,
        number=number,
        student_id=student_id,
        deleted=NOT_DELETED,
        created_by=creator,
        version=1,
    )
    session.add(row)
    session.flush()
    if event is not None:
        _append(session, tenant_id, assessment_id, 1, event)
    advance_revision(session, tenant_id)
    return row


def change(
    session: Session,
    tenant_id: int,
    assessment_id: str,
    event: Event,
    *,
    expected: int | None,
    deleted: str | None = None,
) -> int:
    """Record `event` (and a new `deleted` state, if given): bump the version, append history; new version."""
    a = t.Assessment
    values: dict[str, object] = {"version": a.version + 1}
    if deleted is not None:
        values["deleted"] = deleted
    statement = (
        update(a)
        .where(a.tenant_id == tenant_id, a.id == assessment_id)
        .values(**values)
        .returning(a.version)
        .execution_options(synchronize_session=False)
    )
    if expected is not None:
        statement = statement.where(a.version == expected)
    version = session.scalar(statement)
    if version is None:
        current = session.scalar(select(a.version).where(a.tenant_id == tenant_id, a.id == assessment_id))
        raise StaleVersion(
            f"assessment {assessment_id!r} is at version {current}, not {expected}: reload it and try again",
            details={"id": assessment_id, "expected": expected, "current": current},
        )
    _append(session, tenant_id, assessment_id, int(version), event)
    if deleted is not None:
        advance_revision(session, tenant_id)
    return int(version)


def _append(session: Session, tenant_id: int, assessment_id: str, version: int, event: Event) -> None:
    session.add(
        t.AssessmentEvent(
            tenant_id=tenant_id,
            assessment_id=assessment_id,
            version=version,
            event=event.event,
            actor_id=event.actor_id,
            at=event.at,
            request_id=event.request_id,
        )
    )
    session.flush()


def histories(session: Session, tenant_id: int, ids: Collection[str]) -> dict[str, list[t.AssessmentEvent]]:
    """The history of each assessment, oldest first."""
    if not ids:
        return {}
    h = t.AssessmentEvent
    rows = session.scalars(
        select(h)
        .where(h.tenant_id == tenant_id, h.assessment_id.in_(ids))
        .order_by(h.assessment_id, h.version)
    )
    found: dict[str, list[t.AssessmentEvent]] = defaultdict(list)
    for row in rows:
        found[row.assessment_id].append(row)
    return found


def state_of(row: t.Assessment, history: list[t.AssessmentEvent]) -> str:
    """`assigned`, `invalidated` or `unassigned`: after the last event (no history: by `deleted`)."""
    if history:
        return STATE_AFTER[history[-1].event]
    return "assigned" if row.deleted == NOT_DELETED else "unassigned"


def assessments_of(session: Session, tenant_id: int, student_id: str) -> list[t.Assessment]:
    """The student's assessments that are not purged, in id order."""
    a = t.Assessment
    statement = select(a).where(a.tenant_id == tenant_id, a.student_id == student_id, a.deleted != "purged")
    return list(session.scalars(statement.order_by(a.id)))


@dataclass(frozen=True)
class Window:
    start: date
    end: date


def add_schedule(  # noqa: PLR0913 - the row's own columns
    session: Session,
    tenant_id: int,
    schedule_id: str,
    *,
    target: tuple[str, str],
    window: Window,
    by: str | None,
    at: datetime,
) -> t.BenchmarkSchedule:
    """A testing window for an org (`("org", id)`) or a class (`("class", id)`)."""
    kind, target_id = target
    row = t.BenchmarkSchedule(
        tenant_id=tenant_id,
        id=schedule_id,
        org_id=target_id if kind == "org" else None,
        class_id=target_id if kind == "class" else None,
        window_start=window.start,
        window_end=window.end,
        created_by=by,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def schedules_for(session: Session, tenant_id: int, target: tuple[str, str]) -> list[t.BenchmarkSchedule]:
    """The windows scheduled for exactly this org or class, earliest first."""
    s = t.BenchmarkSchedule
    column = s.org_id if target[0] == "org" else s.class_id
    statement = select(s).where(s.tenant_id == tenant_id, column == target[1])
    return list(session.scalars(statement.order_by(s.window_start, s.id)))
