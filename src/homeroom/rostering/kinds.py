"""The kinds of records Homeroom reads: each one's file, how a row becomes a record, what it references.

`KINDS` lists them in dependency order: a kind only references kinds before it or itself, so references to
other files can be checked as soon as a row is read, with nothing but sets of ids in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Generic, NamedTuple, TypeVar

from homeroom.rostering.columns import (
    CLASS_TYPES,
    ENROLLMENT_ROLES,
    HEADERS,
    ORG_TYPES,
    ROLE_TYPES,
    ROLES_1_2,
    SESSION_TYPES,
    STATUSES,
    USER_ROLES_1_1,
)
from homeroom.rostering.manifests import DELTA, Mode, Version
from homeroom.rostering.records import (
    AcademicSessionRecord,
    ClassRecord,
    CourseRecord,
    EnrollmentRecord,
    OrgRecord,
    RoleRecord,
    UserProfileRecord,
    UserRecord,
)
from homeroom.rostering.rows import Header
from homeroom.rostering.values import Cells

R = TypeVar("R")


class Reference(NamedTuple):
    column: str
    target: str
    """The name of the referenced kind (`orgs`, `users`, ...)."""
    value: str


@dataclass(frozen=True, slots=True)
class Context:
    version: Version
    mode: Mode


class Link(NamedTuple):
    """A column of ids of another record (or of several: a `...SourcedIds` column holds a list)."""

    column: str
    target: str
    """The name of the referenced kind (`orgs`, `users`, ...)."""
    attribute: str
    """The record's field holding the id (a str or None) or the ids (a tuple)."""

    @property
    def many(self) -> bool:
        return self.column.endswith("SourcedIds")


@dataclass(frozen=True, eq=False, slots=True)
class Kind(Generic[R]):
    """A kind of record: `name` is the file's name without `.csv`, as in the manifest."""

    name: str
    build: Callable[[Cells, Context], R]
    links: tuple[Link, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def references(self, record: R) -> Iterator[Reference]:
        """The ids an accepted record references, column by column, blank ones left out."""
        for column, target, attribute in self.links:
            values = getattr(record, attribute)
            for value in (values,) if isinstance(values, str) else values or ():
                if value:
                    yield Reference(column, target, value)

    def header(self, version: Version) -> Header | None:
        """The header of this kind in `version`, or None when the version has no such file."""
        return HEADERS[self.name].get(version)


class _Common(NamedTuple):
    sourced_id: str
    status: str | None
    date_last_modified: datetime | None


def _common(cells: Cells, context: Context) -> _Common:
    """sourcedId, status and dateLastModified: the last two may be blank in bulk files only."""
    common = _Common(
        cells.required("sourcedId"),
        cells.enum("status", STATUSES[context.version]),
        cells.timestamp("dateLastModified"),
    )
    if context.mode == DELTA:
        for column in ("status", "dateLastModified"):
            if not cells.raw(column):
                cells.report(column, "", "missing_value", f"a value for {column} in a delta file")
    return common


def _date_range(cells: Cells, start: date | None, end: date | None, end_column: str) -> None:
    if start is not None and end is not None and end < start:
        cells.report(end_column, cells.raw(end_column), "bad_date_range", f"a date on or after {start}")


def _build_org(cells: Cells, context: Context) -> OrgRecord:
    return OrgRecord(
        *_common(cells, context),
        name=cells.required("name"),
        type=cells.required_enum("type", ORG_TYPES, extensible=context.version == "1.2"),
        identifier=cells.text("identifier"),
        parent_sourced_id=cells.text("parentSourcedId"),
        metadata=cells.metadata(),
        line=cells.line,
    )


def _build_session(cells: Cells, context: Context) -> AcademicSessionRecord:
    record = AcademicSessionRecord(
        *_common(cells, context),
        title=cells.required("title"),
        type=cells.required_enum("type", SESSION_TYPES, extensible=context.version == "1.2"),
        start_date=cells.required_iso_date("startDate"),
        end_date=cells.required_iso_date("endDate"),
        parent_sourced_id=cells.text("parentSourcedId"),
        school_year=cells.required_year("schoolYear"),
        metadata=cells.metadata(),
        line=cells.line,
    )
    if date.min not in {record.start_date, record.end_date}:
        _date_range(cells, record.start_date, record.end_date, "endDate")
    return record


def _build_course(cells: Cells, context: Context) -> CourseRecord:
    return CourseRecord(
        *_common(cells, context),
        school_year_sourced_id=cells.text("schoolYearSourcedId"),
        title=cells.required("title"),
        course_code=cells.text("courseCode"),
        grades=cells.items("grades"),
        org_sourced_id=cells.required("orgSourcedId"),
        subjects=cells.items("subjects"),
        subject_codes=cells.items("subjectCodes"),
        metadata=cells.metadata(),
        line=cells.line,
    )


def _build_class(cells: Cells, context: Context) -> ClassRecord:
    return ClassRecord(
        *_common(cells, context),
        title=cells.required("title"),
        grades=cells.items("grades"),
        course_sourced_id=cells.required("courseSourcedId"),
        class_code=cells.text("classCode"),
        class_type=cells.required_enum("classType", CLASS_TYPES, extensible=context.version == "1.2"),
        location=cells.text("location"),
        school_sourced_id=cells.required("schoolSourcedId"),
        term_sourced_ids=cells.required_items("termSourcedIds"),
        subjects=cells.items("subjects"),
        subject_codes=cells.items("subjectCodes"),
        periods=cells.items("periods"),
        metadata=cells.metadata(),
        line=cells.line,
    )


def _build_user(cells: Cells, context: Context) -> UserRecord:
    v11 = context.version == "1.1"
    return UserRecord(
        *_common(cells, context),
        enabled_user=cells.required_boolean("enabledUser"),
        username=cells.required("username"),
        user_ids=cells.user_ids("userIds"),
        given_name=cells.required("givenName"),
        family_name=cells.required("familyName"),
        middle_name=cells.text("middleName"),
        identifier=cells.text("identifier"),
        email=cells.text("email"),
        sms=cells.text("sms"),
        phone=cells.text("phone"),
        agent_sourced_ids=cells.items("agentSourcedIds"),
        grades=cells.items("grades"),
        role=cells.required_enum("role", USER_ROLES_1_1) if v11 else None,
        org_sourced_ids=cells.required_items("orgSourcedIds") if v11 else (),
        user_master_identifier=cells.text("userMasterIdentifier"),
        preferred_given_name=cells.text("preferredGivenName"),
        preferred_middle_name=cells.text("preferredMiddleName"),
        preferred_family_name=cells.text("preferredFamilyName"),
        primary_org_sourced_id=cells.text("primaryOrgSourcedId"),
        pronouns=cells.text("pronouns"),
        metadata=cells.metadata(),
        line=cells.line,
    )


def _build_user_profile(cells: Cells, context: Context) -> UserProfileRecord:
    return UserProfileRecord(
        *_common(cells, context),
        user_sourced_id=cells.required("userSourcedId"),
        profile_type=cells.required("profileType"),
        vendor_id=cells.required("vendorId"),
        application_id=cells.text("applicationId"),
        description=cells.text("description"),
        credential_type=cells.required("credentialType"),
        username=cells.required("username"),
        metadata=cells.metadata(),
        line=cells.line,
    )


def _build_role(cells: Cells, context: Context) -> RoleRecord:
    record = RoleRecord(
        *_common(cells, context),
        user_sourced_id=cells.required("userSourcedId"),
        role_type=cells.required_enum("roleType", ROLE_TYPES),
        role=cells.required_enum("role", ROLES_1_2, extensible=True),
        begin_date=cells.iso_date("beginDate"),
        end_date=cells.iso_date("endDate"),
        org_sourced_id=cells.required("orgSourcedId"),
        user_profile_sourced_id=cells.text("userProfileSourcedId"),
        metadata=cells.metadata(),
        line=cells.line,
    )
    _date_range(cells, record.begin_date, record.end_date, "endDate")
    return record


def _build_enrollment(cells: Cells, context: Context) -> EnrollmentRecord:
    record = EnrollmentRecord(
        *_common(cells, context),
        class_sourced_id=cells.required("classSourcedId"),
        school_sourced_id=cells.required("schoolSourcedId"),
        user_sourced_id=cells.required("userSourcedId"),
        role=cells.required_enum("role", ENROLLMENT_ROLES, extensible=context.version == "1.2"),
        primary=cells.boolean("primary"),
        begin_date=cells.iso_date("beginDate"),
        end_date=cells.iso_date("endDate"),
        metadata=cells.metadata(),
        line=cells.line,
    )
    _date_range(cells, record.begin_date, record.end_date, "endDate")
    return record


ORGS: Final[Kind[OrgRecord]] = Kind(
    "orgs", _build_org, (Link("parentSourcedId", "orgs", "parent_sourced_id"),)
)
ACADEMIC_SESSIONS: Final[Kind[AcademicSessionRecord]] = Kind(
    "academicSessions",
    _build_session,
    (Link("parentSourcedId", "academicSessions", "parent_sourced_id"),),
)
COURSES: Final[Kind[CourseRecord]] = Kind(
    "courses",
    _build_course,
    (
        Link("schoolYearSourcedId", "academicSessions", "school_year_sourced_id"),
        Link("orgSourcedId", "orgs", "org_sourced_id"),
    ),
)
CLASSES: Final[Kind[ClassRecord]] = Kind(
    "classes",
    _build_class,
    (
        Link("courseSourcedId", "courses", "course_sourced_id"),
        Link("schoolSourcedId", "orgs", "school_sourced_id"),
        Link("termSourcedIds", "academicSessions", "term_sourced_ids"),
    ),
)
USERS: Final[Kind[UserRecord]] = Kind(
    "users",
    _build_user,
    (
        Link("orgSourcedIds", "orgs", "org_sourced_ids"),
        Link("primaryOrgSourcedId", "orgs", "primary_org_sourced_id"),
        Link("agentSourcedIds", "users", "agent_sourced_ids"),
    ),
)
USER_PROFILES: Final[Kind[UserProfileRecord]] = Kind(
    "userProfiles", _build_user_profile, (Link("userSourcedId", "users", "user_sourced_id"),)
)
ROLES: Final[Kind[RoleRecord]] = Kind(
    "roles",
    _build_role,
    (
        Link("userSourcedId", "users", "user_sourced_id"),
        Link("orgSourcedId", "orgs", "org_sourced_id"),
        Link("userProfileSourcedId", "userProfiles", "user_profile_sourced_id"),
    ),
)
ENROLLMENTS: Final[Kind[EnrollmentRecord]] = Kind(
    "enrollments",
    _build_enrollment,
    (
        Link("classSourcedId", "classes", "class_sourced_id"),
        Link("schoolSourcedId", "orgs", "school_sourced_id"),
        Link("userSourcedId", "users", "user_sourced_id"),
    ),
)
KINDS: Final = (ORGS, ACADEMIC_SESSIONS, COURSES, CLASSES, USERS, USER_PROFILES, ROLES, ENROLLMENTS)
