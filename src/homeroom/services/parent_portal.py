"""The parent portal: an org's logo (`parent_portal.upload_logo`) and parents' self-registrations
(`parent_registration.view`).

A logo is a PNG or JPEG of at most 1 MiB. Its type is decided by sniffing the bytes, never by the name
or the declared type alone: a declared type that disagrees with the content is refused, and so is
anything that is neither format. Registrations are written by the portal's sign-up (store function
`add_registration`); here they are only read, and every read is audited (parents' personal data).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeroom.errors import InvalidInput, NotFound, TooLarge
from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.store import parent_portal as store
from homeroom.store import tables as t

UPLOAD_LOGO: Final = "parent_portal.upload_logo"
VIEW_REGISTRATIONS: Final = "parent_registration.view"
MAX_LOGO_BYTES: Final = 1024 * 1024
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
JPEG_START: Final = b"\xff\xd8\xff"
MAX_SIDE: Final = 4096


@dataclass(frozen=True)
class LogoInfo:
    org: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: datetime


def sniff(content: bytes) -> str | None:
    """`image/png` or `image/jpeg` when the bytes are one, else None."""
    if content.startswith(PNG_SIGNATURE) and content[12:16] == b"IHDR" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return "image/png" if 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE else None
    if content.startswith(JPEG_START) and content.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "image/jpeg"
    return None


def upload_logo(access: Access, org_id: str, content: bytes, *, declared: str | None = None) -> LogoInfo:
    """Store (or replace) the org's parent-portal logo."""
    target = Ref("org", org_id)
    decision = authorize(access, UPLOAD_LOGO, target)
    media_type = _checked_type(content, declared)
    logo = store.Logo(media_type, content, access.actor, access.now)
    row = store.put_logo(access.session, access.tenant_id, org_id, logo)
    details: dict[str, object] = {"media_type": media_type, "size": row.size, "sha256": row.sha256}
    audit.record(access, UPLOAD_LOGO, target, decision=decision, details=details)
    return _info(row)


def _checked_type(content: bytes, declared: str | None) -> str:
    if len(content) > MAX_LOGO_BYTES:
        raise TooLarge(
            f"the logo has {len(content)} bytes: at most {MAX_LOGO_BYTES} (1 MiB) are accepted",
            details={"limit": MAX_LOGO_BYTES, "size": len(content)},
        )
    found = sniff(content)
    if found is None:
        raise InvalidInput(
            f"the logo is not a PNG or JPEG image (at most {MAX_SIDE} pixels a side)",
            code="unsupported_media_type",
            details={"expected": ["image/png", "image/jpeg"]},
        )
    if declared is not None and declared != found:
        raise InvalidInput(
            f"the upload was declared as {declared} but its content is {found}",
            code="media_type_mismatch",
            details={"declared": declared, "found": found},
        )
    return found


def get_logo(access: Access, org_id: str) -> tuple[LogoInfo, bytes]:
    """The org's logo and its bytes, for whoever may replace it."""
    authorize(access, UPLOAD_LOGO, Ref("org", org_id))
    row = store.get_logo(access.session, access.tenant_id, org_id)
    if row is None:
        raise NotFound(
            f"org {org_id!r} has no parent-portal logo", code="logo_not_found", details={"org": org_id}
        )
    return _info(row), bytes(row.content)


def _info(row: t.ParentPortalLogo) -> LogoInfo:
    return LogoInfo(row.org_id, row.media_type, row.size, row.sha256, row.uploaded_by, row.uploaded_at)


@dataclass(frozen=True)
class Registration:
    id: str
    org: str
    student: str | None
    given_name: str
    family_name: str
    email: str
    registered_at: datetime


@dataclass(frozen=True)
class RegistrationPage:
    items: list[Registration]
    next_after: str | None


def list_registrations(
    access: Access, org_id: str, *, after: str | None = None, limit: int = 50
) -> RegistrationPage:
    """Parents' self-registrations at the org and every org below it, in id order."""
    target = Ref("org", org_id)
    decision = authorize(access, VIEW_REGISTRATIONS, target)
    rows = store.registrations_under(access.session, access.tenant_id, org_id, after=after, limit=limit)
    items = [
        Registration(r.id, r.org_id, r.student_id, r.given_name, r.family_name, r.email, r.registered_at)
        for r in rows
    ]
    audit.record(
        access, VIEW_REGISTRATIONS, target, decision=decision, details={"listed": [r.id for r in items]}
    )
    return RegistrationPage(items, items[-1].id if len(items) == limit else None)
