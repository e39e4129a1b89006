"""Authorization as a service: check, batch check, explain, and list what an actor may act on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints

from homeroom.api.deps import CallerDep, PageDep, encode_cursor, homeroom_of
from homeroom.api.routes.common import ERRORS, ID_PATTERN, Id, Input, RefText, checks
from homeroom.errors import InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.world import Check, Ref
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
        def ref(text: str | None) -> Ref | None:
            return service.parse_ref(text) if text is not None else None

        return Check(
            self.actor,
            self.permission,
            service.parse_ref(self.target),
            ref(self.to),
            ref(self.from_),
            self.role,
            ref(self.at),
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


def _out(decision: Decision) -> DecisionOut:
    return DecisionOut(allowed=decision.allowed, code=decision.code, reason=decision.reason.message)


# The check endpoints are `async` and run their unit of work on the event loop: a check is bounded work
# (four indexed queries and microseconds of policy), cheaper than the two hand-offs to a worker thread
# (and back) that a plain `def` route costs (docs/decisions.md, "Checks on the event loop").
@router.post("/check", openapi_extra=checks(public=False))
async def check(body: CheckIn, caller: CallerDep) -> DecisionOut:
    """May the actor do this? (An account may ask about itself; the service token about anyone.)"""
    return _out(caller.run(lambda a: service.check(a, body.value()), console=False))


class BatchIn(Input):
    checks: list[CheckIn] = Field(min_length=1, max_length=10_000)


class BatchOut(BaseModel):
    decisions: list[DecisionOut]


@router.post("/check-batch", openapi_extra=checks())
async def check_batch(body: BatchIn, caller: CallerDep, request: Request) -> BatchOut:
    """Many checks in one request, answered in order."""
    limit = homeroom_of(request).settings.max_batch_checks
    if len(body.checks) > limit:
        raise InvalidInput(
            f"a batch holds at most {limit} checks, this one {len(body.checks)}", code="batch_too_large"
        )
    questions = [c.value() for c in body.checks]
    decisions = caller.run(lambda a: service.check_many(a, questions), console=False)
    return BatchOut(decisions=[_out(d) for d in decisions])


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
