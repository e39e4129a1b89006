"""The OneRoster 1.2 writer: manifest, headers, escaped formulas, and write-then-parse as a fixed point."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeroom.rostering import (
    ACADEMIC_SESSIONS,
    CLASSES,
    COURSES,
    ENROLLMENTS,
    KINDS,
    ORGS,
    ROLES,
    USER_PROFILES,
    USERS,
    AcademicSessionRecord,
    ClassRecord,
    CourseRecord,
    EnrollmentRecord,
    Kind,
    Limits,
    OrgRecord,
    RoleRecord,
    UserId,
    UserProfileRecord,
    UserRecord,
    parse_package,
    write_package,
)
from homeroom.rostering.columns import CLASS_TYPES, ENROLLMENT_ROLES, ORG_TYPES, ROLES_1_2, SESSION_TYPES
from homeroom.rostering.values import is_formula

ORG = OrgRecord(
    "o1", "active", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "=1+2", "school", "-7", None, (), 2
)


def _members(content: dict[Kind[Any], list[Any]], **options: Any) -> dict[str, list[list[str]]]:
    out = io.BytesIO()
    write_package(out, content, **options)
    with zipfile.ZipFile(out) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"), newline="")))
            for name in archive.namelist()
        }


def test_the_manifest_lists_every_1_2_file() -> None:
    members = _members({ORGS: [ORG]}, mode="delta", system_name="Homeroom")
    manifest = dict(members["manifest.csv"][1:])
    assert manifest["manifest.version"] == "1.0"
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["file.orgs"] == "delta"
    assert manifest["file.users"] == "absent"
    assert len([key for key in manifest if key.startswith("file.")]) == 21
    assert manifest["source.systemName"] == "Homeroom"
    assert "source.systemCode" not in manifest
    assert sorted(members) == ["manifest.csv", "orgs.csv"]


def test_rows_have_the_official_header_and_formulas_are_escaped() -> None:
    rows = _members({ORGS: [ORG]})["orgs.csv"]
    assert rows == [
        ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
        ["o1", "active", "2024-01-02T03:04:05.000Z", "'=1+2", "school", "-7", ""],
    ]


def test_an_escaped_formula_reads_back_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with path.open("wb") as out:
        write_package(out, {ORGS: [ORG]})
    parsed = parse_package(path, Limits())
    assert parsed.report.ok
    assert [org.name for org in parsed.records(ORGS)] == ["'=1+2"]


def test_users_leave_password_and_resources_blank() -> None:
    user = UserRecord(
        "u1", None, None, True, "ana", (UserId("LDAP", "1"),), "Ana", "Lee", None, None, None, None, None,
        ("u2", "u3"), ("07",), None, (), None, None, None, None, "o1", None, (), 2,
    )  # fmt: skip
    header, row = _members({USERS: [user]})["users.csv"]
    cells = dict(zip(header, row, strict=True))
    assert (cells["password"], cells["resourceSourcedIds"]) == ("", "")
    assert (cells["userIds"], cells["agentSourcedIds"], cells["enabledUser"]) == ("{LDAP:1}", "u2,u3", "true")


def test_an_export_is_bulk_or_delta() -> None:
    with pytest.raises(ValueError, match="bulk or delta"):
        write_package(io.BytesIO(), {}, mode="absent")


# Write-then-parse round trip over coherent random packages.

# Values a spreadsheet would run as formulas are escaped on export by design: they are not round-tripped.
_ID = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=6).filter(
    lambda text: not is_formula(text)
)
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters='\n"'),
    min_size=1,
    max_size=12,
).filter(lambda text: not is_formula(text))
_ITEM = st.text(alphabet="ABCDEFGHIJ0123456789 .", min_size=1, max_size=5).map(str.strip).filter(bool)
_ITEMS = st.lists(_ITEM, max_size=3).map(tuple)
_STATUS = st.sampled_from([None, "active", "tobedeleted"])
_NAIVE_BOUNDS = (datetime(1990, 1, 1), datetime(2090, 1, 1))  # noqa: DTZ001 (Hypothesis adds the zone itself)
_STAMP = st.none() | st.datetimes(*_NAIVE_BOUNDS, timezones=st.just(UTC))
_DAY = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1))
_USER_ID = st.builds(
    UserId, st.from_regex(r"[A-Za-z]{1,5}", fullmatch=True), st.from_regex(r"[a-z0-9.-]{0,6}", fullmatch=True)
)


def _state(draw: st.DrawFn) -> dict[str, Any]:
    return {"status": draw(_STATUS), "date_last_modified": draw(_STAMP), "metadata": (), "line": 0}


def _optional(draw: st.DrawFn, strategy: st.SearchStrategy[Any] = _TEXT) -> Any:
    return draw(st.none() | strategy)


@st.composite
def packages(draw: st.DrawFn) -> dict[Kind[Any], list[Any]]:
    ids = draw(st.lists(_ID, min_size=8, max_size=8, unique=True))
    org_ids, session_ids = ids[:2], ids[2:4]
    orgs = [
        OrgRecord(
            sourced_id=org,
            name=draw(_TEXT),
            type=draw(st.sampled_from(ORG_TYPES)),
            identifier=_optional(draw),
            parent_sourced_id=org_ids[0] if n else None,
            **_state(draw),
        )
        for n, org in enumerate(org_ids)
    ]
    sessions = []
    for n, session in enumerate(session_ids):
        start = draw(_DAY)
        sessions.append(
            AcademicSessionRecord(
                sourced_id=session,
                title=draw(_TEXT),
                type=draw(st.sampled_from(SESSION_TYPES)),
                start_date=start,
                end_date=start + timedelta(days=draw(st.integers(0, 400))),
                school_year=draw(st.integers(1000, 9999)),
                parent_sourced_id=session_ids[0] if n else None,
                **_state(draw),
            )
        )
    course = CourseRecord(
        sourced_id=ids[4],
        school_year_sourced_id=_optional(draw, st.sampled_from(session_ids)),
        title=draw(_TEXT),
        course_code=_optional(draw),
        grades=draw(_ITEMS),
        org_sourced_id=draw(st.sampled_from(org_ids)),
        subjects=draw(_ITEMS),
        subject_codes=draw(_ITEMS),
        **_state(draw),
    )
    school_class = ClassRecord(
        sourced_id=ids[5],
        title=draw(_TEXT),
        grades=draw(_ITEMS),
        course_sourced_id=ids[4],
        class_code=_optional(draw),
        class_type=draw(st.sampled_from(CLASS_TYPES)),
        location=_optional(draw),
        school_sourced_id=org_ids[1],
        term_sourced_ids=tuple(
            draw(st.lists(st.sampled_from(session_ids), min_size=1, max_size=2, unique=True))
        ),
        subjects=draw(_ITEMS),
        subject_codes=draw(_ITEMS),
        periods=draw(_ITEMS),
        **_state(draw),
    )
    users = [_user(draw, user, ids[6:8], org_ids) for user in ids[6:8]]
    profile = UserProfileRecord(
        sourced_id="p-" + ids[6],
        user_sourced_id=ids[6],
        profile_type=draw(_TEXT),
        vendor_id=draw(_TEXT),
        application_id=_optional(draw),
        description=_optional(draw),
        credential_type=draw(_TEXT),
        username=draw(_TEXT),
        **_state(draw),
    )
    roles = [
        RoleRecord(
            sourced_id="r-" + user.sourced_id,
            user_sourced_id=user.sourced_id,
            role_type=draw(st.sampled_from(["primary", "secondary"])),
            role=draw(st.sampled_from(ROLES_1_2)),
            begin_date=None,
            end_date=_optional(draw, _DAY),
            org_sourced_id=draw(st.sampled_from(org_ids)),
            user_profile_sourced_id="p-" + ids[6] if user.sourced_id == ids[6] else None,
            **_state(draw),
        )
        for user in users
    ]
    student_only = {role.user_sourced_id for role in roles if role.role == "student"}
    enrollments = [
        EnrollmentRecord(
            sourced_id="e-" + user.sourced_id,
            class_sourced_id=ids[5],
            school_sourced_id=org_ids[1],
            user_sourced_id=user.sourced_id,
            primary=_optional(draw, st.booleans()),
            role="student" if user.sourced_id in student_only else draw(st.sampled_from(ENROLLMENT_ROLES)),
            begin_date=_optional(draw, _DAY),
            end_date=None,
            **_state(draw),
        )
        for user in users
    ]
    return {
        ORGS: orgs,
        ACADEMIC_SESSIONS: sessions,
        COURSES: [course],
        CLASSES: [school_class],
        USERS: users,
        USER_PROFILES: [profile],
        ROLES: roles,
        ENROLLMENTS: enrollments,
    }


def _user(draw: st.DrawFn, sourced_id: str, user_ids: list[str], org_ids: list[str]) -> UserRecord:
    return UserRecord(
        sourced_id=sourced_id,
        enabled_user=draw(st.booleans()),
        username=draw(_TEXT),
        user_ids=tuple(draw(st.lists(_USER_ID, max_size=2))),
        given_name=draw(_TEXT),
        family_name=draw(_TEXT),
        middle_name=_optional(draw),
        identifier=_optional(draw),
        email=_optional(draw),
        sms=_optional(draw),
        phone=_optional(draw),
        agent_sourced_ids=tuple(draw(st.lists(st.sampled_from(user_ids), max_size=2, unique=True))),
        grades=draw(_ITEMS),
        role=None,
        org_sourced_ids=(),
        user_master_identifier=_optional(draw),
        preferred_given_name=_optional(draw),
        preferred_middle_name=_optional(draw),
        preferred_family_name=_optional(draw),
        primary_org_sourced_id=_optional(draw, st.sampled_from(org_ids)),
        pronouns=_optional(draw),
        **_state(draw),
    )


@settings(max_examples=60, deadline=None)
@given(packages())
def test_write_then_parse_gives_the_same_records(content: dict[Kind[Any], list[Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.zip"
        with path.open("wb") as out:
            write_package(out, content)
        parsed = parse_package(path, Limits())
        assert parsed.report.problems == ()
        for kind in KINDS:
            assert [replace(record, line=0) for record in parsed.records(kind)] == content[kind]
