"""Write records as a OneRoster 1.2 CSV package (a zip with manifest.csv), streaming one row at a time.

Each file gets the official 1.2 header in its official order. Columns Homeroom never keeps (`password`,
`resourceSourcedIds`) are written blank, and `metadata.*` cells are not written. A cell that a spreadsheet
would run as a formula (it starts with = + - @ tab or CR and is not a plain number) is written with a leading
single quote, so that opening an export never runs code; the importer reports such cells as
`formula_injection`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import IO, Any, Final

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
from homeroom.rostering.manifests import BULK, FILES_1_2, MANIFEST_VERSIONS, Mode
from homeroom.rostering.packages import MANIFEST
from homeroom.rostering.records import UserId
from homeroom.rostering.values import is_formula, is_identifier

_STATE: Final = ("sourcedId", "status", "dateLastModified")
COLUMNS_1_2: Final[Mapping[Kind[Any], tuple[str, ...]]] = {
    ORGS: (*_STATE, "name", "type", "identifier", "parentSourcedId"),
    ACADEMIC_SESSIONS: (
        *_STATE, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear",
    ),
    COURSES: (
        *_STATE, "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects",
        "subjectCodes",
    ),
    CLASSES: (
        *_STATE, "title", "grades", "courseSourcedId", "classCode", "classType", "location",
        "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
    ),
    USERS: (
        *_STATE, "enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier",
        "email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier",
        "resourceSourcedIds", "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
        "primaryOrgSourcedId", "pronouns",
    ),
    USER_PROFILES: (
        *_STATE, "userSourcedId", "profileType", "vendorId", "applicationId", "description",
        "credentialType", "username", "password",
    ),
    ROLES: (
        *_STATE, "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId",
        "userProfileSourcedId",
    ),
    ENROLLMENTS: (
        *_STATE, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
        "endDate",
    ),
}  # fmt: skip
_CAMEL: Final = re.compile(r"(?<!^)(?=[A-Z])")


def write_package(
    out: IO[bytes],
    content: Mapping[Kind[Any], Iterable[Any]],
    *,
    mode: Mode = BULK,
    system_name: str | None = None,
    system_code: str | None = None,
) -> None:
    """Write a OneRoster 1.2 zip to `out`: a file per kind in `content` (in `mode`), the others absent."""
    if mode not in ("bulk", "delta"):
        raise ValueError("an export is bulk or delta")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_csv(
            archive,
            MANIFEST,
            ("propertyName", "value"),
            _manifest_rows(content, mode, system_name, system_code),
        )
        for kind in KINDS:
            if kind in content:
                _write_csv(archive, kind.file, COLUMNS_1_2[kind], _rows(kind, content[kind]))


def _rows(kind: Kind[Any], records: Iterable[Any]) -> Iterable[list[str]]:
    columns = [(_CAMEL.sub("_", column).lower(), is_identifier(column)) for column in COLUMNS_1_2[kind]]
    for record in records:
        yield [
            _text(getattr(record, attribute, None)) if verbatim else cell(getattr(record, attribute, None))
            for attribute, verbatim in columns
        ]


def cell(value: object) -> str:
    """The CSV text of one value, with formulas escaped by a leading single quote."""
    text = _text(value)
    return "'" + text if is_formula(text) else text


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UserId):
        return "{" + value.type + ":" + value.identifier + "}"
    if isinstance(value, tuple):
        return ",".join(_text(item) for item in value)
    return str(value)


def _timestamp(value: datetime) -> str:
    """UTC with a Z, to the millisecond as the specification's examples are (finer when the value has it)."""
    utc = value.astimezone(UTC) if value.tzinfo is not None else value
    spec = "milliseconds" if utc.microsecond % 1000 == 0 else "microseconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _manifest_rows(
    content: Mapping[Kind[Any], Iterable[Any]], mode: Mode, system_name: str | None, system_code: str | None
) -> list[list[str]]:
    written = {kind.name for kind in content}
    rows = [["manifest.version", MANIFEST_VERSIONS[0]], ["oneroster.version", "1.2"]]
    rows += [[f"file.{name}", mode if name in written else "absent"] for name in FILES_1_2]
    rows += [
        [key, cell(value)]
        for key, value in (("source.systemName", system_name), ("source.systemCode", system_code))
        if value
    ]
    return rows


def _write_csv(archive: zipfile.ZipFile, name: str, header: Iterable[str], rows: Iterable[list[str]]) -> None:
    with (
        archive.open(name, "w", force_zip64=True) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
