"""Signing in and out, the caller's own account, API tokens, and accepting an invitation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from homeroom.api.deps import CSRF_COOKIE, SESSION_COOKIE, CallerDep, homeroom_of
from homeroom.api.routes.common import ERRORS, Input, Name, UtcDatetime, checks
from homeroom.api.routes.users import AccountOut
from homeroom.services import logins
from homeroom.services.access import Principal
from homeroom.services.accounts import read_account
from homeroom.services.logins import accept_invitation, invitation_principal
from homeroom.services.runtime import Homeroom

router = APIRouter(prefix="/auth", tags=["sign in"], responses=ERRORS)
Secret = Annotated[str, Field(min_length=1, max_length=256)]


class LoginIn(Input):
    tenant: Annotated[str, Field(min_length=1, max_length=200)]
    username: Annotated[str, Field(min_length=1, max_length=100)]
    password: Secret


class LoginOut(BaseModel):
    user_id: str
    csrf_token: str = Field(description="send it back as X-CSRF-Token on every unsafe request")
    expires_at: UtcDatetime


@router.post("/login", openapi_extra=checks(public=True))
def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    """Start a browser session. Failed attempts are throttled per account and per address."""
    app = homeroom_of(request)
    address = request.client.host if request.client else "unknown"
    started = logins.login(app, body.tenant, body.username, body.password, address=address)
    return signed_in(response, app, started)


def signed_in(response: Response, app: Homeroom, started: logins.NewSession) -> LoginOut:
    """Set the session cookie (HttpOnly) and the CSRF cookie (readable by the page's script)."""
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


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=checks())
def logout(caller: CallerDep, response: Response) -> None:
    """End the current session."""
    caller.run(logins.logout, console=False)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.get("/me", openapi_extra=checks())
def me(caller: CallerDep) -> AccountOut:
    """The signed-in account."""
    return AccountOut.of(caller.run(lambda a: read_account(a, a.actor), console=False))


class TokenIn(Input):
    name: Annotated[Name, Field(min_length=1)]


class TokenOut(BaseModel):
    id: str
    name: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None = None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="shown once: store it now")


@router.post("/tokens", status_code=status.HTTP_201_CREATED, openapi_extra=checks())
def create_token(body: TokenIn, caller: CallerDep) -> IssuedTokenOut:
    """A new API token for your own account."""
    issued = caller.run(lambda a: logins.issue_token(a, body.name), console=False)
    return IssuedTokenOut(id=issued.id, name=issued.name, created_at=issued.created_at, token=issued.token)


@router.get("/tokens", openapi_extra=checks())
def list_tokens(caller: CallerDep) -> list[TokenOut]:
    rows = caller.run(logins.list_tokens, console=False)
    return [TokenOut(id=r.id, name=r.name, created_at=r.created_at, revoked_at=r.revoked_at) for r in rows]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=checks())
def revoke_token(token_id: Annotated[str, Field(max_length=32)], caller: CallerDep) -> None:
    """Revoke one of your tokens: it stops working at once."""
    caller.run(lambda a: logins.revoke_token(a, token_id), console=False)


class AcceptIn(Input):
    token: Secret
    password: Secret


@router.post(
    "/invitations/accept",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=checks("staff.setup_own_account", public=True),
)
def accept(body: AcceptIn, request: Request) -> None:
    """Set the password of an invited staff account with its one-time invitation token."""
    app = homeroom_of(request)

    def principal(session: Session, runtime: Homeroom) -> Principal:
        return invitation_principal(session, runtime, secret=body.token)

    app.work(principal, lambda a: accept_invitation(a, body.password), request_id=request.state.request_id)
