"""The SCIM endpoints. Every one is the same adapter: read the request, serve it as the caller, answer.

The routes are declared one by one so that the OpenAPI document lists them with the permissions they
check; a last catch-all route gives unknown SCIM paths and methods their SCIM 404 and 405 answers.
"""

from __future__ import annotations

import json
from typing import Any, Final

from fastapi import APIRouter, Request, Response
from scim2_models import Error, SCIMException
from scim2_server.requests import ScimRequest
from scim2_server.responses import SCIM_MEDIA_TYPE, ScimResponse
from starlette.concurrency import run_in_threadpool

from homeroom import errors
from homeroom.api.deps import Caller, homeroom_of
from homeroom.api.routes.common import checks
from homeroom.api.scim import errors as scim_errors
from homeroom.services.scim.protocol import serve

PREFIX: Final = "/scim/v2"
USERS: Final = ("student.view", "staff.view", "user.view")
USER_WRITES: Final = (
    "student.create",
    "staff.create",
    "user.create",
    "student.edit",
    "staff.edit",
    "staff.set_active",
    "user.edit",
    "student.move",
    "staff.move",
    "user.change_org",
)
USER_DELETES: Final = ("student.delete", "student.delete_inactive", "staff.delete", "user.delete")
GROUPS: Final = ("class.manage", "class.edit")
GROUP_WRITES: Final = (
    "class.create",
    "class.edit",
    "class.assign_teacher",
    "class.add_existing_student",
    "class.remove_student",
)
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    status: {"description": text, "content": {SCIM_MEDIA_TYPE: {"schema": {"type": "object"}}}}
    for status, text in (
        (400, "invalid request (scimType: invalidFilter, invalidValue, mutability, invalidSyntax...)"),
        (401, "no valid API token"),
        (403, "the policy does not allow it"),
        (404, "no such resource, or one you may not see"),
        (409, "uniqueness: a username or external id already taken"),
        (412, "If-Match names another version"),
        (413, "body too large"),
        (501, "not supported (bulk, /Me, sorting across resource types)"),
    )
}

router = APIRouter(tags=["scim"], responses=ERRORS)


async def scim(request: Request) -> Response:
    """Serve one SCIM request (RFC 7644) as the account whose API token it carries."""
    try:
        body = await request.body()
    except errors.TooLarge as error:
        return domain_error(error)
    bearer = _bearer(request)
    if bearer is None:
        return domain_error(
            errors.Unauthenticated("send an API token of an account: `Authorization: Bearer hr_...`")
        )
    path = request.url.path
    base = str(request.base_url).rstrip("/") + PREFIX
    scim_request = ScimRequest(
        method=request.method,
        base_url=base,
        path=path[path.index(PREFIX) + len(PREFIX) :] or "/",
        query=dict(request.query_params),
        headers=list(request.headers.items()),
        body=body,
    )
    caller = Caller(homeroom_of(request), request.state.request_id, request.method, bearer, None, None)
    return await run_in_threadpool(_answer, caller, scim_request)


def _answer(caller: Caller, scim_request: ScimRequest) -> Response:
    try:
        answer = caller.run(lambda access: serve(access, scim_request), console=False)
    except errors.HomeroomError as error:
        return _error(*scim_errors.of_domain(error))
    except SCIMException as error:
        return _error(*scim_errors.of_protocol(error))
    except Exception as error:  # noqa: BLE001 - every answer of this API is a SCIM document
        return _error(*scim_errors.unexpected(error))
    return _response(answer)


def domain_error(error: errors.HomeroomError) -> Response:
    """The SCIM error response for a domain error (also used by the app's body-size guard)."""
    return _error(*scim_errors.of_domain(error))


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def _response(answer: ScimResponse) -> Response:
    content = json.dumps(answer.body).encode() if answer.body is not None else b""
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-type"}
    media_type = answer.headers.get("Content-Type", SCIM_MEDIA_TYPE) if answer.body is not None else None
    return Response(content, status_code=int(answer.status), headers=headers, media_type=media_type)


def _error(error: Error, headers: dict[str, str]) -> Response:
    body = error.model_dump()
    return Response(
        json.dumps(body).encode(),
        status_code=int(error.status or 500),
        headers=headers,
        media_type=SCIM_MEDIA_TYPE,
    )


def _route(path: str, methods: list[str], summary: str, permissions: tuple[str, ...]) -> None:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in ("resource_id",)
        if "{" + name + "}" in path
    ]
    router.add_api_route(
        path,
        scim,
        methods=methods,
        summary=summary,
        name=f"scim {' '.join(methods)} {path}",
        openapi_extra={**checks(*permissions), "parameters": parameters},
    )


_route("/ServiceProviderConfig", ["GET"], "What this server supports", ())
_route("/ResourceTypes", ["GET"], "The resource types: User, and Group where the product has classes", ())
_route("/ResourceTypes/{resource_id}", ["GET"], "One resource type", ())
_route("/Schemas", ["GET"], "The schemas, with your placement defaults as canonical values", ())
_route("/Schemas/{resource_id}", ["GET"], "One schema", ())
_route("/Users", ["GET"], "Search the accounts you may view (filter, sortBy, startIndex, count)", USERS)
_route("/Users", ["POST"], "Create an account", USER_WRITES)
_route("/Users/.search", ["POST"], "Search the accounts you may view, with the query in the body", USERS)
_route("/Users/{resource_id}", ["GET"], "One account", USERS)
_route("/Users/{resource_id}", ["PUT"], "Replace an account's attributes", USER_WRITES)
_route("/Users/{resource_id}", ["PATCH"], "Change an account (`active: false` deactivates)", USER_WRITES)
_route("/Users/{resource_id}", ["DELETE"], "Delete an account (soft: it leaves every list)", USER_DELETES)
_route("/Groups", ["GET"], "Search the classes you may view", GROUPS)
_route("/Groups", ["POST"], "Create a class, with its teachers and students", GROUP_WRITES)
_route("/Groups/.search", ["POST"], "Search the classes you may view, with the query in the body", GROUPS)
_route("/Groups/{resource_id}", ["GET"], "One class", GROUPS)
_route("/Groups/{resource_id}", ["PUT"], "Replace a class's name and members", GROUP_WRITES)
_route("/Groups/{resource_id}", ["PATCH"], "Change a class's name or members", GROUP_WRITES)
_route("/Groups/{resource_id}", ["DELETE"], "Delete a class", ("class.delete",))
_route("/", ["GET"], "Search users and classes together", USERS + GROUPS)
_route("/.search", ["POST"], "Search users and classes together, with the query in the body", USERS + GROUPS)
router.add_api_route(
    "/{path:path}",
    scim,
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
    openapi_extra=checks(),
)
