"""Assessments: benchmarks assigned to students, reassigning and invalidating results, their history,
and (literacy) benchmark testing windows."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from pydantic import BaseModel, Field, StringConstraints

from homeroom.api.deps import CallerDep, VersionDep, expected_version, tag
from homeroom.api.routes.common import ERRORS, ID_PATTERN, Input, PathId, UtcDatetime, checks
from homeroom.policy.world import Ref
from homeroom.services import assessments, benchmark_schedules
from homeroom.services.assessments import AssessmentView
from homeroom.services.benchmark_schedules import Schedule

router = APIRouter(tags=["assessments"], responses=ERRORS)
Number = Annotated[int, Path(ge=1, le=1000, description="the benchmark number")]
ScheduleTarget = Annotated[str, StringConstraints(pattern=r"^(org|class):" + ID_PATTERN[1:])]
REASSIGN = ("benchmark.reassign", "pretest.reassign", "placement_test.reassign")


def optional_version(
    if_match: Annotated[
        str | None,
        Header(pattern=r'^(W/)?"?[0-9]{1,12}"?$', description="optional: the ETag the change is based on"),
    ] = None,
) -> int | None:
    """State changes by POST may name the version they are based on; without it they apply to the latest."""
    return expected_version(if_match) if if_match is not None else None


OptionalVersionDep = Annotated[int | None, Depends(optional_version)]


class HistoryOut(BaseModel):
    version: int
    event: str
    actor: str | None
    at: UtcDatetime


class AssessmentOut(BaseModel):
    id: str
    kind: str
    number: int | None
    student: str
    state: str = Field(description="assigned, invalidated or unassigned")
    version: int
    history: list[HistoryOut]

    @classmethod
    def of(cls, view: AssessmentView) -> AssessmentOut:
        history = [HistoryOut(**vars(h)) for h in view.history]
        return cls(**{**vars(view), "history": history})


def _out(view: AssessmentView, response: Response) -> AssessmentOut:
    tag(response, view.version)
    return AssessmentOut.of(view)


@router.put("/users/{user_id}/benchmarks/{number}", openapi_extra=checks("benchmark.assign"))
def assign_benchmark(user_id: PathId, number: Number, caller: CallerDep, response: Response) -> AssessmentOut:
    """Assign benchmark `number` to the student: 201 when it is new, 200 when it was already assigned."""
    view, created = caller.run(lambda a: assessments.assign_benchmark(a, user_id, number))
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/assessments/{view.id}"
    return _out(view, response)


@router.delete(
    "/users/{user_id}/benchmarks/{number}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=checks("benchmark.assign"),
)
def unassign_benchmark(user_id: PathId, number: Number, version: VersionDep, caller: CallerDep) -> None:
    """Unassign the benchmark; If-Match carries the assessment's ETag."""
    caller.run(lambda a: assessments.unassign_benchmark(a, user_id, number, expected=version))


@router.get("/users/{user_id}/assessments", openapi_extra=checks("student.view"))
def list_assessments(user_id: PathId, caller: CallerDep) -> list[AssessmentOut]:
    """The student's assessments with their state and history."""
    return [AssessmentOut.of(v) for v in caller.run(lambda a: assessments.list_assessments(a, user_id))]


@router.get("/assessments/{assessment_id}", openapi_extra=checks("student.view"))
def get_assessment(assessment_id: PathId, caller: CallerDep, response: Response) -> AssessmentOut:
    return _out(caller.run(lambda a: assessments.get_assessment(a, assessment_id)), response)


@router.post("/assessments/{assessment_id}/reassign", openapi_extra=checks(*REASSIGN))
def reassign(
    assessment_id: PathId, version: OptionalVersionDep, caller: CallerDep, response: Response
) -> AssessmentOut:
    """Let the student take it again; the permission follows the kind (benchmark, pretest, placement)."""
    view = caller.run(lambda a: assessments.reassign(a, assessment_id, expected=version))
    return _out(view, response)


@router.post("/assessments/{assessment_id}/invalidate", openapi_extra=checks("benchmark.invalidate"))
def invalidate(
    assessment_id: PathId, version: OptionalVersionDep, caller: CallerDep, response: Response
) -> AssessmentOut:
    """Invalidate a benchmark result."""
    view = caller.run(lambda a: assessments.invalidate(a, assessment_id, expected=version))
    return _out(view, response)


class ScheduleIn(Input):
    target: ScheduleTarget = Field(description="`org:ID` or `class:ID`")
    window_start: date
    window_end: date


class ScheduleOut(BaseModel):
    id: str
    target: str
    window_start: date
    window_end: date
    created_by: str | None
    created_at: UtcDatetime

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleOut:
        return cls(**vars(schedule))


def _ref(text: str) -> Ref:
    kind, _, target = text.partition(":")
    return Ref(kind, target)


@router.post(
    "/benchmark-schedules", status_code=status.HTTP_201_CREATED, openapi_extra=checks("benchmark.schedule")
)
def schedule_benchmark(body: ScheduleIn, caller: CallerDep) -> ScheduleOut:
    """Schedule a benchmark testing window for an org or a class (literacy)."""
    target = _ref(body.target)
    return ScheduleOut.of(
        caller.run(
            lambda a: benchmark_schedules.schedule_benchmark(a, target, body.window_start, body.window_end)
        )
    )


@router.get("/benchmark-schedules", openapi_extra=checks("benchmark.schedule"))
def list_schedules(
    caller: CallerDep, target: Annotated[ScheduleTarget, Query(description="`org:ID` or `class:ID`")]
) -> list[ScheduleOut]:
    """The windows scheduled for exactly this org or class."""
    ref = _ref(target)
    return [ScheduleOut.of(s) for s in caller.run(lambda a: benchmark_schedules.list_schedules(a, ref))]
