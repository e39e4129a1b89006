"""The fast path of validation: a chunk of plain rows proven clean column by column, at the speed of C.

Reading a row through `Cells` (values.py) costs tens of microseconds: a call per cell, a frozen record per
row. Most rows of real packages are plain (every cell blank or an ordinary value), and for a whole chunk of
them the same rules can be checked per column with set, join and `all` operations that run in C:
`PlainRows.accepts(chunk)` answers whether no cell of the chunk has a problem `Cells` would report. When it
cannot prove it (one odd cell is enough: a `-5`, an `ext:` token, a bad date) the chunk is read row by row
as before, so every problem is still found and reported exactly as the reference reading reports it.

The fast path may refuse a clean chunk; it must never accept a chunk the reference reading would fault.
tests/unit/rostering/test_rostering_plain.py holds the two to that on random rows of every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from homeroom.rostering.columns import (
    CLASS_TYPES,
    ENROLLMENT_ROLES,
    ORG_TYPES,
    ROLE_TYPES,
    ROLES_1_2,
    SESSION_TYPES,
    STATUSES,
    USER_ROLES_1_1,
)
from homeroom.rostering.kinds import Context, Kind
from homeroom.rostering.manifests import DELTA
from homeroom.rostering.readers import kept_columns
from homeroom.rostering.rows import METADATA_PREFIX, Chunk
from homeroom.rostering.values import (
    FORMULA_STARTS,
    is_identifier,
    split_items,
    valid_boolean,
    valid_date,
    valid_timestamp,
    valid_user_ids,
    valid_year,
)

ColumnCheck = Callable[[Sequence[str]], bool]
"""Whether every value of a column (blank ones included) is one `Cells` accepts."""

_FORMULA_MARKS: Final = tuple("\x00" + first for first in FORMULA_STARTS)
"""A cell starting like a formula, in a column joined with NULs (one in front too): each cell follows one."""
DATE_RANGES: Final[Mapping[str, tuple[str, str]]] = {
    "academicSessions": ("startDate", "endDate"),
    "roles": ("beginDate", "endDate"),
    "enrollments": ("beginDate", "endDate"),
}


def _filled(values: Sequence[str]) -> bool:
    return all(values)


def _one_of(allowed: Sequence[str], *, required: bool) -> ColumnCheck:
    accepted = frozenset(allowed) if required else frozenset((*allowed, ""))
    return accepted.issuperset


def _each(valid: Callable[[str], bool], *, required: bool) -> ColumnCheck:
    """Every distinct value passes `valid` (blank ones only where the column is optional)."""

    def check(values: Sequence[str]) -> bool:
        distinct = set(values)
        if "" in distinct:
            if required:
                return False
            distinct.discard("")
        return all(map(valid, distinct))

    return check


def _has_item(value: str) -> bool:
    return bool(split_items(value))


def _formula_free(values: Sequence[str]) -> bool:
    joined = "\x00" + "\x00".join(values)
    return not any(mark in joined for mark in _FORMULA_MARKS)


def column_checks(context: Context, kind: str) -> dict[str, ColumnCheck]:
    """What `Cells` checks in each column of `kind` (kinds.py), as column checks. Text and list columns are
    only screened for formulas, like every kept column."""
    delta = context.mode == DELTA
    dates = _each(valid_date, required=False)
    version_1_1 = {
        "role": _one_of(USER_ROLES_1_1, required=True),
        "orgSourcedIds": _each(_has_item, required=True),
    }
    common = {
        "sourcedId": _filled,
        "status": _one_of(STATUSES[context.version], required=delta),
        "dateLastModified": _each(valid_timestamp, required=delta),
    }
    specific: dict[str, dict[str, ColumnCheck]] = {
        "orgs": {"name": _filled, "type": _one_of(ORG_TYPES, required=True)},
        "academicSessions": {
            "title": _filled,
            "type": _one_of(SESSION_TYPES, required=True),
            "startDate": _each(valid_date, required=True),
            "endDate": _each(valid_date, required=True),
            "schoolYear": _each(valid_year, required=True),
        },
        "courses": {"title": _filled, "orgSourcedId": _filled},
        "classes": {
            "title": _filled,
            "courseSourcedId": _filled,
            "classType": _one_of(CLASS_TYPES, required=True),
            "schoolSourcedId": _filled,
            "termSourcedIds": _each(_has_item, required=True),
        },
        "users": {
            "enabledUser": _each(valid_boolean, required=True),
            "username": _filled,
            "userIds": _each(valid_user_ids, required=False),
            "givenName": _filled,
            "familyName": _filled,
            **(version_1_1 if context.version == "1.1" else {}),
        },
        "userProfiles": dict.fromkeys(
            ("userSourcedId", "profileType", "vendorId", "credentialType", "username"), _filled
        ),
        "roles": {
            "userSourcedId": _filled,
            "roleType": _one_of(ROLE_TYPES, required=True),
            "role": _one_of(ROLES_1_2, required=True),
            "beginDate": dates,
            "endDate": dates,
            "orgSourcedId": _filled,
        },
        "enrollments": {
            "classSourcedId": _filled,
            "schoolSourcedId": _filled,
            "userSourcedId": _filled,
            "role": _one_of(ENROLLMENT_ROLES, required=True),
            "primary": _each(valid_boolean, required=False),
            "beginDate": dates,
            "endDate": dates,
        },
    }
    return {**common, **specific[kind]}


class PlainRows:
    """The column checks of one file, by position in its header."""

    def __init__(self, kind: Kind[Any], context: Context, names: Sequence[str]) -> None:
        checks = column_checks(context, kind.name)
        position = {name: index for index, name in enumerate(names)}
        # A column missing from the header reads as blank on every row: a check that refuses blanks
        # there refuses every chunk (the reference reading reports the missing values).
        self.possible = all(check(("",)) for name, check in checks.items() if name not in position)
        self.checks = [(position[name], check) for name, check in checks.items() if name in position]
        kept = kept_columns(kind, context)
        metadata = {name for name in names if name.startswith(METADATA_PREFIX) and name != METADATA_PREFIX}
        self.screened = [
            index
            for index, name in enumerate(names)
            if (name in kept or name in metadata) and not is_identifier(name)
        ]
        start, end = DATE_RANGES.get(kind.name, ("", ""))
        self.date_range = (position[start], position[end]) if start in position and end in position else None

    def accepts(self, chunk: Chunk) -> bool:
        """Whether no cell of the chunk has a problem of its own (references are checked elsewhere)."""
        if not self.possible or chunk.misshapen:
            return False
        columns = chunk.columns()
        if not all(check(columns[index]) for index, check in self.checks):
            return False
        if not all(_formula_free(columns[index]) for index in self.screened):
            return False
        if self.date_range is not None:
            start, end = self.date_range
            # Valid dates are YYYY-MM-DD in ASCII digits: their text sorts as the dates do.
            pairs = set(zip(columns[start], columns[end], strict=False))
            return all(not (first and last) or first <= last for first, last in pairs)
        return True
