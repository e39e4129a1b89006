"""Signing in with the one-time code printed on a student's card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import Field

from homeroom.api.deps import homeroom_of
from homeroom.api.routes.auth import LoginOut, signed_in
from homeroom.api.routes.common import ERRORS, Input, checks
from homeroom.services import signin_codes

router = APIRouter(prefix="/auth", tags=["sign in"], responses=ERRORS)


class CodeLoginIn(Input):
    tenant: Annotated[str, Field(min_length=1, max_length=200)]
    username: Annotated[str, Field(min_length=1, max_length=100)]
    code: Annotated[str, Field(min_length=1, max_length=40, description="as printed: `ABCD-EFGH-JKLM`")]


@router.post("/code-login", openapi_extra=checks(public=True))
def code_login(body: CodeLoginIn, request: Request, response: Response) -> LoginOut:
    """Start a browser session with a card's sign-in code: it works once. Throttled like `/auth/login`."""
    app = homeroom_of(request)
    address = request.client.host if request.client else "unknown"
    started = signin_codes.code_login(app, body.tenant, body.username, body.code, address=address)
    return signed_in(response, app, started)
