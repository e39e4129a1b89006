"""Parse and validate a OneRoster package in one streaming pass; read its accepted records again on demand.

`parse_package` never raises for bad input: everything it finds is a `Problem` in the `Report`. A consumer
either passes a `sink` that is handed the rows while they are validated (batches.py: the import stages them
in the same pass), or calls `ParsedPackage.records(kind)` afterwards; that re-opens the file and streams the
accepted records (rows with an error are left out), so no file is ever held in memory. If a file's bytes
differ from what was validated, `records` raises `InvalidInput` (code `package_changed`) when it reaches the
end of the file: run the plan in a transaction so that nothing read from a changed file is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from homeroom.errors import InvalidInput
from homeroom.rostering.batches import Batch, Sink
from homeroom.rostering.kinds import KINDS, Context, Kind
from homeroom.rostering.limits import DEFAULT_LIMITS, Limits
from homeroom.rostering.manifests import ABSENT, Manifest, Mode, Version, read_manifest
from homeroom.rostering.packages import Package, open_package
from homeroom.rostering.plain import PlainRows
from homeroom.rostering.problems import CODES, ERROR, Problem, ProblemLog
from homeroom.rostering.readers import Digest, outcomes, read_outcomes
from homeroom.rostering.references import KnownIds, References
from homeroom.rostering.rows import Chunk, read_chunks

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class FileReport:
    """How many rows a file had, and how many of them were accepted."""

    file: str
    mode: Mode
    rows: int
    accepted: int

    @property
    def rejected(self) -> int:
        return self.rows - self.accepted


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of validation: counts per file and the problems (the first `Limits.max_problems`)."""

    version: Version | None
    files: tuple[FileReport, ...]
    problems: tuple[Problem, ...]
    counts: Mapping[str, int]
    """Problems by code, all of them (also those beyond the cap)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def omitted(self) -> int:
        """How many problems were counted but not kept."""
        return self.total - len(self.problems)

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.counts.items() if CODES[code][0] == ERROR)

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed): every row was accepted and the package may be applied."""
        return self.errors == 0

    def file(self, name: str) -> FileReport | None:
        return next((report for report in self.files if report.file == name), None)


@dataclass(frozen=True, slots=True)
class ParsedPackage:
    """A validated package: its manifest, its report, and its accepted records of each kind, read lazily."""

    manifest: Manifest | None
    report: Report
    limits: Limits
    _package: Package | None = field(repr=False)
    _rejected: Mapping[str, frozenset[int] | None] = field(repr=False)
    """Rejected lines per file read; None when the whole file was rejected."""
    _digests: Mapping[str, str | None] = field(repr=False)

    def mode(self, kind: Kind[R]) -> Mode:
        return self.manifest.mode(kind.name) if self.manifest is not None else ABSENT

    def records(self, kind: Kind[R]) -> Iterator[R]:
        """Stream the accepted records of `kind`, in file order; nothing when the file was not read."""
        if self._package is None or self.manifest is None or kind.file not in self._rejected:
            return
        rejected = self._rejected[kind.file]
        if rejected is None:
            return
        context = Context(self.manifest.version, self.mode(kind))
        digest = Digest()
        scratch = ProblemLog(cap=0)
        for outcome in read_outcomes(self._package, kind, context, self.limits, scratch, digest):
            if outcome.record is not None and outcome.line not in rejected:
                yield outcome.record
        if digest.value != self._digests[kind.file]:
            raise InvalidInput(f"{kind.file} changed since it was validated", code="package_changed")


def parse_package(
    path: Path, limits: Limits = DEFAULT_LIMITS, *, known: KnownIds | None = None, sink: Sink | None = None
) -> ParsedPackage:
    """Open, parse and validate the package at `path` (a folder or a .zip) within `limits`.

    `known(kind, sourced_id)` answers for stored records, so that a delta package may reference objects it
    does not carry; without it every reference must resolve within the package. `sink` is handed the rows
    as they are validated, while no error has been found (batches.py).
    """
    log = ProblemLog(limits.max_problems)
    package = open_package(path, limits, log)
    manifest = read_manifest(package, limits, log) if package is not None else None
    if package is None or manifest is None:
        return ParsedPackage(None, _report(None, [], log), limits, None, {}, {})
    sink = sink or _NoSink()
    if not log.errors:
        sink.start(manifest)
    references = References(manifest, package.names(), log, known)
    files: list[tuple[str, Mode, int]] = []
    digests: dict[str, str | None] = {}
    for kind in KINDS:
        mode = manifest.mode(kind.name)
        if mode != ABSENT and kind.file in package.names() and kind.header(manifest.version) is not None:
            digest = Digest()
            context = Context(manifest.version, mode)
            rows = _validate_file(
                package, kind, context, limits, log, references=references, digest=digest, sink=sink
            )
            files.append((kind.file, mode, rows))
            digests[kind.file] = digest.value
        if not log.errors:
            sink.done(kind)
    rejected = {
        file: None if file in log.rejected_files else frozenset(log.rejected.get(file, ()))
        for file, _, _ in files
    }
    report = _report(manifest.version, files, log)
    return ParsedPackage(
        manifest, report, limits, package, MappingProxyType(rejected), MappingProxyType(digests)
    )


def _validate_file(  # noqa: PLR0913 (the state of one pass, passed down once)
    package: Package,
    kind: Kind[Any],
    context: Context,
    limits: Limits,
    log: ProblemLog,
    *,
    references: References,
    digest: Digest,
    sink: Sink,
) -> int:
    """Read one file, checking each chunk as it streams by: plain chunks by columns (plain.py), any other
    row by row; returns the number of rows."""
    header = kind.header(context.version)
    if header is None:
        return 0
    references.start(kind.name)
    rows, plain = 0, None
    with package.open(kind.file, limits.max_file_bytes) as stream:
        for chunk in read_chunks(stream, kind.file, header, limits, log):
            rows += len(chunk.lines)
            plain = plain or PlainRows(kind, context, chunk.names)
            taken = (
                kind.file not in log.rejected_files
                and plain.accepts(chunk)
                and references.take_plain(chunk.lines, chunk.column, kind.links)
            )
            if not taken:
                _validate_rows(chunk, kind, context, log, references)
            if not log.errors:
                sink.rows(Batch(kind, context, chunk))
        digest.value = stream.digest()
    references.finish()
    return rows


def _validate_rows(
    chunk: Chunk, kind: Kind[Any], context: Context, log: ProblemLog, references: References
) -> None:
    """The reference reading: every row through `Cells`, its references checked one by one."""
    for outcome in outcomes(chunk, kind, context, log):
        references.add_id(outcome.line, outcome.sourced_id)
        if outcome.record is not None and not log.is_rejected(kind.file, outcome.line):
            references.check(outcome.line, outcome.record, kind.references(outcome.record))


class _NoSink:
    def start(self, manifest: Manifest) -> None:
        pass

    def rows(self, batch: Batch[Any]) -> None:
        pass

    def done(self, kind: Kind[Any]) -> None:
        pass


def _report(version: Version | None, files: list[tuple[str, Mode, int]], log: ProblemLog) -> Report:
    reports = tuple(
        FileReport(
            file, mode, rows, 0 if file in log.rejected_files else rows - len(log.rejected.get(file, ()))
        )
        for file, mode, rows in files
    )
    return Report(version, reports, tuple(log.kept), MappingProxyType(dict(log.by_code)))
