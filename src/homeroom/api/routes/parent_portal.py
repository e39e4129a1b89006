"""The parent portal: an org's logo (an image upload) and parents' self-registrations (math, math-prek2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel

from homeroom.api.deps import CallerDep, PageDep, encode_cursor
from homeroom.api.routes.common import ERRORS, PathId, UtcDatetime, checks
from homeroom.services import parent_portal
from homeroom.services.parent_portal import MAX_LOGO_BYTES, LogoInfo

router = APIRouter(prefix="/orgs", tags=["parent portal"], responses=ERRORS)
IMAGE_TYPES = ("image/png", "image/jpeg")
LOGO_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": f"the image itself (PNG or JPEG, at most {MAX_LOGO_BYTES} bytes), not a form",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGE_TYPES},
    }
}


async def _image(request: Request) -> bytes:
    return await request.body()


Image = Annotated[bytes, Depends(_image)]


class LogoOut(BaseModel):
    org: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: UtcDatetime

    @classmethod
    def of(cls, info: LogoInfo) -> LogoOut:
        return cls(**vars(info))


@router.put(
    "/{org_id}/parent-portal/logo", openapi_extra={**checks("parent_portal.upload_logo"), **LOGO_BODY}
)
def upload_logo(
    org_id: PathId,
    image: Image,
    caller: CallerDep,
    content_type: Annotated[str | None, Header(max_length=200)] = None,
) -> LogoOut:
    """Upload (or replace) the logo: send the image bytes as the body, typed `image/png` or `image/jpeg`."""
    declared = (content_type or "").split(";")[0].strip().lower()
    typed = declared if declared.startswith("image/") else None  # other types: the content decides
    return LogoOut.of(caller.run(lambda a: parent_portal.upload_logo(a, org_id, image, declared=typed)))


@router.get(
    "/{org_id}/parent-portal/logo",
    openapi_extra=checks("parent_portal.upload_logo"),
    response_class=Response,
    responses={200: {"content": {kind: {} for kind in IMAGE_TYPES}}},
)
def get_logo(org_id: PathId, caller: CallerDep) -> Response:
    """The logo's bytes, for whoever may replace it."""
    info, content = caller.run(lambda a: parent_portal.get_logo(a, org_id))
    return Response(content, media_type=info.media_type, headers={"ETag": f'"{info.sha256}"'})


class RegistrationOut(BaseModel):
    id: str
    org: str
    student: str | None
    given_name: str
    family_name: str
    email: str
    registered_at: UtcDatetime


class RegistrationPageOut(BaseModel):
    items: list[RegistrationOut]
    next_cursor: str | None


@router.get("/{org_id}/parent-registrations", openapi_extra=checks("parent_registration.view"))
def list_registrations(org_id: PathId, caller: CallerDep, page: PageDep) -> RegistrationPageOut:
    """Parents' self-registrations at the org and below it, in id order (every read is audited)."""
    found = caller.run(
        lambda a: parent_portal.list_registrations(a, org_id, after=page.after, limit=page.limit)
    )
    return RegistrationPageOut(
        items=[RegistrationOut(**vars(r)) for r in found.items], next_cursor=encode_cursor(found.next_after)
    )
