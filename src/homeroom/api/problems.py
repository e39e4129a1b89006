"""The one table from domain errors to HTTP, and RFC 9457 problem details for every error response.

Every error body has `type` (a stable URN naming the code), `title`, `status`, `detail` (specific: which
field, which object, what was expected), `code` (stable, machine-readable), `request_id`, and for invalid
input the list of `errors`.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from starlette.routing import Match

from homeroom import errors

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("homeroom.api")

# most specific first: the first class an error is an instance of decides its status
STATUS_OF: list[tuple[type[errors.HomeroomError], int]] = [
    (errors.StaleVersion, 412),
    (errors.PreconditionRequired, 428),
    (errors.TooLarge, 413),
    (errors.InvalidInput, 422),
    (errors.NotFound, 404),
    (errors.Forbidden, 403),
    (errors.Conflict, 409),
    (errors.Unauthenticated, 401),
    (errors.Throttled, 429),
]


class Problem(BaseModel):
    """An RFC 9457 problem details document."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    errors: list[dict[str, str]] | None = None  # invalid input: each field's location and message


def status_of(error: errors.HomeroomError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 400)


def problem(request: Request, status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:homeroom:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": getattr(request.state, "request_id", None),
        **extra,
    }
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="homeroom"'
    if isinstance(extra.get("details"), dict) and "retry_after" in extra["details"]:
        headers["Retry-After"] = str(extra["details"]["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_problem(request: Request, error: errors.HomeroomError) -> JSONResponse:
    """The answer to a domain error: its status from the table above, its code, message and details."""
    details = {k: v for k, v in error.details.items() if _jsonable(v)}
    return problem(request, status_of(error), error.code, error.message, details=details)


def install(app: FastAPI) -> None:
    """Register the handlers: domain errors, invalid requests, HTTP errors, and anything unexpected."""

    @app.exception_handler(errors.HomeroomError)
    async def domain_error(request: Request, error: errors.HomeroomError) -> JSONResponse:
        return domain_problem(request, error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        found = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        first = found[0] if found else {"location": "request", "message": "invalid"}
        detail = f"{first['location']}: {first['message']}" + (
            f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        )
        return problem(request, 422, "invalid_input", detail, errors=found)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = HTTPStatus(error.status_code).phrase.lower().replace(" ", "_")
        response = problem(request, error.status_code, code, str(error.detail))
        response.headers.update(error.headers or {})
        if error.status_code == 405:
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.error("unexpected error", exc_info=error)
        return problem(request, 500, "internal_error", "an unexpected error occurred; it has been logged")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    found = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            found.append(method)
    return found


def _jsonable(value: object) -> bool:
    return isinstance(value, str | int | float | bool | list | tuple | dict) or value is None


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route may give."""
    schema = Problem.model_json_schema()
    return {
        status: {"description": HTTPStatus(status).phrase, "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in statuses
    }
