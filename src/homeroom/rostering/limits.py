"""The limits that keep an import bounded in memory, disk and time, passed in by the caller.

Nothing here reads the environment: the app's or the CLI's settings build a `Limits` and hand it down.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

KIB: Final = 1024
MIB: Final = 1024 * KIB
GIB: Final = 1024 * MIB


@dataclass(frozen=True, slots=True)
class Limits:
    """Every bound the reader enforces. The defaults suit a district of a million users."""

    max_total_bytes: int = 2 * GIB
    """Sum of the uncompressed sizes of all files of a package."""
    max_file_bytes: int = 1 * GIB
    """Uncompressed size of any one file."""
    max_ratio: int = 200
    """Uncompressed size over compressed size of a zip member (checked above `ratio_floor_bytes`)."""
    ratio_floor_bytes: int = 1 * MIB
    """Members smaller than this are never counted as bombs: tiny files of empty cells compress very well."""
    max_members: int = 100
    """Entries in a zip or a folder (OneRoster 1.2 defines 24 files)."""
    max_line_bytes: int = 1 * MIB
    """One physical line of a CSV file; a longer one ends the reading of that file."""
    max_problems: int = 1000
    """Problems kept in a report; the rest are counted by code."""

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) < 1:
                raise ValueError(f"Limits.{field.name} must be at least 1")


DEFAULT_LIMITS: Final = Limits()
