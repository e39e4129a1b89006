"""Read typed values out of the cells of one row, reporting each bad cell with its column and value.

A required cell that is missing or bad yields a placeholder (``""``, `date.min`, ``False``, ``0``) so that a
record can still be built; the problem has rejected the row, and rejected rows never leave the reader.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Final

from homeroom.rostering.problems import ProblemLog, problem
from homeroom.rostering.records import Metadata, UserId
from homeroom.rostering.rows import METADATA_PREFIX, Row

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST: Final = frozenset(FORMULA_STARTS)
PLAIN_NUMBER: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
EXTENSION_PREFIX: Final = "ext:"
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?"
)
_YEAR: Final = re.compile(r"\d{4}")
_USER_ID: Final = re.compile(r"\{([^{}:]+):([^{}]*)\}")
_TRUE: Final = "true"
_FALSE: Final = "false"


def is_identifier(column: str) -> bool:
    """sourcedId columns and references to them: opaque keys, read and written verbatim (never escaped)."""
    return column == "sourcedId" or column.endswith(("SourcedId", "SourcedIds"))


def is_formula(value: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula: it starts with = + - @ tab or CR.

    Plain numbers (``-5``, ``+16035551234``) start with a sign and are data, not formulas.
    """
    return value[:1] in _FORMULA_FIRST and PLAIN_NUMBER.fullmatch(value) is None


def split_items(value: str) -> tuple[str, ...]:
    """The items of a comma-separated list cell, stripped, blank ones dropped."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


def valid_date(value: str) -> bool:
    """A date YYYY-MM-DD, nothing else."""
    try:
        return _DATE.fullmatch(value) is not None and bool(date.fromisoformat(value))
    except ValueError:
        return False


def valid_timestamp(value: str) -> bool:
    """An ISO 8601 date and time (or a date alone), with or without a zone."""
    try:
        return _TIMESTAMP.fullmatch(value) is not None and bool(datetime.fromisoformat(value))
    except ValueError:
        return False


def valid_boolean(value: str) -> bool:
    return value.lower() in (_TRUE, _FALSE)


def valid_year(value: str) -> bool:
    return _YEAR.fullmatch(value) is not None


def valid_user_ids(value: str) -> bool:
    """`{type:identifier}` entries separated by commas (blank: none)."""
    rebuilt = ",".join("{" + kind + ":" + identifier + "}" for kind, identifier in _USER_ID.findall(value))
    return re.sub(r"\}\s*,\s*\{", "},{", value.strip()) == rebuilt


class Cells:
    """The cells of one row of `file`, read by column name."""

    def __init__(self, file: str, row: Row, log: ProblemLog) -> None:
        self.file = file
        self.line = row.line
        self._cells = row.cells
        self._metadata = row.metadata
        self._log = log

    def report(self, column: str | None, value: str | None, code: str, expected: str) -> None:
        self._log.add(problem(self.file, self.line, column, value, code, expected))

    def screen(self, columns: Collection[str]) -> None:
        """Report every cell of `columns` and of `metadata.*` that a spreadsheet would run as a formula."""
        for column, value in self._cells.items():
            screened = column in columns or column in self._metadata
            if screened and not is_identifier(column) and is_formula(value):
                self.report(
                    column, value, "formula_injection", "text that does not start with = + - @ tab CR"
                )

    def raw(self, column: str) -> str:
        return self._cells.get(column) or ""

    def text(self, column: str) -> str | None:
        return self.raw(column) or None

    def required(self, column: str) -> str:
        value = self.raw(column)
        if not value:
            self.report(column, value, "missing_value", f"a value for {column}")
        return value

    def enum(self, column: str, allowed: Collection[str], *, extensible: bool = False) -> str | None:
        """A token of `allowed`; with `extensible`, also any `ext:` token (OneRoster 1.2 extensions)."""
        value = self.raw(column)
        if not value:
            return None
        if value in allowed or (extensible and value.startswith(EXTENSION_PREFIX) and len(value) > 4):
            return value
        tokens = ", ".join(allowed) + (" or ext:..." if extensible else "")
        self.report(column, value, "bad_enum", f"one of {tokens}")
        return None

    def required_enum(self, column: str, allowed: Collection[str], *, extensible: bool = False) -> str:
        if not self.raw(column):
            return self.required(column)
        return self.enum(column, allowed, extensible=extensible) or ""

    def iso_date(self, column: str) -> date | None:
        value = self.raw(column)
        if not value:
            return None
        if valid_date(value):
            return date.fromisoformat(value)
        self.report(column, value, "bad_date", "a date YYYY-MM-DD")
        return None

    def required_iso_date(self, column: str) -> date:
        if not self.raw(column):
            self.required(column)
        return self.iso_date(column) or date.min

    def timestamp(self, column: str) -> datetime | None:
        """An ISO 8601 date and time (a date alone is midnight); without a zone it is taken as UTC."""
        value = self.raw(column)
        if not value:
            return None
        if valid_timestamp(value):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
        self.report(column, value, "bad_date", "an ISO 8601 date and time, e.g. 2023-05-01T18:25:43.511Z")
        return None

    def boolean(self, column: str) -> bool | None:
        """true or false, in any letter case (spreadsheets write TRUE)."""
        value = self.raw(column)
        if not value:
            return None
        if valid_boolean(value):
            return value.lower() == _TRUE
        self.report(column, value, "bad_boolean", "true or false")
        return None

    def required_boolean(self, column: str) -> bool:
        if not self.raw(column):
            self.required(column)
        return bool(self.boolean(column))

    def required_year(self, column: str) -> int:
        value = self.required(column)
        if value and not valid_year(value):
            self.report(column, value, "bad_format", "a four-digit year YYYY")
            return 0
        return int(value or 0)

    def items(self, column: str) -> tuple[str, ...]:
        """A comma-separated list; items are stripped and blank items dropped."""
        return split_items(self.raw(column))

    def required_items(self, column: str) -> tuple[str, ...]:
        found = self.items(column)
        if not found:
            self.report(column, self.raw(column), "missing_value", f"at least one value for {column}")
        return found

    def user_ids(self, column: str) -> tuple[UserId, ...]:
        """`{type:identifier}` entries separated by commas."""
        value = self.raw(column)
        if not valid_user_ids(value):
            self.report(column, value, "bad_format", "entries {type:identifier} separated by commas")
            return ()
        return tuple(UserId(kind, identifier) for kind, identifier in _USER_ID.findall(value))

    def metadata(self) -> Metadata:
        return tuple(
            (column.removeprefix(METADATA_PREFIX), value)
            for column in self._metadata
            if (value := self._cells.get(column))
        )
