"""The app factory: one FastAPI application over one `Homeroom` (settings, database, hasher)."""

from __future__ import annotations

import gc
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homeroom import errors
from homeroom.api import lanes, problems, scim
from homeroom.api.routes import ROUTERS
from homeroom.config import Settings
from homeroom.services.runtime import Homeroom

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
UPLOAD_PATHS = frozenset({"/api/v1/roster/imports"})  # bodies up to max_upload_bytes
DESCRIPTION = """Homeroom: the access manager for K-12 education software.

Sign in with `POST /api/v1/auth/login` (a session cookie plus a CSRF token for browsers) or send an API
token as `Authorization: Bearer hr_...`. Every route names the permissions it checks (`x-permissions`).
Errors are RFC 9457 problem details with a stable `code`. Updates and deletes need `If-Match` with the
ETag you read. Lists are paginated with `cursor` and `limit`.
"""


def create_app(settings: Settings | None = None, *, homeroom: Homeroom | None = None) -> FastAPI:
    """The ASGI app; it opens (and migrates) the database unless handed a running `Homeroom`."""
    owned = homeroom is None
    runtime = homeroom or Homeroom.open(settings or Settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What is alive once the server has started (modules, the app and its routes, the profiles)
        # lives as long as the process: frozen, it is never walked again by the collector, whose full
        # collections otherwise cost a batch of checks about a quarter of its time (docs/benchmarks.md).
        gc.collect()
        gc.freeze()
        yield
        if owned:
            runtime.close()

    app = FastAPI(title="Homeroom", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.homeroom = runtime
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix="/api/v1")
    app.include_router(scim.router, prefix=scim.routes.PREFIX)
    app.add_middleware(lanes.CheckLane, paths=lanes.lane_paths(app))  # inside RequestLimits
    app.add_middleware(
        RequestLimits,
        max_body_bytes=runtime.settings.max_body_bytes,
        max_upload_bytes=runtime.settings.max_upload_bytes,
    )
    return app


class RequestLimits:
    """Give every request an id (X-Request-ID, echoed) and refuse bodies above the configured size."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if REQUEST_ID.match(given) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        upload = scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await self._refuse(scope, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise errors.TooLarge(f"the request body exceeds {limit} bytes", details={"limit": limit})
            return message

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, counted, tagged)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        from starlette.requests import Request  # noqa: PLC0415 - only on this rare path

        error = errors.TooLarge(f"the request body exceeds {limit} bytes", details={"limit": limit})
        if scope["path"].startswith(scim.routes.PREFIX):  # SCIM clients read SCIM errors
            await scim.routes.domain_error(error)(scope, _empty, send)
            return
        response = problems.problem(
            Request(scope), 413, "payload_too_large", error.message, details={"limit": limit}
        )
        await response(scope, _empty, send)


async def _empty() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
