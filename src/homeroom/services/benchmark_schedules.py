"""The literacy benchmark's testing windows (Easy Benchmark Scheduler): `benchmark.schedule` on an org
(administrators) or a class (its teachers). Test enablement is a setting (`org.set_test_enablement`) and,
as the spec decides (A-20), gates no permission: scheduling while the test is disabled is allowed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from homeroom.errors import InvalidInput
from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.store import assessments as store
from homeroom.store import tables as t

SCHEDULE: Final = "benchmark.schedule"
MAX_WINDOW_DAYS: Final = 366


@dataclass(frozen=True)
class Schedule:
    id: str
    target: str
    window_start: date
    window_end: date
    created_by: str | None
    created_at: datetime


def schedule_benchmark(access: Access, target: Ref, window_start: date, window_end: date) -> Schedule:
    """Schedule a benchmark testing window for an org or a class."""
    decision = authorize(access, SCHEDULE, target)
    if window_end < window_start or (window_end - window_start).days >= MAX_WINDOW_DAYS:
        raise InvalidInput(
            f"window {window_start}..{window_end} is not a window: the end must be on or after the start, "
            f"less than {MAX_WINDOW_DAYS} days later",
            code="invalid_window",
            details={"window_start": str(window_start), "window_end": str(window_end)},
        )
    row = store.add_schedule(
        access.session,
        access.tenant_id,
        f"bs-{secrets.token_hex(8)}",
        target=(target.type, target.id),
        window=store.Window(window_start, window_end),
        by=access.actor,
        at=access.now,
    )
    details: dict[str, object] = {
        "schedule": row.id,
        "window_start": str(window_start),
        "window_end": str(window_end),
    }
    audit.record(access, SCHEDULE, target, decision=decision, details=details)
    return _schedule(row)


def list_schedules(access: Access, target: Ref) -> list[Schedule]:
    """The windows scheduled for exactly this org or class, for whoever may schedule there."""
    authorize(access, SCHEDULE, target)
    return [
        _schedule(r) for r in store.schedules_for(access.session, access.tenant_id, (target.type, target.id))
    ]


def _schedule(row: t.BenchmarkSchedule) -> Schedule:
    target = f"org:{row.org_id}" if row.org_id is not None else f"class:{row.class_id}"
    return Schedule(row.id, target, row.window_start, row.window_end, row.created_by, row.created_at)
