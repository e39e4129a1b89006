"""OneRoster CSV import, the pure stages: open a package safely, parse and validate it as a stream.

    parsed = parse_package(Path("roster.zip"), Limits(), known=stored_ids)
    if parsed.report.ok:
        for org in parsed.records(ORGS): ...

or, to read each file once, hand `parse_package` a `Sink` that takes the rows as they are validated.

Nothing here touches a database: planning a diff against stored data and applying it through the services are
later stages that consume `ParsedPackage`. See docs/rostering.md.
"""

from homeroom.rostering.batches import Batch, Sink
from homeroom.rostering.exports import write_package
from homeroom.rostering.kinds import (
    ACADEMIC_SESSIONS,
    CLASSES,
    COURSES,
    ENROLLMENTS,
    KINDS,
    ORGS,
    ROLES,
    USER_PROFILES,
    USERS,
    Kind,
)
from homeroom.rostering.limits import DEFAULT_LIMITS, Limits
from homeroom.rostering.manifests import Manifest
from homeroom.rostering.parsing import FileReport, ParsedPackage, Report, parse_package
from homeroom.rostering.problems import CODES, Problem
from homeroom.rostering.records import (
    AcademicSessionRecord,
    ClassRecord,
    CourseRecord,
    EnrollmentRecord,
    OrgRecord,
    Record,
    RoleRecord,
    UserId,
    UserProfileRecord,
    UserRecord,
)
from homeroom.rostering.references import KnownIds

__all__ = [
    "ACADEMIC_SESSIONS",
    "CLASSES",
    "CODES",
    "COURSES",
    "DEFAULT_LIMITS",
    "ENROLLMENTS",
    "KINDS",
    "ORGS",
    "ROLES",
    "USERS",
    "USER_PROFILES",
    "AcademicSessionRecord",
    "Batch",
    "ClassRecord",
    "CourseRecord",
    "EnrollmentRecord",
    "FileReport",
    "Kind",
    "KnownIds",
    "Limits",
    "Manifest",
    "OrgRecord",
    "ParsedPackage",
    "Problem",
    "Record",
    "Report",
    "RoleRecord",
    "Sink",
    "UserId",
    "UserProfileRecord",
    "UserRecord",
    "parse_package",
    "write_package",
]
