"""The parse_package API: the report, the cap on problems, and reading the accepted records again."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_packages import package_1_1, package_1_2, parse_files, with_rows, write_zip

from homeroom.errors import InvalidInput
from homeroom.rostering import (
    CODES,
    ENROLLMENTS,
    KINDS,
    ORGS,
    ROLES,
    USERS,
    Limits,
    OrgRecord,
    Problem,
    parse_package,
)


def test_a_valid_package_reports_counts_per_file(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, package_1_2())
    report = parsed.report
    assert report.ok
    assert (report.version, report.total, report.errors, report.omitted) == ("1.2", 0, 0, 0)
    assert [(f.file, f.mode, f.rows, f.accepted, f.rejected) for f in report.files] == [
        ("orgs.csv", "bulk", 2, 2, 0),
        ("academicSessions.csv", "bulk", 2, 2, 0),
        ("courses.csv", "bulk", 1, 1, 0),
        ("classes.csv", "bulk", 1, 1, 0),
        ("users.csv", "bulk", 2, 2, 0),
        ("roles.csv", "bulk", 2, 2, 0),
        ("enrollments.csv", "bulk", 2, 2, 0),
    ]
    assert {kind.name: parsed.mode(kind) for kind in KINDS}["userProfiles"] == "absent"


def test_records_are_read_again_in_file_order(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, package_1_2())
    assert list(parsed.records(ORGS)) == [
        OrgRecord("d1", None, None, "District One", "district", None, None, (), 2),
        OrgRecord("s1", None, None, "School One", "school", None, "d1", (), 3),
    ]
    assert list(parsed.records(ORGS)) == list(parsed.records(ORGS))
    assert [(e.user_sourced_id, e.role) for e in parsed.records(ENROLLMENTS)] == [
        ("u1", "teacher"),
        ("u2", "student"),
    ]


def test_1_1_packages_have_no_roles_file(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, package_1_1())
    assert parsed.report.ok
    assert list(parsed.records(ROLES)) == []
    assert [(u.role, u.org_sourced_ids) for u in parsed.records(USERS)] == [
        ("teacher", ("s1",)),
        ("student", ("s1",)),
    ]


def test_rejected_rows_are_left_out_when_read_again(tmp_path: Path) -> None:
    files = with_rows(
        package_1_2(),
        "enrollments.csv",
        "e3,,,k1,s1,u9,student,,,",
        "e4,,,k1,s1,u2,student,,,",
        "e3,,,k1,s1,u1,,,,",
    )
    parsed = parse_files(tmp_path, files)
    assert [(p.line, p.code) for p in parsed.report.problems] == [
        (4, "unknown_reference"),
        (6, "missing_value"),
        (6, "duplicate_sourced_id"),
    ]
    assert [e.sourced_id for e in parsed.records(ENROLLMENTS)] == ["e1", "e2", "e4"]
    report = parsed.report.file("enrollments.csv")
    assert report is not None
    assert (report.rows, report.accepted, report.rejected) == (5, 3, 2)
    assert not parsed.report.ok


def test_records_stream_lazily_and_a_changed_file_is_detected(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, package_1_2())
    users = tmp_path / "package" / "users.csv"
    records = parsed.records(USERS)
    assert next(records).sourced_id == "u1"
    users.write_text(users.read_text().replace("Ortiz", "Ortíz"))
    with pytest.raises(InvalidInput) as raised:
        list(records)
    assert raised.value.code == "package_changed"
    with pytest.raises(InvalidInput, match=r"users\.csv changed since it was validated"):
        list(parsed.records(USERS))


def test_a_changed_zip_is_detected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", package_1_2())
    parsed = parse_package(path, Limits())
    assert [o.sourced_id for o in parsed.records(ORGS)] == ["d1", "s1"]
    files = package_1_2()
    files["orgs.csv"] = str(files["orgs.csv"]).replace("District One", "District 1")
    write_zip(path, files)
    with pytest.raises(InvalidInput):
        list(parsed.records(ORGS))


def test_the_problem_list_is_capped_and_the_rest_counted(tmp_path: Path) -> None:
    rows = [f"s{n},,,School {n},school,,d9" for n in range(2, 12)]
    parsed = parse_files(tmp_path, with_rows(package_1_2(), "orgs.csv", *rows), limits=Limits(max_problems=3))
    report = parsed.report
    assert [p.line for p in report.problems] == [4, 5, 6]
    assert (report.total, report.omitted, report.errors) == (10, 7, 10)
    assert dict(report.counts) == {"unknown_reference": 10}
    # the cap limits the report only: every rejected row is still left out
    assert [o.sourced_id for o in parsed.records(ORGS)] == ["d1", "s1"]


def test_warnings_do_not_make_a_report_fail(tmp_path: Path) -> None:
    files = {**package_1_2(), "readme.txt": "hi"}
    report = parse_files(tmp_path, files).report
    assert (report.ok, report.total, report.errors) == (True, 1, 0)


def test_every_code_has_a_severity_and_a_meaning() -> None:
    assert all(severity in {"error", "warning"} and meaning for severity, meaning in CODES.values())
    assert sorted(code for code, (severity, _) in CODES.items() if severity == "warning") == [
        "unknown_column",
        "unknown_property",
        "unlisted_file",
    ]


def test_a_problem_with_an_unknown_code_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="unknown problem code"):
        Problem("users.csv", 2, "role", "x", "bad_thing", "y")


def test_long_values_are_clipped(tmp_path: Path) -> None:
    name = "=" + "x" * 500
    parsed = parse_files(tmp_path, with_rows(package_1_2(), "orgs.csv", f"s2,,,{name},school,,d1"))
    value = parsed.report.problems[0].value
    assert value is not None
    assert len(value) == 203
    assert value.endswith("...")
