"""Values of single cells: required values, dates, enumerations, booleans, lists, and formula injection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from roster_packages import found, package_1_1, package_1_2, parse_files, with_rows

from homeroom.rostering import ACADEMIC_SESSIONS, ENROLLMENTS, ORGS, USERS, UserId
from homeroom.rostering.values import is_formula

# One bad row appended to a valid 1.2 package (so it sits on line 4 of orgs, academicSessions, users, roles
# and enrollments, line 3 of courses and classes), and the one problem it must cause.
BAD_ROWS = [
    ("orgs.csv", "s2,,,,school,,d1", "name", "missing_value"),
    ("orgs.csv", "s2,,,School Two,School,,d1", "type", "bad_enum"),
    ("orgs.csv", "s2,unknown,,School Two,school,,d1", "status", "bad_enum"),
    ("orgs.csv", "s2,,2023-13-01,School Two,school,,d1", "dateLastModified", "bad_date"),
    ("orgs.csv", "s2,,1/05/2023,School Two,school,,d1", "dateLastModified", "bad_date"),
    ("orgs.csv", "s2,,20230501,School Two,school,,d1", "dateLastModified", "bad_date"),
    ("orgs.csv", ",,,School Two,school,,d1", "sourcedId", "missing_value"),
    ("academicSessions.csv", "t2,,,Spring,term,2024-01-08,2024-02-30,y1,2024", "endDate", "bad_date"),
    ("academicSessions.csv", "t2,,,Spring,term,08/01/2024,2024-06-01,y1,2024", "startDate", "bad_date"),
    ("academicSessions.csv", "t2,,,Spring,term,2024-01-08,2023-06-01,y1,2024", "endDate", "bad_date_range"),
    ("academicSessions.csv", "t2,,,Spring,term,2024-01-08,2024-06-01,y1,24", "schoolYear", "bad_format"),
    ("academicSessions.csv", "t2,,,Spring,quarter,2024-01-08,2024-06-01,y1,2024", "type", "bad_enum"),
    ("academicSessions.csv", "t2,,,Spring,term,,2024-06-01,y1,2024", "startDate", "missing_value"),
    ("classes.csv", "k2,,,Art,,c1,,scheduled,,s1,,,,", "termSourcedIds", "missing_value"),
    ("classes.csv", "k2,,,Art,,c1,,lecture,,s1,t1,,,", "classType", "bad_enum"),
    ("users.csv", "u3,,,yes,cy,,Cy,Do,,,,,,,,,,,,,,s1,", "enabledUser", "bad_boolean"),
    ("users.csv", "u3,,,true,cy,LDAP:3,Cy,Do,,,,,,,,,,,,,,s1,", "userIds", "bad_format"),
    ("users.csv", "u3,,,true,cy,{LDAP:3}x,Cy,Do,,,,,,,,,,,,,,s1,", "userIds", "bad_format"),
    ("users.csv", "u3,,,true,,,Cy,Do,,,,,,,,,,,,,,s1,", "username", "missing_value"),
    ("roles.csv", "r3,,,u1,main,teacher,,,s1,", "roleType", "bad_enum"),
    ("roles.csv", "r3,,,u1,secondary,coach,,,s1,", "role", "bad_enum"),
    ("roles.csv", "r3,,,u1,secondary,aide,2024-05-01,2024-04-01,s1,", "endDate", "bad_date_range"),
    ("enrollments.csv", "e3,,,k1,s1,u1,teacher,maybe,,", "primary", "bad_boolean"),
    ("enrollments.csv", "e3,,,k1,s1,u1,aide,,,", "role", "bad_enum"),
]


@pytest.mark.parametrize(("file", "row", "column", "code"), BAD_ROWS)
def test_a_bad_cell_is_reported_with_its_file_line_column_and_code(
    tmp_path: Path, file: str, row: str, column: str, code: str
) -> None:
    parsed = parse_files(tmp_path, with_rows(package_1_2(), file, row))
    line = 3 if file in {"courses.csv", "classes.csv"} else 4
    assert found(parsed) == [(file, line, column, code)]
    report = parsed.report.file(file)
    assert report is not None
    assert report.rejected == 1


def test_the_problem_names_the_value_and_what_was_expected(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, with_rows(package_1_2(), "orgs.csv", "s2,,,School Two,School,,d1"))
    problem = parsed.report.problems[0]
    assert problem.value == "School"
    assert problem.expected == "one of department, school, district, local, state, national or ext:..."
    assert str(problem) == (
        "orgs.csv:4 column type value 'School': bad_enum "
        "(expected one of department, school, district, local, state, national or ext:...)"
    )


def test_enumerations_take_extensions_in_1_2_only(tmp_path: Path) -> None:
    row = "s2,,,Campus,ext:campus,,d1"
    assert parse_files(tmp_path / "a", with_rows(package_1_2(), "orgs.csv", row)).report.ok
    assert found(parse_files(tmp_path / "b", with_rows(package_1_1(), "orgs.csv", row))) == [
        ("orgs.csv", 4, "type", "bad_enum")
    ]


def test_inactive_status_is_accepted_in_1_1_only(tmp_path: Path) -> None:
    row = "s2,inactive,,School Two,school,,d1"
    assert parse_files(tmp_path / "a", with_rows(package_1_1(), "orgs.csv", row)).report.ok
    assert found(parse_files(tmp_path / "b", with_rows(package_1_2(), "orgs.csv", row))) == [
        ("orgs.csv", 4, "status", "bad_enum")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-01T18:25:43.511Z", datetime(2023, 5, 1, 18, 25, 43, 511000, tzinfo=UTC)),
        ("2023-05-01T18:25:43+02:00", datetime(2023, 5, 1, 18, 25, 43, tzinfo=timezone(timedelta(hours=2)))),
        ("2017-05-06 08:01:05", datetime(2017, 5, 6, 8, 1, 5, tzinfo=UTC)),
        ("2023-05-01", datetime(2023, 5, 1, tzinfo=UTC)),
    ],
)
def test_date_last_modified_accepts_iso_8601_forms(tmp_path: Path, text: str, expected: datetime) -> None:
    parsed = parse_files(
        tmp_path, with_rows(package_1_2(), "orgs.csv", f"s2,active,{text},School Two,school,,d1")
    )
    assert parsed.report.ok
    assert list(parsed.records(ORGS))[-1].date_last_modified == expected


def test_delta_files_need_status_and_date_last_modified(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, package_1_2(mode="delta"))
    assert found(parsed)[:2] == [
        ("orgs.csv", 2, "status", "missing_value"),
        ("orgs.csv", 2, "dateLastModified", "missing_value"),
    ]
    assert len(parsed.report.problems) == 2 * 12  # each of the 12 rows lacks both


def test_values_are_typed(tmp_path: Path) -> None:
    files = with_rows(
        package_1_2(),
        "users.csv",
        'u3,active,2024-01-02T03:04:05Z,TRUE,cy,"{LDAP:3}, {SIS:x-9}",Cy,Do,M,ID3,cy@x.org,555,+16035551234,'
        '"u1, u2","07,08",pw,m-3,,Cee,Em,Dee,s1,they/them',
    )
    parsed = parse_files(tmp_path, files)
    assert parsed.report.ok, parsed.report.problems
    user = list(parsed.records(USERS))[-1]
    assert user.enabled_user is True
    assert user.user_ids == (UserId("LDAP", "3"), UserId("SIS", "x-9"))
    assert user.agent_sourced_ids == ("u1", "u2")
    assert user.grades == ("07", "08")
    assert user.phone == "+16035551234"
    assert (user.user_master_identifier, user.preferred_given_name, user.pronouns) == (
        "m-3",
        "Cee",
        "they/them",
    )
    assert (user.role, user.org_sourced_ids, user.line) == (None, (), 4)
    assert not hasattr(user, "password")
    sessions = list(parsed.records(ACADEMIC_SESSIONS))
    assert (sessions[1].start_date, sessions[1].school_year) == (date(2023, 8, 1), 2024)
    assert [e.primary for e in parsed.records(ENROLLMENTS)] == [True, False]


@pytest.mark.parametrize("value", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=1", '=HYPERLINK("x")'])
def test_formula_injection_is_reported(tmp_path: Path, value: str) -> None:
    quoted = '"' + value.replace('"', '""') + '"'
    parsed = parse_files(tmp_path, with_rows(package_1_2(), "orgs.csv", f"s2,,,{quoted},school,,d1"))
    assert found(parsed) == [("orgs.csv", 4, "name", "formula_injection")]
    assert parsed.report.problems[0].value == value
    assert [org.sourced_id for org in parsed.records(ORGS)] == ["d1", "s1"]


def test_formula_injection_in_metadata_columns_is_reported(tmp_path: Path) -> None:
    orgs = "sourcedId,name,type,metadata.note\nd1,District,district,=cmd|' /C calc'!A0\ns1,School,school,\n"
    assert found(parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})) == [
        ("orgs.csv", 2, "metadata.note", "formula_injection")
    ]


def test_passwords_are_not_screened_because_they_are_never_kept(tmp_path: Path) -> None:
    files = with_rows(package_1_2(), "users.csv", "u3,,,true,cy,,Cy,Do,,,,,,,,=secret,,,,,,s1,")
    assert parse_files(tmp_path, files).report.ok


@pytest.mark.parametrize("value", ["-5", "+16035551234", "-0.5", "+1e3", "-.5"])
def test_plain_numbers_are_not_formulas(value: str) -> None:
    assert not is_formula(value)


@pytest.mark.parametrize("value", ["=A1", "-", "+1 603 555", "@x", "\t1", "\r", "-5-", "+-5"])
def test_formula_detection(value: str) -> None:
    assert is_formula(value)
