"""Importing OneRoster packages: what lands where, what a second run writes, holds, deltas, atomicity."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.sync.conftest import District
from tests.unit.rostering.roster_packages import manifest, package_1_1, package_1_2, with_rows, write_folder

from homeroom.store import tables as t

pytestmark = pytest.mark.db

STUDENTS = [f"s{i},,,true,s1,student,stu{i},,Stu,Dent{i},,,,,,,07," for i in range(3, 13)]


def _write(tmp_path: Path, files: dict[str, str | bytes], name: str = "package") -> Path:
    return write_folder(tmp_path / name, files)


def _big(tmp_path: Path, name: str = "big", drop: int = 0) -> Path:
    """Package 1.1 with twelve students (u2, s3..s13), less the last `drop` of them."""
    files = with_rows(package_1_1(), "users.csv", *STUDENTS[: len(STUDENTS) - drop])
    return _write(tmp_path, files, name)


def test_a_clean_1_1_package_lands_in_the_tree(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    outcome = d.run(_write(tmp_path, package_1_1()))
    assert outcome.status == "applied", outcome.as_json()
    users = d.users()
    assert users["u1"].kind == "staff"
    assert users["u1"].username == "ana"
    assert users["u1"].given_name == "Ana"
    assert users["u2"].kind == "student"
    assert users["u2"].status == "active"
    assert users["u2"].password_hash is None  # rostered accounts sign in with codes or set a password later
    orgs = {row[0]: row for row in d.rows(t.Org)}
    assert orgs["s1"][1] == "school"
    assert orgs["s1"][2] == d.root
    assert ("u1", "teacher", "s1", 0) in d.rows(t.RoleAssignment)
    assert ("u1", "k1", 0) in d.rows(t.Teaching)
    assert ("u2", "k1", 0) in d.rows(t.Enrollment)
    # a student's school is a home org; staff are placed by their roles, as when made by hand
    assert {(u, o) for u, o, _ in d.rows(t.UserOrg)} == {("u2", "s1")}
    counts = outcome.as_json()["plan"]["counts"]
    assert counts["students"]["created"] == 1
    assert counts["staff"]["created"] == 1
    assert counts["enrollments"]["created"] == 1
    assert counts["teaching"]["created"] == 1


def test_a_clean_1_2_package_lands_in_the_tree(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    outcome = d.run(_write(tmp_path, package_1_2()))
    assert outcome.status == "applied", outcome.as_json()
    users = d.users()
    assert users["u1"].kind == "staff"
    assert users["u1"].email == "ana@example.org"
    assert users["u2"].kind == "student"
    assert ("u1", "teacher", "s1", 0) in d.rows(t.RoleAssignment)


def test_a_second_run_of_the_same_package_writes_nothing(
    tmp_path: Path, district: Callable[..., District]
) -> None:
    d = district()
    path = _write(tmp_path, package_1_2())
    assert d.run(path).status == "applied"
    before = d.snapshot()
    again = d.run(path)
    assert again.status == "unchanged"
    assert again.rows_written == 0
    assert d.snapshot() == before  # not even an audit entry or a revision


def test_a_dry_run_reports_the_plan_and_writes_nothing(
    tmp_path: Path, district: Callable[..., District]
) -> None:
    d = district()
    before = d.snapshot()
    outcome = d.run(_write(tmp_path, package_1_1()), dry_run=True)
    assert outcome.status == "planned"
    assert outcome.as_json()["plan"]["counts"]["students"]["created"] == 1
    assert d.snapshot() == before


def test_changed_fields_are_updated_and_versioned(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    d.run(_write(tmp_path, package_1_1(), "first"))
    changed = package_1_1()
    changed["users.csv"] = str(changed["users.csv"]).replace("Ben,Ortiz", "Benjamin,Ortiz")
    outcome = d.run(_write(tmp_path, changed, "second"))
    assert outcome.status == "applied"
    assert outcome.as_json()["plan"]["counts"]["students"] == {"created": 0, "updated": 1, "removed": 0}
    user = d.users()["u2"]
    assert user.given_name == "Benjamin"
    assert user.version == 2


def test_bulk_absence_deactivates_below_the_threshold(
    tmp_path: Path, district: Callable[..., District]
) -> None:
    d = district()
    d.run(_big(tmp_path, "all"))
    outcome = d.run(_big(tmp_path, "one-less", drop=1))  # 1 of 11 students: 9%
    assert outcome.status == "applied", outcome.as_json()
    users = d.users()
    assert users["s12"].status == "inactive"
    assert users["s12"].deleted == "none"
    assert users["s11"].status == "active"


def test_a_large_removal_is_held_until_approved(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    d.run(_big(tmp_path, "all"))
    before = d.snapshot()
    smaller = _big(tmp_path, "three-less", drop=3)
    held = d.run(smaller)
    assert held.status == "held"
    assert any("3 of 11 students" in reason for reason in held.as_json()["plan"]["held"])
    assert d.snapshot() == before
    approved = d.run(smaller, approve=True)
    assert approved.status == "applied"
    assert sorted(k for k, u in d.users().items() if u.status == "inactive") == ["s10", "s11", "s12"]


def test_removing_an_administrator_is_held(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    admin = "a1,,,true,s1,administrator,boss,,Bo,Ss,,,,,,,,"
    with_admin = with_rows(_big_files(), "users.csv", admin)
    d.run(_write(tmp_path, with_admin, "with-admin"))
    assert ("a1", "school_admin", "s1", 0) in d.rows(t.RoleAssignment)
    outcome = d.run(_write(tmp_path, _big_files(), "without-admin"))
    assert outcome.status == "held"
    assert any("administrator" in reason for reason in outcome.as_json()["plan"]["held"])


def _big_files() -> dict[str, str | bytes]:
    return with_rows(package_1_1(), "users.csv", *STUDENTS)


def test_delta_tobedeleted_deactivates_and_adds(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    d.run(_big(tmp_path, "all"))
    users = (
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
        "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
        "s3,tobedeleted,2024-01-01T00:00:00Z,true,s1,student,stu3,,Stu,Dent3,,,,,,,07,\n"
        "n1,active,2024-01-01T00:00:00Z,true,s1,student,new1,,New,Kid,,,,,,,07,\n"
    )
    enrollments = (
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,"
        "endDate\ne9,active,2024-01-01T00:00:00Z,k1,s1,n1,student,false,,\n"
    )
    files: dict[str, str | bytes] = {
        "manifest.csv": manifest("1.1", {"users": "delta", "enrollments": "delta"}),
        "users.csv": users,
        "enrollments.csv": enrollments,
    }
    outcome = d.run(_write(tmp_path, files, "delta"))
    assert outcome.status == "applied", outcome.as_json()
    after = d.users()
    assert after["s3"].status == "inactive"
    assert after["n1"].status == "active"
    assert after["s4"].status == "active"  # a delta file is not complete: absence removes nothing
    assert ("n1", "k1", 0) in d.rows(t.Enrollment)


def test_hand_made_accounts_are_never_removed_by_absence(
    tmp_path: Path, district: Callable[..., District]
) -> None:
    d = district()
    d.run(_write(tmp_path, package_1_1(), "first"))
    d.add_hand_made_student("handmade", "s1")
    outcome = d.run(_write(tmp_path, package_1_1(), "again"))
    assert outcome.status == "unchanged"
    assert next(u for u in d.users().values() if u.username == "handmade").status == "active"


def test_a_clash_with_stored_data_rejects_everything(
    tmp_path: Path, district: Callable[..., District]
) -> None:
    d = district()
    d.run(_write(tmp_path, package_1_1(), "first"))
    before = d.snapshot()
    stolen = with_rows(package_1_1(), "users.csv", "u9,,,true,s1,student,ana,,Other,Ana,,,,,,,07,")
    outcome = d.run(_write(tmp_path, stolen, "clash"))
    assert outcome.status == "rejected"
    problems = outcome.as_json()["problems"]
    assert any(
        p["code"] in ("username_taken", "duplicate_username") and p["value"] == "ana" for p in problems
    )
    assert d.snapshot() == before


def test_a_student_cannot_become_staff(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    d.run(_write(tmp_path, package_1_1(), "first"))
    before = d.snapshot()
    turned = package_1_1()
    turned["users.csv"] = str(turned["users.csv"]).replace("u2,,,true,s1,student,", "u2,,,true,s1,teacher,")
    turned["enrollments.csv"] = str(turned["enrollments.csv"]).replace("u2,student", "u2,teacher")
    outcome = d.run(_write(tmp_path, turned, "turned"))
    assert outcome.status == "rejected"
    assert any(p["code"] == "account_kind_change" and p["line"] == 3 for p in outcome.as_json()["problems"])
    assert d.snapshot() == before


def test_export_then_import_is_a_fixed_point(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    d.run(_big(tmp_path, "all"))
    d.add_hand_made_student("handmade", "s1")
    package = d.export(tmp_path / "export.zip")
    outcome = d.run(package, dry_run=True)
    assert outcome.status == "planned", outcome.as_json()["problems"]
    assert outcome.as_json()["plan"]["counts"] == {k: {"created": 0, "updated": 0, "removed": 0} for k in (
        "orgs", "classes", "staff", "students", "roles", "user_orgs", "teaching", "enrollments")}  # fmt: skip
    fresh = district()
    assert fresh.run(package).status == "applied"
    assert sorted(u.username or "" for u in fresh.users().values()) == sorted(
        u.username or "" for u in d.users().values()
    )


def test_the_import_is_audited(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district()
    d.run(_write(tmp_path, package_1_1()))
    with d.app.sessions.begin() as session:
        actions = session.scalars(
            select(t.AuditEntry.action).where(
                t.AuditEntry.tenant_id == d.tenant_id, t.AuditEntry.action == "roster.import"
            )
        ).all()
    assert actions == ["roster.import"]
