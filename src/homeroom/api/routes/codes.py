"""Signing in with the one-time code printed on a student's card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import Field

from homeroom.api.deps import CSRF_COOKIE, SESSION_COOKIE, homeroom_of
from homeroom.api.routes.auth import LoginOut
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
    max_age = int(app.settings.session_hours * 3600)
    for name, value, httponly in (
        (SESSION_COOKIE, started.secret, True),
        (CSRF_COOKIE, started.csrf_token, False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=httponly,
            samesite="lax",
            secure=app.settings.secure_cookies,
            path="/",
        )
    return LoginOut(user_id=started.user_id, csrf_token=started.csrf_token, expires_at=started.expires_at)
