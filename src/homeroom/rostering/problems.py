"""Problems found in a OneRoster package: where (file, line, column), what (value), which rule (code).

Codes are a stable contract (reports, the API, the console): never rename one. Each code has one severity. An
error rejects the row it is found on (or the whole package when it is found before any row is read); a warning
only informs: the data it names is ignored and the rest is imported as usual.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

Severity = Literal["error", "warning"]

ERROR: Final = "error"
WARNING: Final = "warning"
MAX_VALUE_CHARS: Final = 200

CODES: Final[Mapping[str, tuple[Severity, str]]] = MappingProxyType(
    {
        # the package as a whole: any of these stops the import before a row is read
        "unreadable_package": ("error", "the path is neither a folder nor a readable zip file"),
        "bad_zip": ("error", "the zip file is corrupt, encrypted or uses an unsupported compression"),
        "zip_slip": (
            "error",
            "a zip member name leaves the package (`..`, an absolute path, a drive letter)",
        ),
        "zip_bomb": ("error", "the zip expands beyond the total size or compression ratio limit"),
        "package_too_large": ("error", "the files of the folder add up to more than the total size limit"),
        "symlink": ("error", "a zip member or a file of the folder is a symbolic link"),
        "file_too_large": ("error", "a file is larger than the per-file limit"),
        "too_many_members": ("error", "the zip or folder holds more entries than the limit"),
        "missing_manifest": ("error", "no manifest.csv at the top of the package or of its one top folder"),
        # the manifest
        "missing_property": ("error", "a required manifest property is missing"),
        "duplicate_property": ("error", "a manifest property is given twice"),
        "unknown_version": ("error", "manifest.version or oneroster.version is not a supported version"),
        "unknown_property": ("warning", "a manifest property the version does not define; ignored"),
        "missing_file": ("error", "the manifest lists a file as bulk or delta but the package lacks it"),
        "file_marked_absent": ("error", "the package holds a file that the manifest marks absent"),
        "unlisted_file": ("warning", "the package holds a file the manifest does not list; ignored"),
        # the CSV text of one file
        "empty_file": ("error", "the file has no header line"),
        "bad_encoding": ("error", "the line is not valid UTF-8"),
        "bad_csv": ("error", "the CSV syntax is broken (quotes); the rest of the file is not read"),
        "line_too_long": (
            "error",
            "a physical line is longer than the limit; the rest of the file is not read",
        ),
        "missing_header": ("error", "a required column is missing from the header"),
        "duplicate_column": ("error", "a column name appears twice in the header"),
        "unknown_column": ("warning", "a column the version does not define (and not `metadata.*`); ignored"),
        "bad_row_length": ("error", "the row has more or fewer cells than the header"),
        # one cell or one row
        "missing_value": ("error", "a required cell is empty"),
        "bad_enum": ("error", "the value is not one of the allowed tokens"),
        "bad_date": ("error", "the value is not an ISO 8601 date (or date and time)"),
        "bad_date_range": ("error", "the end date is before the start date"),
        "bad_boolean": ("error", "the value is not true or false"),
        "bad_format": ("error", "the value does not have the required shape (a year, a list of user ids)"),
        "formula_injection": ("error", "the cell starts with = + - @ tab or CR and is not a plain number"),
        "duplicate_sourced_id": ("error", "the sourcedId appears on an earlier row of the same file"),
        # across rows and files
        "unknown_reference": ("error", "the id names no object of the package (nor a stored one, in delta)"),
        "org_cycle": ("error", "parentSourcedId links of orgs form a cycle"),
        "session_cycle": ("error", "parentSourcedId links of academic sessions form a cycle"),
        "enrollment_role_conflict": (
            "error",
            "a user whose only role is student is enrolled in another role",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem. `line` is the 1-based line where the row starts (1 is the header); None if no line."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    code: str
    expected: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        column = f" column {self.column}" if self.column is not None else ""
        value = f" value {self.value!r}" if self.value is not None else ""
        return f"{where}{column}{value}: {self.code} (expected {self.expected})"


def problem(
    file: str, line: int | None, column: str | None, value: str | None, code: str, expected: str
) -> Problem:
    """Build a problem, clipping long values so that a report stays small."""
    if value is not None and len(value) > MAX_VALUE_CHARS:
        value = value[:MAX_VALUE_CHARS] + "..."
    return Problem(file, line, column, value, code, expected)


class ProblemLog:
    """Collects problems while a package streams by: keeps the first `cap`, counts all, notes rejected rows.

    An error on a data row (line 2 and below) rejects that row, so that the records read again later are
    exactly the accepted ones.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.kept: list[Problem] = []
        self.by_code: Counter[str] = Counter()
        self.rejected: dict[str, set[int]] = {}
        self.rejected_files: set[str] = set()
        self.errors = 0

    def add(self, found: Problem) -> None:
        self.by_code[found.code] += 1
        if len(self.kept) < self.cap:
            self.kept.append(found)
        if found.severity == ERROR:
            self.errors += 1
            if found.line is not None and found.line > 1:
                self.rejected.setdefault(found.file, set()).add(found.line)

    @property
    def total(self) -> int:
        return sum(self.by_code.values())

    def reject_file(self, file: str) -> None:
        """Reject every row of a file whose header cannot be trusted (the problem is already logged)."""
        self.rejected_files.add(file)

    def is_rejected(self, file: str, line: int) -> bool:
        return file in self.rejected_files or line in self.rejected.get(file, ())
