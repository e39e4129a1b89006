"""Stream the records of one file of a package, lazily: one row in memory at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from homeroom.rostering.columns import DROPPED
from homeroom.rostering.kinds import Context, Kind
from homeroom.rostering.limits import Limits
from homeroom.rostering.packages import Package
from homeroom.rostering.problems import ProblemLog
from homeroom.rostering.rows import read_rows
from homeroom.rostering.values import Cells

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[R]):
    """What one row gave: its line, its sourcedId as written (even when rejected), its record if accepted."""

    line: int
    sourced_id: str
    record: R | None


@dataclass(slots=True)
class Digest:
    """The SHA-256 of the bytes read, filled in once the file has been read to its end."""

    value: str | None = None


def read_outcomes(
    package: Package, kind: Kind[R], context: Context, limits: Limits, log: ProblemLog, digest: Digest
) -> Iterator[Outcome[R]]:
    """Yield one outcome per row of the kind's file, reporting row-level problems into `log`."""
    header = kind.header(context.version)
    if header is None:
        return
    kept = frozenset((*header.required, *header.optional)) - DROPPED
    with package.open(kind.file, limits.max_file_bytes) as stream:
        for row in read_rows(stream, kind.file, header, limits, log):
            if kind.file in log.rejected_files:  # broken header: keep the ids, spare the noise of each cell
                yield Outcome(row.line, row.cells.get("sourcedId") or "", None)
                continue
            cells = Cells(kind.file, row, log)
            cells.screen(kept)
            record = kind.build(cells, context)
            accepted = not log.is_rejected(kind.file, row.line)
            yield Outcome(row.line, cells.raw("sourcedId"), record if accepted else None)
        digest.value = stream.digest()
