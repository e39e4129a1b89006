"""The columns and enumerations of the OneRoster 1.1 and 1.2 CSV bindings, for the files Homeroom reads.

Required columns must be in the header (in any order) and, for required fields, filled on every row. Optional
columns may be left out of the header. `DROPPED` columns are accepted and never kept (passwords, resources).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from homeroom.rostering.manifests import Version
from homeroom.rostering.rows import Header

COMMON: Final = ("sourcedId",)
COMMON_OPTIONAL: Final = ("status", "dateLastModified")
DROPPED: Final = frozenset({"password", "resourceSourcedIds"})

STATUSES: Final[Mapping[Version, tuple[str, ...]]] = MappingProxyType(
    # 1.1 still accepts 1.0's `inactive`, which it deprecates; 1.2 removed it.
    {"1.1": ("active", "tobedeleted", "inactive"), "1.2": ("active", "tobedeleted")}
)
ORG_TYPES: Final = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES: Final = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES: Final = ("homeroom", "scheduled")
ENROLLMENT_ROLES: Final = ("administrator", "proctor", "student", "teacher")
USER_ROLES_1_1: Final = (
    "administrator",
    "aide",
    "guardian",
    "parent",
    "proctor",
    "relative",
    "student",
    "teacher",
)
ROLES_1_2: Final = (
    "aide", "counselor", "districtAdministrator", "guardian", "parent", "principal", "proctor", "relative",
    "siteAdministrator", "student", "systemAdministrator", "teacher",
)  # fmt: skip
ROLE_TYPES: Final = ("primary", "secondary")
STUDENT: Final = "student"


def _header(file: str, required: tuple[str, ...], optional: tuple[str, ...]) -> Header:
    return Header(
        required=(*COMMON, *required),
        optional=(*COMMON_OPTIONAL, *optional),
        description=f"column of {file}",
    )


_ORGS: Final = _header("orgs.csv", ("name", "type"), ("identifier", "parentSourcedId"))
_SESSIONS: Final = _header(
    "academicSessions.csv", ("title", "type", "startDate", "endDate", "schoolYear"), ("parentSourcedId",)
)
_COURSES: Final = _header(
    "courses.csv",
    ("title", "orgSourcedId"),
    ("schoolYearSourcedId", "courseCode", "grades", "subjects", "subjectCodes"),
)
_CLASSES: Final = _header(
    "classes.csv",
    ("title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"),
    ("grades", "classCode", "location", "subjects", "subjectCodes", "periods"),
)
_ENROLLMENTS: Final = _header(
    "enrollments.csv",
    ("classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    ("primary", "beginDate", "endDate"),
)
_USERS_OPTIONAL: Final = (
    "userIds", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
)  # fmt: skip
_USERS_1_1: Final = _header(
    "users.csv",
    ("enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"),
    _USERS_OPTIONAL,
)
_USERS_1_2: Final = _header(
    "users.csv",
    ("enabledUser", "username", "givenName", "familyName"),
    (
        *_USERS_OPTIONAL, "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
        "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
    ),
)  # fmt: skip
_ROLES: Final = _header(
    "roles.csv",
    ("userSourcedId", "roleType", "role", "orgSourcedId"),
    ("beginDate", "endDate", "userProfileSourcedId"),
)
_USER_PROFILES: Final = _header(
    "userProfiles.csv",
    ("userSourcedId", "profileType", "vendorId", "credentialType", "username"),
    ("applicationId", "description", "password"),
)

HEADERS: Final[Mapping[str, Mapping[Version, Header]]] = MappingProxyType(
    {
        "orgs": {"1.1": _ORGS, "1.2": _ORGS},
        "academicSessions": {"1.1": _SESSIONS, "1.2": _SESSIONS},
        "courses": {"1.1": _COURSES, "1.2": _COURSES},
        "classes": {"1.1": _CLASSES, "1.2": _CLASSES},
        "users": {"1.1": _USERS_1_1, "1.2": _USERS_1_2},
        "userProfiles": {"1.2": _USER_PROFILES},
        "roles": {"1.2": _ROLES},
        "enrollments": {"1.1": _ENROLLMENTS, "1.2": _ENROLLMENTS},
    }
)
