"""Documents: start/login cards and class rosters as PDF, student data exports as CSV.

Each route runs its use case (which authorizes, writes the disclosure record and audits) and renders the
result. Responses carry `Cache-Control: no-store`: cards hold sign-in secrets, exports hold student records.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any, Final

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import Field, StringConstraints

from homeroom.api.deps import CallerDep
from homeroom.api.routes.common import ERRORS, ID_PATTERN, Id, Input, PathId, checks
from homeroom.documents.cards import render_cards
from homeroom.documents.exports import FILE_NAMES, MEDIA_TYPES, Format, StudentCsv
from homeroom.documents.rosters import render_roster
from homeroom.policy.world import Ref
from homeroom.services import cards, class_rosters, exports
from homeroom.services.cards import CardOptions, SecretKind
from homeroom.services.signin_codes import DEFAULT_DAYS, MAX_DAYS

router = APIRouter(tags=["documents"], responses=ERRORS)
PDF: Final = "application/pdf"
NO_STORE: Final = {"Cache-Control": "no-store"}
SPOOL_BYTES: Final = 1024 * 1024
CHUNK: Final = 64 * 1024
Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TargetText = Annotated[str, StringConstraints(pattern=r"^(org|class|user):" + ID_PATTERN[1:])]


def _pdf(content: bytes, name: str) -> Response:
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=PDF, headers=headers)


def _documented(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {}}, "description": "the document"}}


class CardIn(Input):
    secret: SecretKind = Field(
        "code", description="`code`: a one-time sign-in code (default); `password`: set a new password"
    )
    valid_days: int = Field(DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="how long a code stays valid")
    purpose: Purpose = cards.DEFAULT_PURPOSE

    def options(self) -> CardOptions:
        return CardOptions(self.secret, self.valid_days, self.purpose)


class ClassCardsIn(CardIn):
    students: list[Id] | None = Field(
        None, min_length=1, max_length=1000, description="only these students of the class (default: all)"
    )


@router.post(
    "/users/{user_id}/card",
    response_class=Response,
    responses=_documented(PDF),
    openapi_extra=checks("student.print_card", "student.edit", "user.edit"),
)
def print_student_card(user_id: PathId, caller: CallerDep, body: CardIn | None = None) -> Response:
    """A student's start/login card as PDF, with a new one-time sign-in code or (asked for) a new password."""
    options = (body or CardIn()).options()
    sheet = caller.run(lambda a: cards.print_student_card(a, user_id, options))
    return _pdf(render_cards(sheet), f"card-{user_id}.pdf")


@router.post(
    "/classes/{class_id}/cards",
    response_class=Response,
    responses=_documented(PDF),
    openapi_extra=checks("class.print_cards", "student.edit", "user.edit"),
)
def print_class_cards(class_id: PathId, caller: CallerDep, body: ClassCardsIn | None = None) -> Response:
    """Cards for the active students of a class (or the selected ones), eight to a Letter page."""
    given = body or ClassCardsIn()
    options, students = given.options(), given.students
    sheet = caller.run(lambda a: cards.print_class_cards(a, class_id, options, students=students))
    return _pdf(render_cards(sheet), f"cards-{class_id}.pdf")


class RosterIn(Input):
    purpose: Purpose = class_rosters.DEFAULT_PURPOSE


@router.post(
    "/classes/{class_id}/roster",
    response_class=Response,
    responses=_documented(PDF),
    openapi_extra=checks("class.print_roster"),
)
def print_roster(class_id: PathId, caller: CallerDep, body: RosterIn | None = None) -> Response:
    """The class roster as PDF: class, school, teachers, students with their usernames."""
    purpose = (body or RosterIn()).purpose
    roster = caller.run(lambda a: class_rosters.print_roster(a, class_id, purpose=purpose))
    return _pdf(render_roster(roster), f"roster-{class_id}.pdf")


@router.get(
    "/reports/students.csv",
    response_class=StreamingResponse,
    responses=_documented("text/csv"),
    openapi_extra=checks("report.export_student_data", "student.view", "user.view"),
)
def export_students(
    caller: CallerDep,
    target: Annotated[TargetText, Query(description="`org:ID`, `class:ID` or `user:ID` (a student)")],
    purpose: Annotated[Purpose, Query(description="why the data is exported: kept in the disclosure record")],
    shape: Annotated[
        Format, Query(alias="format", description="`oneroster`: a OneRoster 1.1 users.csv")
    ] = "csv",
) -> StreamingResponse:
    """The students within the target you may view and export, one CSV row each (formula-safe cells)."""
    type_, _, object_id = target.partition(":")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline="")  # noqa: SIM115 - closed after streaming
    try:
        writer = StudentCsv(spool, shape=shape)
        caller.run(lambda a: exports.export_students(a, Ref(type_, object_id), purpose, sink=writer.write))
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{FILE_NAMES[shape]}"'}
    return StreamingResponse(_chunks(spool), media_type=MEDIA_TYPES[shape], headers=headers)


def _chunks(spool: IO[str]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk.encode()
    finally:
        spool.close()
