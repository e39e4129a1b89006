"""A generated tenant as a OneRoster 1.2 bulk CSV package, the shape a district's SIS exports.

    write_package(tenant, folder)   # manifest.csv, orgs.csv, users.csv, roles.csv, classes.csv,
                                    # courses.csv, academicSessions.csv, enrollments.csv
    python -m bench.oneroster L /tmp/oneroster-L

Rows are written as they are made, one file after the other, so memory stays that of the world plus a
set of class ids. Everything is derived from the world and the tenant's indexes: the same tenant always
gives byte-identical files.

Mapping (the customer is Homeroom's licensee, not a OneRoster org, so it and its customer
administrators are not exported):

* districts and schools -> orgs.csv (`district` without parent, `school` under its district);
* students, teachers, school and district administrators -> users.csv, with one roles.csv row per
  role (`student` at the home school, `teacher`, `siteAdministrator`, `districtAdministrator` at the
  assignment's org: the 1.2 role vocabulary, which replaced 1.1's `administrator`); inactive accounts
  have `enabledUser` false;
* classes -> classes.csv, each with a course of its school (courses.csv) and the school year's two
  semesters (academicSessions.csv);
* enrollments of students and teaching assignments of teachers -> enrollments.csv (the first teacher
  of a class is its primary teacher).

Purged and soft-deleted accounts and purged classes are left out: in a bulk file, absence is deletion.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from bench.generate import SIZES, Tenant, generate
from homeroom.policy.world import INACTIVE, NOT_DELETED, STUDENT, User

Row = tuple[str, ...]

MODIFIED = "2025-08-01T00:00:00.000Z"
YEAR = ("as-2026", "2025-26", "schoolYear", "2025-08-18", "2026-06-26", "", "2026")
TERMS = (
    ("as-2026-s1", "Fall semester", "semester", "2025-08-18", "2026-01-16", "as-2026", "2026"),
    ("as-2026-s2", "Spring semester", "semester", "2026-01-20", "2026-06-26", "as-2026", "2026"),
)
SUBJECTS = (
    ("Mathematics", "MATH"),
    ("English Language Arts", "ELA"),
    ("Science", "SCI"),
    ("Social Studies", "SOC"),
    ("Art", "ART"),
    ("Music", "MUS"),
    ("Physical Education", "PE"),
)
SCHOOL_GRADES = (
    ("KG", "01", "02", "03", "04", "05"),
    ("06", "07", "08"),
    ("09", "10", "11", "12"),
)
GIVEN = (
    "Ava", "Liam", "Sofia", "Noah", "Mia", "Mateo", "Amara", "Ethan", "Yuki", "Omar", "Chloe", "Diego",
    "Priya", "Lucas", "Zara", "Kwame", "Elena", "Hiro", "Grace", "Tariq", "Nina", "Samuel", "Leila", "Owen",
)  # fmt: skip
FAMILY = (
    "Garcia", "Smith", "Nguyen", "Johnson", "Okafor", "Rodriguez", "Kim", "Williams", "Patel", "Brown",
    "Cohen", "Lopez", "Chen", "Davis", "Haddad", "Martinez", "Singh", "Wilson", "Rossi", "Ali", "Moore",
    "Kowalski", "Tanaka", "Clark", "Mensah", "Lewis", "Ivanova", "Walker", "Santos",
)  # fmt: skip
ROLES = {"teacher": "teacher", "school_admin": "siteAdministrator", "district_admin": "districtAdministrator"}

HEADERS: dict[str, Row] = {
    "manifest.csv": ("propertyName", "value"),
    "academicSessions.csv": (
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
        "parentSourcedId", "schoolYear",
    ),
    "orgs.csv": ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"),
    "courses.csv": (
        "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
        "orgSourcedId", "subjects", "subjectCodes",
    ),
    "classes.csv": (
        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
        "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
    ),
    "users.csv": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
        "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
        "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
        "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
    ),
    "roles.csv": (
        "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate",
        "endDate", "orgSourcedId", "userProfileSourcedId",
    ),
    "enrollments.csv": (
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
        "role", "primary", "beginDate", "endDate",
    ),
}  # fmt: skip
BULK = ("academicSessions", "classes", "courses", "enrollments", "orgs", "roles", "users")
ABSENT = (
    "categories", "classResources", "courseResources", "demographics", "lineItemLearningObjectiveIds",
    "lineItems", "lineItemScoreScales", "resources", "resultLearningObjectiveIds", "results",
    "resultScoreScales", "scoreScales", "userProfiles", "userResources",
)  # fmt: skip


def sourced(kind: str, object_id: str) -> str:
    """The package's sourcedId of a Homeroom object (`org`, `usr`, `cls`, ...)."""
    return f"{kind}-{object_id}"


def write_package(tenant: Tenant, folder: Path) -> dict[str, int]:
    """Write the package into `folder` (created if needed); return the data rows written per file."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.csv": _manifest(),
        "academicSessions.csv": _sessions(),
        "orgs.csv": _orgs(tenant),
        "courses.csv": _courses(tenant),
        "classes.csv": _classes(tenant),
        "users.csv": _users(tenant),
        "roles.csv": _roles(tenant),
        "enrollments.csv": _enrollments(tenant),
    }
    return {name: _write(folder / name, HEADERS[name], rows) for name, rows in files.items()}


def _write(path: Path, header: Row, rows: Iterable[Row]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # RFC 4180, as the CSV binding asks
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _manifest() -> Iterator[Row]:
    yield ("manifest.version", "1.0")
    yield ("oneroster.version", "1.2")
    for name in sorted((*BULK, *ABSENT), key=str.lower):
        yield (f"file.{name}", "bulk" if name in BULK else "absent")
    yield ("source.systemName", "Homeroom benchmark generator")
    yield ("source.systemCode", "homeroom-bench")


def _sessions() -> Iterator[Row]:
    for session_id, *rest in (YEAR, *TERMS):
        yield (session_id, "active", MODIFIED, *rest)


def _orgs(tenant: Tenant) -> Iterator[Row]:
    for number, district in enumerate(tenant.districts):
        name = f"District {number + 1}"
        yield (sourced("org", district), "active", MODIFIED, name, "district", f"D{number + 1:03}", "")
    for number, school in enumerate(tenant.schools):
        parent = tenant.world.orgs[school].parent or ""
        kind = ("Elementary", "Middle", "High")[number % 3]
        yield (
            sourced("org", school), "active", MODIFIED, f"{kind} School {number + 1}", "school",
            f"S{number + 1:05}", sourced("org", parent),
        )  # fmt: skip


def _grades(tenant: Tenant) -> dict[str, tuple[str, ...]]:
    """Schools are elementary, middle or high schools in turn."""
    return {school: SCHOOL_GRADES[number % 3] for number, school in enumerate(tenant.schools)}


def _course_of(school: str, position: int, grades: tuple[str, ...]) -> tuple[str, str, str, str]:
    """(course id, subject, subject code, grade) of the class at `position` among its school's classes."""
    subject, code = SUBJECTS[position % len(SUBJECTS)]
    grade = grades[position // len(SUBJECTS) % len(grades)]
    return f"crs-{school}-{code}-{grade}", subject, code, grade


def _courses(tenant: Tenant) -> Iterator[Row]:
    grades = _grades(tenant)
    for school in tenant.schools:
        seen: set[str] = set()
        for position in range(len(tenant.classes_by_school[school])):
            course, subject, code, grade = _course_of(school, position, grades[school])
            if course not in seen:
                seen.add(course)
                yield (
                    course, "active", MODIFIED, YEAR[0], f"{subject} {grade}", f"{code}{grade}", grade,
                    sourced("org", school), subject, "",
                )  # fmt: skip


def _classes(tenant: Tenant) -> Iterator[Row]:
    grades, terms = _grades(tenant), ",".join(term[0] for term in TERMS)
    for school in tenant.schools:
        for position, class_id in enumerate(tenant.classes_by_school[school]):
            if tenant.world.classes[class_id].deleted != NOT_DELETED:
                continue
            course, subject, code, grade = _course_of(school, position, grades[school])
            section = position // (len(SUBJECTS) * len(grades[school])) + 1
            yield (
                sourced("cls", class_id), "active", MODIFIED, f"{subject} {grade} - {section}", grade, course,
                f"{code}{grade}-{section}", "scheduled", f"Room {100 + position}", sourced("org", school),
                terms, subject, "", str(position % 8 + 1),
            )  # fmt: skip


def _staff(tenant: Tenant) -> Iterator[User]:
    users = tenant.world.users
    for school in tenant.schools:
        yield from (users[t] for t in tenant.teachers_by_school[school])
    yield from (users[a] for a in tenant.school_admins)
    yield from (users[a] for a in tenant.district_admins)


def _exported(tenant: Tenant) -> Iterator[tuple[User, str]]:
    """Every exported account with its grade (students) or "" (staff)."""
    grades = _grades(tenant)
    users = tenant.world.users
    for school in tenant.schools:
        span = grades[school]
        for position, student_id in enumerate(tenant.students_by_school[school]):
            student = users[student_id]
            if student.deleted == NOT_DELETED:
                yield student, span[position % len(span)]
    for staff in _staff(tenant):
        if staff.deleted == NOT_DELETED:
            yield staff, ""


def _users(tenant: Tenant) -> Iterator[Row]:
    for number, (user, grade) in enumerate(_exported(tenant)):
        given, family = GIVEN[number % len(GIVEN)], FAMILY[number * 7 % len(FAMILY)]
        username = f"{given}.{family}.{user.id}".lower()
        domain = "students.example.org" if user.kind == STUDENT else "example.org"
        primary = user.orgs[0] if user.orgs else user.roles[0].org
        yield (
            sourced("usr", user.id), "active", MODIFIED, "false" if user.status == INACTIVE else "true",
            username, "", given, family, "", user.id, f"{username}@{domain}", "", "", "", grade, "", "", "",
            "", "", "", sourced("org", primary), "",
        )  # fmt: skip


def _roles(tenant: Tenant) -> Iterator[Row]:
    for user, _ in _exported(tenant):
        places = [("student", org) for org in user.orgs] + [(ROLES[a.role], a.org) for a in user.roles]
        for position, (role, org) in enumerate(places):
            yield (
                f"rol-{user.id}-{position}", "active", MODIFIED, sourced("usr", user.id),
                "primary" if position == 0 else "secondary", role, "", "", sourced("org", org), "",
            )  # fmt: skip


def _enrollments(tenant: Tenant) -> Iterator[Row]:
    world = tenant.world
    taught: set[str] = set()
    for user, _ in _exported(tenant):
        student = user.kind == STUDENT
        for class_id in user.enrolled_in if student else user.teaches:
            school_class = world.classes[class_id]
            if school_class.deleted != NOT_DELETED:
                continue
            primary = not student and class_id not in taught
            if primary:
                taught.add(class_id)
            role = "student" if student else "teacher"
            yield (
                f"enr-{class_id}-{user.id}", "active", MODIFIED, sourced("cls", class_id),
                sourced("org", school_class.school), sourced("usr", user.id), role,
                "true" if primary else "false", YEAR[3], YEAR[4],
            )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a generated tenant as a OneRoster 1.2 CSV package.")
    parser.add_argument("size", choices=sorted(SIZES), help="the generator's size")
    parser.add_argument("folder", type=Path, help="where to write the CSV files (created if needed)")
    args = parser.parse_args(argv)
    tenant = generate(args.size)
    started = time.perf_counter()
    rows = write_package(tenant, args.folder)
    seconds = time.perf_counter() - started
    print(f"{sum(rows.values()):,} rows in {len(rows)} files written to {args.folder} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
