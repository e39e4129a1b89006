"""Stream the records of one file of a package, lazily: one chunk of rows in memory at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from homeroom.rostering.columns import DROPPED
from homeroom.rostering.kinds import Context, Kind
from homeroom.rostering.limits import Limits
from homeroom.rostering.packages import Package
from homeroom.rostering.problems import ProblemLog
from homeroom.rostering.rows import Chunk, read_chunks
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
    """Yield one outcome per row of the kind's file, reporting row-level problems into `log`; one row is read
    at a time, so that a file that changes while it is read again is still caught by its digest."""
    header = kind.header(context.version)
    if header is None:
        return
    with package.open(kind.file, limits.max_file_bytes) as stream:
        for chunk in read_chunks(stream, kind.file, header, limits, log, size=1):
            yield from outcomes(chunk, kind, context, log)
        digest.value = stream.digest()


def outcomes(chunk: Chunk, kind: Kind[R], context: Context, log: ProblemLog) -> Iterator[Outcome[R]]:
    """Read a chunk row by row, every cell through `Cells`: the reference reading, problems included."""
    kept = kept_columns(kind, context)
    for index in range(len(chunk.lines)):
        chunk.report_shape(index, kind.file, log)
        row = chunk.row(index)
        if kind.file in log.rejected_files:  # broken header: keep the ids, spare the noise of each cell
            yield Outcome(row.line, row.cells.get("sourcedId") or "", None)
            continue
        cells = Cells(kind.file, row, log)
        cells.screen(kept)
        record = kind.build(cells, context)
        accepted = not log.is_rejected(kind.file, row.line)
        yield Outcome(row.line, cells.raw("sourcedId"), record if accepted else None)


def kept_columns(kind: Kind[Any], context: Context) -> frozenset[str]:
    """The columns of the kind's file whose values are kept (and so screened for formulas)."""
    header = kind.header(context.version)
    if header is None:
        return frozenset()
    return frozenset((*header.required, *header.optional)) - DROPPED
