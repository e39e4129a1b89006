"""Authorization as a service: check, batch check, explain, and list what an actor may act on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter

from homeroom.api.deps import Caller, CallerDep, PageDep, encode_cursor
from homeroom.api.routes.common import ERRORS, ID_PATTERN, Id, Input, RefText, checks
from homeroom.errors import InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.world import Check
from homeroom.services import checks as service
from homeroom.store.constraints import Request as ListRequest

router = APIRouter(prefix="/authz", tags=["authorization service"], responses=ERRORS)
PermissionId = Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$")]


class CheckIn(Input):
    actor: Id
    permission: PermissionId
    target: RefText = Field(description="`TYPE:ID`, e.g. `user:sam`")
    to: RefText | None = None
    from_: RefText | None = Field(None, alias="from")
    role: Id | None = None
    at: RefText | None = None

    def value(self) -> Check:
        parse = service.parse_ref
        to, from_, at = self.to, self.from_, self.at
        return Check(
            self.actor,
            self.permission,
            parse(self.target),
            None if to is None else parse(to),
            None if from_ is None else parse(from_),
            self.role,
            None if at is None else parse(at),
        )


class ReasonOut(BaseModel):
    rule: str
    message: str
    assignment: str | None
    scope: str | None


class DecisionOut(BaseModel):
    allowed: bool
    code: str = Field(description="`ROLE@ORG:SCOPE` for an allow, the denying rule otherwise")
    reason: str


class ExplanationOut(DecisionOut):
    considered: list[ReasonOut] = Field(description="every role assignment's own verdict")


class BatchIn(Input):
    checks: list[CheckIn] = Field(min_length=1, max_length=10_000)


class BatchOut(BaseModel):
    decisions: list[DecisionOut]


def _out(decision: Decision) -> DecisionOut:
    return DecisionOut(allowed=decision.allowed, code=decision.code, reason=decision.reason.message)


# The answers' JSON, written by pydantic's serializer from plain dicts: the bytes `DecisionOut` and
# `BatchOut` serialize to (tests/api/test_authz_lane.py holds them equal), at about a microsecond per
# decision instead of building and validating a model per decision.
_ONE = TypeAdapter(dict[str, Any])
_MANY = TypeAdapter(dict[str, list[dict[str, Any]]])


def _plain(decision: Decision) -> dict[str, Any]:
    return {"allowed": decision.allowed, "code": decision.code, "reason": decision.reason.message}


def decision_json(decision: Decision) -> bytes:
    """The JSON of the decision's `DecisionOut`."""
    return _ONE.dump_json(_plain(decision))


def decisions_json(decisions: Iterable[Decision]) -> bytes:
    """The JSON of the decisions' `BatchOut`."""
    return _MANY.dump_json({"decisions": [_plain(d) for d in decisions]})


def _decide(caller: Caller, questions: list[Check]) -> list[Decision]:
    # an API token (and no impersonation, which wins) is read with the users in one statement
    if caller.bearer and not caller.impersonation:
        homeroom = caller.homeroom
        return service.check_by_token(homeroom, caller.bearer, questions, request_id=caller.request_id)
    return caller.run(lambda a: service.check_many(a, questions), console=False)


def answer_check(body: CheckIn, caller: Caller) -> Response:
    """The check route's work (also the fast lane's, api/lanes.py): the decision as JSON."""
    decision = _decide(caller, [body.value()])[0]
    return Response(decision_json(decision), media_type="application/json")


def answer_batch(body: BatchIn, caller: Caller) -> Response:
    """The batch route's work (also the fast lane's): the decisions in order, as JSON."""
    limit = caller.homeroom.settings.max_batch_checks
    if len(body.checks) > limit:
        raise InvalidInput(
            f"a batch holds at most {limit} checks, this one {len(body.checks)}", code="batch_too_large"
        )
    questions = [c.value() for c in body.checks]
    return Response(decisions_json(_decide(caller, questions)), media_type="application/json")


# The check endpoints are `async` and run their unit of work on the event loop: a check is bounded work
# (two indexed queries and microseconds of policy), cheaper than the two hand-offs to a worker thread
# (and back) that a plain `def` route costs (docs/decisions.md, "Checks on the event loop"). Requests
# with a JSON body that validates come to the same functions through the fast lane (api/lanes.py); these
# routes publish the contract and answer every other request (invalid bodies, other content types).
@router.post("/check", response_model=DecisionOut, openapi_extra=checks(public=False))
async def check(body: CheckIn, caller: CallerDep) -> Response:
    """May the actor do this? (An account may ask about itself; the service token about anyone.)"""
    return answer_check(body, caller)


@router.post("/check-batch", response_model=BatchOut, openapi_extra=checks())
async def check_batch(body: BatchIn, caller: CallerDep) -> Response:
    """Many checks in one request, answered in order."""
    return answer_batch(body, caller)


@router.post("/explain", openapi_extra=checks())
def explain(body: CheckIn, caller: CallerDep) -> ExplanationOut:
    """The decision with every assignment's reason: why it is allowed or denied."""
    decision = caller.run(lambda a: service.check(a, body.value()), console=False)
    considered = [
        ReasonOut(rule=r.rule, message=r.message, assignment=r.assignment, scope=r.scope)
        for r in decision.considered
    ]
    return ExplanationOut(**_out(decision).model_dump(), considered=considered)


class ListOut(BaseModel):
    ids: list[str]
    next_cursor: str | None


@router.get("/list", openapi_extra=checks())
def list_targets(
    caller: CallerDep,
    page: PageDep,
    actor: Annotated[str, StringConstraints(pattern=ID_PATTERN)],
    permission: Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$")],
    type: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")] = "user",  # noqa: A002 - the API's word
) -> ListOut:
    """The ids of the targets of `type` the actor may act on with `permission`, in id order."""
    request = ListRequest(actor, permission, type)
    found = caller.run(
        lambda a: service.list_targets(a, request, after=page.after, limit=page.limit), console=False
    )
    return ListOut(ids=list(found.ids), next_cursor=encode_cursor(found.next_after))
