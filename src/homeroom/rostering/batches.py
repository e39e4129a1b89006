"""Rows handed to a consumer while the package is validated, so that it is read once, not twice.

    class Stager:                                   # implements Sink
        def start(self, manifest): ...              # the manifest is read and clean
        def rows(self, batch): ...                  # a chunk of rows of batch.kind, validated
        def done(self, kind): ...                   # the kind's file is read (or absent), in KINDS order

    parsed = parse_package(path, limits, known=known, sink=Stager())
    if not parsed.report.ok: ...                    # throw away whatever the sink did

`parse_package` calls the sink only as long as it has found no error: a batch holds rows that were clean
when read, but a later problem (a duplicate id further down, a reference that never resolves, a cycle)
can still reject the package. A consumer must therefore do its work where it can be undone (the import
stages inside its transaction) and keep it only when `report.ok`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from homeroom.rostering.kinds import Context, Kind
from homeroom.rostering.manifests import Manifest
from homeroom.rostering.problems import ProblemLog
from homeroom.rostering.rows import Chunk
from homeroom.rostering.values import Cells, split_items

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Batch(Generic[R]):
    """Consecutive rows of one file, every one of them accepted so far, read column by column.

    The typed readers give exactly what the records' fields hold (blank cells are "" in `column`, None in
    `texts` and `booleans`, an empty tuple in `items`).
    """

    kind: Kind[R]
    context: Context
    _chunk: Chunk

    @property
    def lines(self) -> Sequence[int]:
        """The line where each row starts."""
        return self._chunk.lines

    def __len__(self) -> int:
        return len(self._chunk.lines)

    def column(self, name: str) -> Sequence[str]:
        return self._chunk.column(name)

    def texts(self, name: str) -> list[str | None]:
        return [value or None for value in self._chunk.column(name)]

    def booleans(self, name: str) -> list[bool | None]:
        return [value.lower() == "true" if value else None for value in self._chunk.column(name)]

    def items(self, name: str) -> list[tuple[str, ...]]:
        return [split_items(value) for value in self._chunk.column(name)]

    def records(self) -> Iterator[R]:
        """The rows as records, built by the reference reading (slower: for small files)."""
        scratch = ProblemLog(cap=0)
        for index in range(len(self._chunk.lines)):
            yield self.kind.build(Cells(self.kind.file, self._chunk.row(index), scratch), self.context)


class Sink(Protocol):
    """What consumes a package while it is validated (see the module's docstring)."""

    def start(self, manifest: Manifest) -> None: ...

    def rows(self, batch: Batch[Any]) -> None: ...

    def done(self, kind: Kind[Any]) -> None: ...
