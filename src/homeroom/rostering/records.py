"""One frozen record per accepted CSV row, typed, with the line it came from.

Field names are the OneRoster column names in snake case; `...SourcedIds` columns become tuples. Blank
optional cells are None (or an empty tuple). Every record carries `status` and `date_last_modified` (None
when blank, which bulk files may leave them), its `metadata.*` cells, and `line`, the line of the CSV file
where its row starts. Passwords (users.csv, userProfiles.csv) are read past and never kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

Metadata = tuple[tuple[str, str], ...]
"""`metadata.*` cells that are not blank, as (column name without the prefix, value), in header order."""


@dataclass(frozen=True, slots=True)
class UserId:
    """One entry of `userIds`: `{type:identifier}` (for example `{LDAP:12}`)."""

    type: str
    identifier: str


@dataclass(frozen=True, slots=True)
class OrgRecord:
    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    name: str
    type: str
    identifier: str | None
    parent_sourced_id: str | None
    metadata: Metadata
    line: int


@dataclass(frozen=True, slots=True)
class AcademicSessionRecord:
    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    title: str
    type: str
    start_date: date
    end_date: date
    parent_sourced_id: str | None
    school_year: int
    metadata: Metadata
    line: int


@dataclass(frozen=True, slots=True)
class CourseRecord:
    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    school_year_sourced_id: str | None
    title: str
    course_code: str | None
    grades: tuple[str, ...]
    org_sourced_id: str
    subjects: tuple[str, ...]
    subject_codes: tuple[str, ...]
    metadata: Metadata
    line: int


@dataclass(frozen=True, slots=True)
class ClassRecord:
    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    title: str
    grades: tuple[str, ...]
    course_sourced_id: str
    class_code: str | None
    class_type: str
    location: str | None
    school_sourced_id: str
    term_sourced_ids: tuple[str, ...]
    subjects: tuple[str, ...]
    subject_codes: tuple[str, ...]
    periods: tuple[str, ...]
    metadata: Metadata
    line: int


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user of either version. 1.1 only: `role`, `org_sourced_ids`. 1.2 only: the fields after `grades`.

    In 1.2 a user's roles and orgs are in roles.csv (`RoleRecord`); in 1.1 they are `role` at each of
    `org_sourced_ids`.
    """

    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    enabled_user: bool
    username: str
    user_ids: tuple[UserId, ...]
    given_name: str
    family_name: str
    middle_name: str | None
    identifier: str | None
    email: str | None
    sms: str | None
    phone: str | None
    agent_sourced_ids: tuple[str, ...]
    grades: tuple[str, ...]
    role: str | None
    org_sourced_ids: tuple[str, ...]
    user_master_identifier: str | None
    preferred_given_name: str | None
    preferred_middle_name: str | None
    preferred_family_name: str | None
    primary_org_sourced_id: str | None
    pronouns: str | None
    metadata: Metadata
    line: int


@dataclass(frozen=True, slots=True)
class UserProfileRecord:
    """OneRoster 1.2 only. The password column is never kept."""

    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    user_sourced_id: str
    profile_type: str
    vendor_id: str
    application_id: str | None
    description: str | None
    credential_type: str
    username: str
    metadata: Metadata
    line: int


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """OneRoster 1.2 only: `role` held by a user at an org, `primary` or `secondary`."""

    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    user_sourced_id: str
    role_type: str
    role: str
    begin_date: date | None
    end_date: date | None
    org_sourced_id: str
    user_profile_sourced_id: str | None
    metadata: Metadata
    line: int


@dataclass(frozen=True, slots=True)
class EnrollmentRecord:
    sourced_id: str
    status: str | None
    date_last_modified: datetime | None
    class_sourced_id: str
    school_sourced_id: str
    user_sourced_id: str
    role: str
    primary: bool | None
    begin_date: date | None
    end_date: date | None
    metadata: Metadata
    line: int


Record = (
    OrgRecord
    | AcademicSessionRecord
    | CourseRecord
    | ClassRecord
    | UserRecord
    | UserProfileRecord
    | RoleRecord
    | EnrollmentRecord
)
