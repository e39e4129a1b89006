"""The parent portal's logo upload (sniffed, size-limited, stored as bytes) and parents' registrations."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant

from homeroom.errors import Forbidden, InvalidInput, NotFound, TooLarge
from homeroom.services import parent_portal
from homeroom.store import tables as t
from homeroom.store.parent_portal import NewRegistration, add_registration

pytestmark = pytest.mark.db


def png(width: int = 2, height: int = 1) -> bytes:
    """A valid PNG of grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def _stored(tenant: Tenant, org: str) -> tuple[str, bytes] | None:
    row = tenant.read(lambda s: s.get(t.ParentPortalLogo, (tenant.id, org)))
    return (row.media_type, bytes(row.content)) if row is not None else None


def test_the_customer_administrator_uploads_and_replaces_the_logo(math: Tenant) -> None:
    image = png()
    info = math.as_(
        "carol_customer", lambda a: parent_portal.upload_logo(a, "maple_valley", image, declared="image/png")
    )
    assert (info.org, info.media_type, info.size, info.uploaded_by) == (
        "maple_valley",
        "image/png",
        len(image),
        "carol_customer",
    )
    assert _stored(math, "maple_valley") == ("image/png", image)
    math.as_("carol_customer", lambda a: parent_portal.upload_logo(a, "maple_valley", JPEG))
    assert _stored(math, "maple_valley") == ("image/jpeg", JPEG)
    read, content = math.as_("carol_customer", lambda a: parent_portal.get_logo(a, "maple_valley"))
    assert (read.media_type, content) == ("image/jpeg", JPEG)


def test_other_administrators_may_not_upload(math: Tenant) -> None:
    with pytest.raises(Forbidden):
        math.as_("dana_district", lambda a: parent_portal.upload_logo(a, "maple_valley", png()))
    with pytest.raises(NotFound):  # a teacher of another school does not see roosevelt_ms
        math.as_("tomas_teacher", lambda a: parent_portal.upload_logo(a, "roosevelt_ms", png()))
    assert _stored(math, "maple_valley") is None
    a = t.AuditEntry
    query = select(a.action, a.allowed, a.target_id).where(a.tenant_id == math.id).order_by(a.seq)
    assert math.read(lambda s: [tuple(r) for r in s.execute(query)]) == [
        ("parent_portal.upload_logo", False, "maple_valley"),
        ("parent_portal.upload_logo", False, "roosevelt_ms"),
    ]


@pytest.mark.parametrize(
    ("content", "declared", "code"),
    [
        (b"GIF89a" + b"\x00" * 40, None, "unsupported_media_type"),
        (png(5000, 1), None, "unsupported_media_type"),  # wider than any logo
        (png()[:20], None, "unsupported_media_type"),  # truncated header
        (JPEG, "image/png", "media_type_mismatch"),
        (png(), "image/gif", "media_type_mismatch"),
    ],
)
def test_content_is_sniffed(math: Tenant, content: bytes, declared: str | None, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        math.as_(
            "carol_customer", lambda a: parent_portal.upload_logo(a, "northwind", content, declared=declared)
        )
    assert raised.value.code == code
    assert _stored(math, "northwind") is None


def test_a_logo_is_at_most_one_mebibyte(math: Tenant) -> None:
    image = png()
    padded = image + b"\x00" * (1024 * 1024 - len(image) + 1)
    with pytest.raises(TooLarge, match="at most 1048576"):
        math.as_("carol_customer", lambda a: parent_portal.upload_logo(a, "northwind", padded))
    assert _stored(math, "northwind") is None


def _register(tenant: Tenant, registration_id: str, org: str, student: str | None = None) -> None:
    at = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    new = NewRegistration(
        registration_id, org, "Pat", "Parent", f"{registration_id}@example.org", at, student
    )
    tenant.read(lambda s: add_registration(s, tenant.id, new))


def test_registrations_are_listed_below_the_org_and_every_read_is_audited(math: Tenant) -> None:
    _register(math, "r1", "lincoln_elem", "sam_student")
    _register(math, "r2", "roosevelt_ms")
    _register(math, "r3", "northwind")
    page = math.as_("carol_customer", lambda a: parent_portal.list_registrations(a, "maple_valley", limit=1))
    assert [(r.id, r.org, r.student) for r in page.items] == [("r1", "lincoln_elem", "sam_student")]
    assert page.next_after == "r1"
    rest = math.as_(
        "carol_customer", lambda a: parent_portal.list_registrations(a, "maple_valley", after="r1")
    )
    assert [r.id for r in rest.items] == ["r2"]
    assert rest.next_after is None
    everything = math.as_("carol_customer", lambda a: parent_portal.list_registrations(a, "northwind"))
    assert [r.id for r in everything.items] == ["r1", "r2", "r3"]
    a = t.AuditEntry
    query = (
        select(a.details)
        .where(a.tenant_id == math.id, a.action == "parent_registration.view")
        .order_by(a.seq)
    )
    assert math.read(lambda s: list(s.scalars(query)))[0] == '{"listed": ["r1"]}'


def test_registrations_are_for_the_customer_administrator(math: Tenant) -> None:
    _register(math, "r1", "lincoln_elem")
    with pytest.raises(Forbidden):
        math.as_("priya_principal", lambda a: parent_portal.list_registrations(a, "lincoln_elem"))
    with pytest.raises(NotFound):
        math.as_("priya_principal", lambda a: parent_portal.list_registrations(a, "roosevelt_ms"))
