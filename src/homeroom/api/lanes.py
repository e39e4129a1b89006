"""The fast lane of the check routes: `POST /authz/check` and `/authz/check-batch` without FastAPI's
per-request machinery, for the requests those routes would answer with their own work.

A check is the authorization service's hot path (issue 7: 2,000 checks per second on two cores). Through
FastAPI a check request spent about as much CPU in routing among some hundred routes, solving the
dependencies, validating the body into a model and serializing the answer as in its unit of work. The
lane is an ASGI middleware in front of the routes. It takes a request only when it is a POST to one of
the routes' own paths with `Content-Type: application/json`, a Content-Length (so the body limit was
checked before) and a body that validates as the route's own model (one `TypeAdapter`, straight from
the bytes). It reads the credentials with the routes' own security schemes and `caller` dependency and
calls the routes' own functions (`answer_check`, `answer_batch`): the same validation, unit of work,
authorization and answer bytes; a domain error answers through `problems.domain_problem`, the app's own
handler, and anything unexpected propagates to the app's 500 handler as from a route. Every other
request goes on to the app, its body replayed, so invalid requests get the routes' own problem documents
(tests/api/test_authz_lane.py sends the same requests both ways and compares the answers byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Response
from fastapi.routing import iter_route_contexts
from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homeroom.api.deps import Caller, bearer_scheme, caller, cookie_scheme, impersonation_scheme
from homeroom.api.problems import domain_problem
from homeroom.api.routes import authz
from homeroom.errors import HomeroomError

Answer = Callable[[Any, Caller], Response]
LANES: dict[Callable[..., Any], tuple[TypeAdapter[Any], Answer]] = {
    authz.check: (TypeAdapter(authz.CheckIn), authz.answer_check),
    authz.check_batch: (TypeAdapter(authz.BatchIn), authz.answer_batch),
}


def lane_paths(app: FastAPI) -> dict[str, tuple[TypeAdapter[Any], Answer]]:
    """The paths of the routes that have a lane, as the app serves them."""
    return {
        route.path: LANES[route.endpoint]
        for route in iter_route_contexts(app.routes)
        if route.path and route.endpoint in LANES and route.methods == {"POST"}
    }


class CheckLane:
    """Answer the check routes' valid JSON requests directly; hand everything else to the app."""

    def __init__(self, app: ASGIApp, *, paths: dict[str, tuple[TypeAdapter[Any], Answer]]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.paths.get(scope["path"]) if scope["type"] == "http" else None
        if lane is None or scope["method"] != "POST" or not _json_with_length(scope["headers"]):
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        if body is None:  # the client went away
            return
        adapter, answer = lane
        try:
            model = adapter.validate_json(body)
        except ValidationError:
            await self.app(scope, _replay(body, receive), send)
            return
        request = Request(scope, receive)
        who = await caller(
            request,
            await bearer_scheme(request),
            await cookie_scheme(request),
            await impersonation_scheme(request),
        )
        try:
            response = answer(model, who)
        except HomeroomError as error:
            response = domain_problem(request, error)
        await response(scope, receive, send)


def _json_with_length(headers: list[tuple[bytes, bytes]]) -> bool:
    kind = length = None
    for name, value in headers:
        if name == b"content-type" and kind is None:
            kind = value
        elif name == b"content-length":
            length = value
    return (
        length is not None
        and kind is not None
        and kind.split(b";", 1)[0].strip().lower() == b"application/json"
    )


async def _body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The request's body once more, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
