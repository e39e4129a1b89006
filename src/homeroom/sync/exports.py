"""A tenant's subtree as a OneRoster 1.2 bulk package, written so that importing it changes nothing.

Each object's sourcedId is its key (external id, else Homeroom id). Homeroom keeps no courses or terms,
so each class gets a course of its own (`course-<class>`) and one academic session (`homeroom-term`),
which the importer reads and does not store. Inactive orgs and classes are written `tobedeleted` (so the
importer keeps them inactive and references to them hold); inactive accounts have `enabledUser` false.
An org kind maps back to the first OneRoster type the tenant maps onto it (a customer, which no type
maps to, is written as `national`: not kept, so what references it lands on the import's anchor); a role
maps back to the OneRoster role the tenant maps onto it at that kind of org.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from typing import IO, Any, Final

from homeroom.rostering import (
    ACADEMIC_SESSIONS,
    CLASSES,
    COURSES,
    ENROLLMENTS,
    ORGS,
    ROLES,
    USERS,
    AcademicSessionRecord,
    ClassRecord,
    CourseRecord,
    EnrollmentRecord,
    OrgRecord,
    RoleRecord,
    UserRecord,
    write_package,
)
from homeroom.services.roster_config import RosterConfig
from homeroom.services.roster_export import ExportSource, open_export
from homeroom.services.runtime import Authenticate, Homeroom

TERM: Final = "homeroom-term"
NOT_KEPT_TYPE: Final = "national"
ROLE_ORDER: Final = {
    "school": ("siteAdministrator", "principal", "administrator", "teacher", "student", "aide"),
    "": ("districtAdministrator", "administrator", "systemAdministrator", "teacher", "student", "aide"),
}


def export_package(
    app: Homeroom,
    authenticate: Authenticate,
    out: IO[bytes],
    *,
    anchor: str | None = None,
    job: str | None = None,
) -> None:
    """Write the package of the subtree of `anchor` (default: the root org) to `out`, in one transaction."""

    def use_case(access: Any) -> None:
        source = open_export(access, anchor, job=job)
        write_package(out, _content(source), system_name="Homeroom")

    app.work(authenticate, use_case)


def _content(source: ExportSource) -> dict[Any, Iterator[Any]]:
    config = source.config
    return {
        ORGS: _orgs(source, config),
        ACADEMIC_SESSIONS: iter([_term()]),
        COURSES: _courses(source),
        CLASSES: _classes(source),
        USERS: _users(source),
        ROLES: _roles(source, config),
        ENROLLMENTS: _enrollments(source),
    }


def _org_type(config: RosterConfig, kind: str) -> str:
    for org_type, mapped in config.org_types.items():
        if mapped == kind and org_type in ("district", "school"):
            return org_type
    return next((t for t, mapped in config.org_types.items() if mapped == kind), NOT_KEPT_TYPE)


def _orgs(source: ExportSource, config: RosterConfig) -> Iterator[OrgRecord]:
    for key, kind, name, active, parent_key in source.orgs():
        yield OrgRecord(
            key, "active" if active else "tobedeleted", None, name or key, _org_type(config, kind),
            None, parent_key, (), 0,
        )  # fmt: skip


def _term() -> AcademicSessionRecord:
    return AcademicSessionRecord(
        TERM, "active", None, "Homeroom term", "term", date(2000, 1, 1), date(2099, 12, 31), None, 2099, (), 0
    )


def _courses(source: ExportSource) -> Iterator[CourseRecord]:
    for key, name, _status, school_key in source.classes():
        yield CourseRecord(
            f"course-{key}", "active", None, None, name or key, None, (), school_key, (), (), (), 0
        )


def _classes(source: ExportSource) -> Iterator[ClassRecord]:
    for key, name, status, school_key in source.classes():
        yield ClassRecord(
            key, "active" if status == "active" else "tobedeleted", None, name or key, (), f"course-{key}",
            None, "scheduled", None, school_key, (TERM,), (), (), (), (), 0,
        )  # fmt: skip


def _users(source: ExportSource) -> Iterator[UserRecord]:
    for key, _kind, status, username, given, family, email in source.users():
        name = username or key
        yield UserRecord(
            key, "active", None, status != "inactive", name, (), given or name, family or name, None, None,
            email, None, None, (), (), None, (), None, None, None, None, None, None, (), 0,
        )  # fmt: skip


def _roles(source: ExportSource, config: RosterConfig) -> Iterator[RoleRecord]:
    for user_key, kind, org_key, org_kind, role, position, _user_id in source.memberships():
        name = _role_name(config, kind, org_kind, role)
        if name is None:
            continue
        role_type = "primary" if position == 0 else "secondary"
        sourced = _digest("role", user_key, org_key, name)
        yield RoleRecord(sourced, "active", None, user_key, role_type, name, None, None, org_key, None, (), 0)


def _role_name(config: RosterConfig, account: str, org_kind: str, role: str | None) -> str | None:
    """The OneRoster role the tenant maps onto (`role` at a `org_kind`), for an account of this kind."""
    order = ROLE_ORDER.get(org_kind, ROLE_ORDER[""])
    names = ("student",) if account == "student" else tuple(n for n in order if n != "student")
    candidates = [
        *names,
        *(n for n in config.roles if n not in names and (n == "student") == (account == "student")),
    ]
    for name in candidates:
        by_kind = config.roles.get(name)
        if by_kind is not None and org_kind in by_kind and by_kind[org_kind] == role:
            return name
    return None


def _enrollments(source: ExportSource) -> Iterator[EnrollmentRecord]:
    for class_key, school_key, user_key, link in source.links():
        role = "student" if link == "enroll" else "teacher"
        sourced = _digest("enrollment", class_key, user_key, role)
        yield EnrollmentRecord(
            sourced, "active", None, class_key, school_key, user_key, role, None, None, None, (), 0
        )


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
