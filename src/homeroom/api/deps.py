"""What every route depends on: the caller (session cookie or bearer token), versions and pages.

Routes hold no authorization logic. They hand a use case to `Caller.run`, which authenticates inside the
unit of work, applies the Manager gate for admin routes, and runs the use case, whose first step is the
one authorization function.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Query, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from homeroom.errors import InvalidInput, PreconditionRequired, Unauthenticated
from homeroom.services.access import Access, Principal
from homeroom.services.console import require_console
from homeroom.services.logins import session_principal, token_principal
from homeroom.services.runtime import Homeroom

T = TypeVar("T")
SESSION_COOKIE = "homeroom_session"
CSRF_COOKIE = "homeroom_csrf"
CSRF_HEADER = "X-CSRF-Token"
IMPERSONATION_COOKIE = "homeroom_impersonation"

bearer_scheme = HTTPBearer(auto_error=False, description="an API token (`hr_...`)")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="a browser session")
impersonation_scheme = APIKeyCookie(
    name=IMPERSONATION_COOKIE, auto_error=False, description="a partner impersonation (it wins over the rest)"
)


def homeroom_of(request: Request) -> Homeroom:
    app: Homeroom = request.app.state.homeroom
    return app


@dataclass
class Caller:
    homeroom: Homeroom
    request_id: str
    method: str
    bearer: str | None
    cookie: str | None
    csrf: str | None
    impersonation: str | None = None

    def principal(self, session: Session, app: Homeroom) -> Principal:
        if self.impersonation:
            return session_principal(
                session, app, secret=self.impersonation, method=self.method, csrf=self.csrf
            )
        if self.bearer:
            return token_principal(session, app, secret=self.bearer)
        if self.cookie:
            return session_principal(session, app, secret=self.cookie, method=self.method, csrf=self.csrf)
        raise Unauthenticated("sign in first: send a session cookie or an `Authorization: Bearer` token")

    def run(self, use_case: Callable[[Access], T], *, console: bool = True) -> T:
        """Run `use_case` as the caller in one unit of work; admin routes also need Manager access."""

        def guarded(access: Access) -> T:
            if console:
                require_console(access)
            return use_case(access)

        return self.homeroom.work(self.principal, guarded, request_id=self.request_id)


async def caller(  # async: it only reads the request, so FastAPI need not hand it to a thread
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
    impersonation: Annotated[str | None, Depends(impersonation_scheme)],
) -> Caller:
    return Caller(
        homeroom_of(request),
        request.state.request_id,
        request.method,
        bearer.credentials if bearer else None,
        cookie,
        request.headers.get(CSRF_HEADER),
        impersonation,
    )


CallerDep = Annotated[Caller, Depends(caller)]


def etag(version: int) -> str:
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def expected_version(
    if_match: Annotated[
        str | None,
        Header(pattern=r'^(W/)?"?[0-9]{1,12}"?$', description='the ETag the change is based on, e.g. "3"'),
    ] = None,
) -> int:
    """The version an update or delete is based on; required, so no write is ever blind."""
    if if_match is None:
        raise PreconditionRequired(
            "send If-Match with the ETag of the version you read: updates and deletes are never blind"
        )
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 12:
        raise PreconditionRequired(f'If-Match {if_match!r} is not an ETag of this API (expected e.g. "3")')
    return int(text)


VersionDep = Annotated[int, Depends(expected_version)]


@dataclass(frozen=True)
class PageQuery:
    after: str | None
    limit: int


def page_query(
    request: Request,
    cursor: Annotated[
        str | None, Query(max_length=400, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000, description="items per page")] = None,
) -> PageQuery:
    settings = homeroom_of(request).settings
    size = min(limit or settings.page_size, settings.max_page_size)
    return PageQuery(decode_cursor(cursor) if cursor else None, size)


PageDep = Annotated[PageQuery, Depends(page_query)]


def encode_cursor(after: str | None) -> str | None:
    return base64.urlsafe_b64encode(after.encode()).decode().rstrip("=") if after is not None else None


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidInput(
            f"cursor {cursor!r} is not one this API gave out", code="invalid_cursor"
        ) from error
