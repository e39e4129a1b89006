"""Checks across rows and files: duplicate ids, references (bulk, delta, stored), cycles, enrollment roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_packages import ORGS, SESSIONS, found, manifest, package_1_1, package_1_2, parse_files, with_rows

from homeroom.rostering import ORGS as ORG_KIND
from homeroom.rostering import ROLES, USER_PROFILES, USERS
from homeroom.rostering.references import find_cycles


def test_a_duplicate_sourced_id_within_a_file(tmp_path: Path) -> None:
    parsed = parse_files(
        tmp_path, with_rows(package_1_2(), "users.csv", "u1,,,true,other,,O,T,,,,,,,,,,,,,,s1,")
    )
    assert found(parsed) == [("users.csv", 4, "sourcedId", "duplicate_sourced_id")]
    assert [u.username for u in parsed.records(USERS)] == ["ana", "ben"]


def test_the_same_id_in_two_files_is_not_a_duplicate(tmp_path: Path) -> None:
    assert parse_files(
        tmp_path, with_rows(package_1_2(), "courses.csv", "s1,,,y1,Same id as a school,,,s1,,")
    ).report.ok


@pytest.mark.parametrize(
    ("file", "row", "column"),
    [
        ("orgs.csv", "s2,,,School Two,school,,d9", "parentSourcedId"),
        ("academicSessions.csv", "t2,,,Spring,term,2024-01-08,2024-06-01,y9,2024", "parentSourcedId"),
        ("courses.csv", "c2,,,y9,Art,,,s1,,", "schoolYearSourcedId"),
        ("courses.csv", "c2,,,y1,Art,,,s9,,", "orgSourcedId"),
        ("classes.csv", "k2,,,Art,,c9,,scheduled,,s1,t1,,,", "courseSourcedId"),
        ("classes.csv", "k2,,,Art,,c1,,scheduled,,s9,t1,,,", "schoolSourcedId"),
        ("classes.csv", 'k2,,,Art,,c1,,scheduled,,s1,"t1,t9",,,', "termSourcedIds"),
        ("users.csv", "u3,,,true,cy,,Cy,Do,,,,,,u9,,,,,,,,s1,", "agentSourcedIds"),
        ("users.csv", "u3,,,true,cy,,Cy,Do,,,,,,,,,,,,,,s9,", "primaryOrgSourcedId"),
        ("roles.csv", "r3,,,u9,primary,teacher,,,s1,", "userSourcedId"),
        ("roles.csv", "r3,,,u1,secondary,aide,,,s9,", "orgSourcedId"),
        ("roles.csv", "r3,,,u1,secondary,aide,,,s1,p9", "userProfileSourcedId"),
        ("enrollments.csv", "e3,,,k9,s1,u1,teacher,,,", "classSourcedId"),
        ("enrollments.csv", "e3,,,k1,s9,u1,teacher,,,", "schoolSourcedId"),
        ("enrollments.csv", "e3,,,k1,s1,u9,teacher,,,", "userSourcedId"),
    ],
)
def test_an_unknown_reference(tmp_path: Path, file: str, row: str, column: str) -> None:
    parsed = parse_files(tmp_path, with_rows(package_1_2(), file, row))
    line = 3 if file in {"courses.csv", "classes.csv"} else 4
    assert found(parsed) == [(file, line, column, "unknown_reference")]
    assert parsed.report.problems[0].value is not None
    assert parsed.report.problems[0].value.endswith("9")


def test_an_unknown_reference_in_1_1_users(tmp_path: Path) -> None:
    parsed = parse_files(
        tmp_path, with_rows(package_1_1(), "users.csv", 'u3,,,true,"s1,s9",student,cy,,Cy,Do,,,,,,,,')
    )
    assert found(parsed) == [("users.csv", 4, "orgSourcedIds", "unknown_reference")]


def test_references_may_point_further_down_the_same_file(tmp_path: Path) -> None:
    orgs = "sourcedId,name,type,parentSourcedId\ns1,School One,school,d1\nd1,District One,district,\n"
    assert parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs}).report.ok


def test_a_reference_to_a_rejected_row_does_not_cascade(tmp_path: Path) -> None:
    orgs = ORGS.replace("s1,,,School One,school,,d1", "s1,,,School One,School,,d1")
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert found(parsed) == [("orgs.csv", 3, "type", "bad_enum")]


def _delta(files: dict[str, str | bytes], modes: dict[str, str]) -> dict[str, str | bytes]:
    """Keep only the files named in `modes`, with a manifest giving each its mode."""
    kept: dict[str, str | bytes] = {
        f"{name}.csv": files[f"{name}.csv"] for name, mode in modes.items() if mode != "absent"
    }
    kept["manifest.csv"] = manifest("1.2", files=modes)
    return kept


def test_in_delta_references_may_name_stored_records(tmp_path: Path) -> None:
    # classes.csv alone, in delta: its course, school and term are stored ones
    files = _delta(package_1_2(), {"classes": "delta", "courses": "absent", "orgs": "absent"})
    calls: list[tuple[str, str]] = []

    def known(kind: str, sourced_id: str) -> bool:
        calls.append((kind, sourced_id))
        return (kind, sourced_id) in {("courses", "c1"), ("orgs", "s1")}

    parsed = parse_files(tmp_path, files, known=known)
    assert found(parsed) == [
        ("classes.csv", 2, "status", "missing_value"),
        ("classes.csv", 2, "dateLastModified", "missing_value"),
    ]
    parsed = parse_files(
        tmp_path / "b",
        {**files, "classes.csv": str(files["classes.csv"]).replace(",,,Math", ",active,2024-01-01,Math")},
        known=known,
    )
    assert found(parsed) == [("classes.csv", 2, "termSourcedIds", "unknown_reference")]
    assert (
        parsed.report.problems[0].expected
        == "the sourcedId of a record in academicSessions.csv or of a stored record"
    )
    assert ("academicSessions", "t1") in calls


def test_without_a_callback_only_the_package_counts(tmp_path: Path) -> None:
    files = _delta(package_1_2(), {"enrollments": "delta"})
    files["enrollments.csv"] = str(files["enrollments.csv"]).replace(",,,k1", ",active,2024-01-01,k1")
    parsed = parse_files(tmp_path, files)
    assert [p.column for p in parsed.report.problems] == [
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
    ] * 2


def test_a_bulk_file_is_the_whole_set_so_stored_records_do_not_count(tmp_path: Path) -> None:
    files = with_rows(package_1_2(), "classes.csv", "k2,,,Art,,c1,,scheduled,,s2,t1,,,")
    parsed = parse_files(tmp_path, files, known=lambda *_: True)
    assert found(parsed) == [("classes.csv", 3, "schoolSourcedId", "unknown_reference")]
    assert parsed.report.problems[0].expected == "the sourcedId of a record in orgs.csv"


@pytest.mark.parametrize(
    ("orgs", "cycles"),
    [
        ("o1,,,A,district,,o1\n", [(2, "o1")]),
        ("o1,,,A,district,,o2\no2,,,B,district,,o1\n", [(2, "o2"), (3, "o1")]),
        (
            "o1,,,A,district,,o2\no2,,,B,district,,o3\no3,,,C,district,,o2\no4,,,D,school,,o1\n",
            [(3, "o3"), (4, "o2")],
        ),
    ],
)
def test_org_cycles_are_reported_on_every_member(
    tmp_path: Path, orgs: str, cycles: list[tuple[int, str]]
) -> None:
    header = ORGS.splitlines()[0] + "\n"
    files = {"orgs.csv": header + orgs, "manifest.csv": manifest("1.2", files={"orgs": "bulk"})}
    parsed = parse_files(tmp_path, files)
    assert [(p.line, p.column, p.value, p.code) for p in parsed.report.problems] == [
        (line, "parentSourcedId", parent, "org_cycle") for line, parent in cycles
    ]
    in_cycle = {line for line, _ in cycles}
    assert [org.line for org in parsed.records(ORG_KIND)] == [
        line for line in range(2, 2 + orgs.count("\n")) if line not in in_cycle
    ]


def test_session_cycles(tmp_path: Path) -> None:
    sessions = SESSIONS.replace(
        "y1,,,2024,schoolYear,2023-08-01,2024-06-30,,2024",
        "y1,,,2024,schoolYear,2023-08-01,2024-06-30,t1,2024",
    )
    parsed = parse_files(tmp_path, {**package_1_2(), "academicSessions.csv": sessions})
    assert found(parsed) == [
        ("academicSessions.csv", 2, "parentSourcedId", "session_cycle"),
        ("academicSessions.csv", 3, "parentSourcedId", "session_cycle"),
    ]
    assert "(y1 -> t1 -> y1)" in parsed.report.problems[0].expected


def test_find_cycles_reports_each_cycle_once() -> None:
    parents = {"a": "b", "b": "c", "c": "a", "d": "a", "e": "e", "f": "g"}
    assert find_cycles(parents) == [["a", "b", "c"], ["e"]]
    assert find_cycles({}) == []


def test_a_student_enrolled_as_teacher_1_1(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, with_rows(package_1_1(), "enrollments.csv", "e3,,,k1,s1,u2,teacher,,,"))
    assert found(parsed) == [("enrollments.csv", 4, "role", "enrollment_role_conflict")]
    assert parsed.report.problems[0].value == "teacher"
    assert parsed.report.problems[0].expected == "student, the only role of user u2"


def test_a_student_enrolled_as_teacher_1_2_uses_roles_csv(tmp_path: Path) -> None:
    files = with_rows(package_1_2(), "enrollments.csv", "e3,,,k1,s1,u2,teacher,,,")
    assert found(parse_files(tmp_path / "a", files)) == [
        ("enrollments.csv", 4, "role", "enrollment_role_conflict")
    ]
    # a user who also holds a staff role somewhere may teach
    files = with_rows(files, "roles.csv", "r3,,,u2,secondary,aide,,,s1,")
    assert parse_files(tmp_path / "b", files).report.ok


def test_a_teacher_may_be_enrolled_as_a_student(tmp_path: Path) -> None:
    assert parse_files(
        tmp_path, with_rows(package_1_1(), "enrollments.csv", "e3,,,k1,s1,u1,student,,,")
    ).report.ok


def test_user_profiles_are_read_in_1_2(tmp_path: Path) -> None:
    profiles = (
        "sourcedId,status,dateLastModified,userSourcedId,profileType,vendorId,applicationId,description,"
        "credentialType,username,password\np1,,,u1,SYSTEM,V1,,,login,ana,hunter2\n"
    )
    files = with_rows(package_1_2(), "roles.csv", "r3,,,u1,secondary,aide,,,s1,p1")
    files["userProfiles.csv"] = profiles
    files["manifest.csv"] = str(files["manifest.csv"]) + "file.userProfiles,bulk\n"
    parsed = parse_files(tmp_path, files)
    assert parsed.report.ok, parsed.report.problems
    assert list(parsed.records(ROLES))[-1].user_profile_sourced_id == "p1"
    (profile,) = parsed.records(USER_PROFILES)
    assert (profile.sourced_id, profile.user_sourced_id, profile.username, profile.line) == (
        "p1",
        "u1",
        "ana",
        2,
    )
    assert not hasattr(profile, "password")
