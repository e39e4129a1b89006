"""Real OneRoster packages published by other projects (../shared/data/oneroster), parsed as they are.

Row counts were checked by hand (`wc -l` and a CSV reader); every problem listed was checked in the files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from homeroom.rostering import (
    ACADEMIC_SESSIONS,
    ENROLLMENTS,
    ORGS,
    ROLES,
    USER_PROFILES,
    USERS,
    Limits,
    ParsedPackage,
    parse_package,
)


def _samples() -> Path:
    """The workplace's shared sample folder: beside the checkout's parent, or at its fixed place."""
    candidates = [parent / "shared" / "data" / "oneroster" for parent in Path(__file__).parents]
    candidates.append(Path("/work/shared/data/oneroster"))
    return next((c for c in candidates if c.is_dir()), candidates[-1])


SAMPLES = _samples()


def _parse(name: str) -> ParsedPackage:
    path = SAMPLES / name
    assert path.exists(), f"sample {path} is missing"
    return parse_package(path, Limits())


def _rows(parsed: ParsedPackage) -> dict[str, tuple[str, int, int]]:
    return {f.file: (f.mode, f.rows, f.accepted) for f in parsed.report.files}


def _problems(parsed: ParsedPackage) -> list[tuple[str, int | None, str | None, str | None, str]]:
    return [(p.file, p.line, p.column, p.value, p.code) for p in parsed.report.problems]


def test_catalyst_full_data_set_1_1() -> None:
    parsed = _parse("Test_full_data_set.zip")
    assert parsed.report.version == "1.1"
    assert _rows(parsed) == {
        "orgs.csv": ("bulk", 1, 0),
        "academicSessions.csv": ("bulk", 5, 3),
        "classes.csv": ("bulk", 2, 0),
        "users.csv": ("bulk", 6, 6),
        "enrollments.csv": ("bulk", 6, 6),
    }
    assert _problems(parsed) == [
        ("orgs.csv", 2, "parentSourcedId", "org-sch-222-3456", "unknown_reference"),
        ("academicSessions.csv", 3, "parentSourcedId", "as-syr-222-2023", "unknown_reference"),
        ("academicSessions.csv", 6, "parentSourcedId", "as-syr-222-2023", "unknown_reference"),
        ("classes.csv", 2, "classType", "Scheduled", "bad_enum"),
        ("classes.csv", 3, "courseSourcedId", "crs-222-2023-456-23456", "unknown_reference"),
    ]
    users = list(parsed.records(USERS))
    assert [u.role for u in users] == ["teacher", "student", "parent", "teacher", "student", "student"]
    assert users[2].user_ids[2].type == "Fed"
    assert users[0].date_last_modified == datetime(2023, 5, 1, tzinfo=UTC)
    # 1.1 still knows 1.0's `inactive` status
    assert [s.status for s in parsed.records(ACADEMIC_SESSIONS)] == ["tobedeleted", "inactive", "active"]


def test_catalyst_minimal_data_set_1_1() -> None:
    parsed = _parse("Test_minimal_data_set.zip")
    assert _rows(parsed) == {
        "orgs.csv": ("bulk", 1, 1),
        "academicSessions.csv": ("bulk", 5, 5),
        "classes.csv": ("bulk", 2, 0),
        "users.csv": ("bulk", 6, 6),
        "enrollments.csv": ("bulk", 6, 6),
    }
    assert _problems(parsed) == [
        ("classes.csv", 2, "classType", "Scheduled", "bad_enum"),
        ("classes.csv", 3, "courseSourcedId", "crs-222-2023-456-23456", "unknown_reference"),
    ]
    assert [e.role for e in parsed.records(ENROLLMENTS)].count("teacher") == 2


def test_catalyst_minimal_data_set_with_stored_courses_only_has_the_bad_class_type() -> None:
    parsed = parse_package(
        SAMPLES / "Test_minimal_data_set.zip", Limits(), known=lambda kind, _: kind == "courses"
    )
    assert [p.code for p in parsed.report.problems] == ["bad_enum"]


def test_catalyst_delta_1_2_is_clean() -> None:
    parsed = _parse("oneroster_test_data.zip")
    assert parsed.report.ok
    assert parsed.report.problems == ()
    assert parsed.manifest is not None
    assert (parsed.manifest.version, parsed.manifest.system_name) == ("1.2", "DataGen")
    assert set(_rows(parsed).values()) == {("delta", 1, 1)}
    assert len(_rows(parsed)) == 8  # demographics.csv is listed but never read
    (user,) = parsed.records(USERS)
    assert (user.sourced_id, user.username, user.given_name, user.enabled_user) == (
        "USER_0",
        "brucewayne",
        "Bruce",
        True,
    )
    assert user.date_last_modified == datetime(2023, 10, 2, tzinfo=UTC)
    (role,) = parsed.records(ROLES)
    assert (role.user_sourced_id, role.role_type, role.role, role.org_sourced_id) == (
        "USER_0",
        "primary",
        "student",
        "ORG_1",
    )
    (profile,) = parsed.records(USER_PROFILES)
    assert (profile.vendor_id, profile.credential_type) == ("WEI18954", "login")


def test_catalyst_full_data_set_1_2_is_messy() -> None:
    parsed = _parse("v1p2_full_dataset.zip")
    assert _rows(parsed) == {
        "orgs.csv": ("bulk", 1, 0),
        "academicSessions.csv": ("bulk", 5, 2),
        "classes.csv": ("bulk", 2, 0),
        "users.csv": ("bulk", 6, 1),
        "roles.csv": ("bulk", 7, 0),
        "enrollments.csv": ("bulk", 6, 6),
    }
    assert _problems(parsed)[:4] == [
        ("manifest.csv", 21, "value", "", "bad_enum"),
        ("manifest.csv", 22, "value", "", "bad_enum"),
        ("manifest.csv", 23, "value", "", "bad_enum"),
        ("userprofiles.csv", None, None, None, "unlisted_file"),
    ]
    assert ("academicSessions.csv", 4, "status", "inactive", "bad_enum") in _problems(parsed)
    bad_dates = [(p[1], p[3]) for p in _problems(parsed) if p[4] == "bad_date"]
    assert bad_dates == [
        (2, "1/05/2023"),
        (4, "1/05/2023"),
        (5, "1/05/2023"),
        (6, "1/05/2023"),
        (7, "15/06/2023"),
    ]
    misspelled = [p[2] for p in _problems(parsed) if p[4] == "unknown_column"]
    assert misspelled == [
        "prefferedGivenName", "prefferedMiddleName", "prefferedFamilyName", "dataLastModified", "", "",
    ]  # fmt: skip
    assert [p[1] for p in _problems(parsed) if p[4] == "bad_row_length"] == [2, 3, 4, 5, 6, 7, 8]
    assert dict(parsed.report.counts) == {
        "bad_enum": 5,
        "unlisted_file": 1,
        "unknown_reference": 4,
        "unknown_column": 6,
        "bad_date": 5,
        "bad_row_length": 7,
    }
    assert [u.sourced_id for u in parsed.records(USERS)] == ["usr-222-66778899"]


def test_oat_sa_1_1_base_with_vendor_columns() -> None:
    parsed = _parse("oat-sa-1.1-base")
    assert _rows(parsed) == {
        "orgs.csv": ("bulk", 2, 2),
        "academicSessions.csv": ("bulk", 0, 0),
        "courses.csv": ("bulk", 0, 0),
        "classes.csv": ("bulk", 3, 0),
        "users.csv": ("bulk", 2, 2),
        "enrollments.csv": ("bulk", 3, 3),
    }
    errors = [p for p in _problems(parsed) if p[4] != "unknown_column"]
    assert errors == [
        ("academicSessions.csv", 1, "schoolYear", None, "missing_header"),
        ("classes.csv", 2, "courseSourcedId", "", "missing_value"),
        ("classes.csv", 3, "courseSourcedId", "", "missing_value"),
        ("classes.csv", 4, "courseSourcedId", "", "missing_value"),
    ]
    ignored = {(p[0], p[2]) for p in _problems(parsed) if p[4] == "unknown_column"}
    assert len(ignored) == 14
    # the vendor's plaintext student password column is ignored, never kept
    assert ("users.csv", "ext_imagineLearning_studentPassword") in ignored
    school, district = parsed.records(ORGS)
    assert school.metadata == (
        ("classification", "Classification 1"),
        ("gender", "mixed"),
        ("boarding", "FALSE"),
    )
    assert school.date_last_modified == datetime(2017, 5, 6, 8, 1, 5, tzinfo=UTC)
    assert (school.parent_sourced_id, district.parent_sourced_id) == ("54321", None)
    # enrollments.csv puts its columns in another order: matched by name
    assert [(e.user_sourced_id, e.class_sourced_id, e.status) for e in parsed.records(ENROLLMENTS)] == [
        ("user1", "class1", "active"),
        ("user1", "class2", None),
        ("user2", "class3", "active"),
    ]


@pytest.mark.parametrize("name", ["Test_full_data_set.zip", "v1p2_full_dataset.zip", "oat-sa-1.1-base"])
def test_messy_samples_are_not_ok(name: str) -> None:
    assert not _parse(name).report.ok
