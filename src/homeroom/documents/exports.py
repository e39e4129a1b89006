"""Student data exports as CSV, written page by page to a text stream.

Two shapes: Homeroom's own (`id, username, given_name, family_name, email, school, classes, status`) and a
OneRoster 1.1 `users.csv` (students only, ids as sourcedIds, home schools as orgSourcedIds).

Every cell that a spreadsheet would run as a formula, one starting with `=`, `+`, `-`, `@`, a tab or a
carriage return, is written with a leading single quote (OWASP's CSV injection advice), so opening an
export never runs code. The rule is applied to every cell, numbers included: this export has no numeric
columns, and a rule without exceptions cannot be talked around.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Final, Literal

from homeroom.store.student_records import StudentRecord

Format = Literal["csv", "oneroster"]
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
COLUMNS: Final = ("id", "username", "given_name", "family_name", "email", "school", "classes", "status")
ONEROSTER_USERS: Final = (
    "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
    "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
    "grades", "password",
)  # fmt: skip
LIST_SEPARATOR: Final = "; "
MEDIA_TYPES: Final = {"csv": "text/csv; charset=utf-8", "oneroster": "text/csv; charset=utf-8"}
FILE_NAMES: Final = {"csv": "students.csv", "oneroster": "users.csv"}


def escape_cell(value: str) -> str:
    """`value`, with a leading single quote when a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


class StudentCsv:
    """Writes the header at once, then each page of records handed to `write`."""

    def __init__(self, out: IO[str], *, shape: Format = "csv") -> None:
        self.shape = shape
        self.rows = 0
        self._writer = csv.writer(out, lineterminator="\r\n")
        self._writer.writerow(COLUMNS if shape == "csv" else ONEROSTER_USERS)

    def write(self, records: Sequence[StudentRecord]) -> None:
        cells = self._plain if self.shape == "csv" else self._oneroster
        for record in records:
            self._writer.writerow([escape_cell(v) for v in cells(record)])
        self.rows += len(records)

    @staticmethod
    def _plain(record: StudentRecord) -> Iterable[str]:
        return (
            record.id,
            record.username or "",
            record.given_name,
            record.family_name,
            record.email or "",
            LIST_SEPARATOR.join(s.name for s in record.schools),
            LIST_SEPARATOR.join(c.name for c in record.classes),
            record.status,
        )

    @staticmethod
    def _oneroster(record: StudentRecord) -> Iterable[str]:
        blank = ""
        return (
            record.id,
            "active",  # the record exists; OneRoster's `tobedeleted` is for deltas, which this is not
            blank,
            "true" if record.status == "active" else "false",
            ",".join(s.id for s in record.schools),
            "student",
            record.username or "",
            blank,
            record.given_name,
            record.family_name,
            blank,
            blank,
            record.email or "",
            *(blank,) * 5,
        )
