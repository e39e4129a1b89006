"""Stream the rows of one CSV file: UTF-8 decoding line by line, the header, and the shape of each row.

Memory stays bounded by one physical line (`Limits.max_line_bytes`) and one row, whatever the file's size. A
line that is not UTF-8 is reported on the row it belongs to and the reading goes on; broken quoting, an
overlong line, a file that grows past its limit or a corrupt zip member end the reading of the file.
"""

from __future__ import annotations

import csv
import difflib
import io
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from homeroom.rostering.limits import Limits
from homeroom.rostering.packages import FileTooLarge, MeteredStream
from homeroom.rostering.problems import Problem, ProblemLog, problem

BOM: Final = b"\xef\xbb\xbf"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
METADATA_PREFIX: Final = "metadata."


@dataclass(frozen=True, slots=True)
class Header:
    """The columns a file may have, matched by name in any order; optional ones may be left out."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    metadata: bool = True
    """Whether `metadata.*` extension columns are allowed (kept on the records)."""
    description: str = "column"

    def known(self, name: str) -> bool:
        return name in self.required or name in self.optional or self._is_metadata(name)

    def _is_metadata(self, name: str) -> bool:
        return self.metadata and name.startswith(METADATA_PREFIX) and len(name) > len(METADATA_PREFIX)


@dataclass(frozen=True, slots=True)
class Row:
    """One record of a CSV file: the line it starts on and its cells by column name."""

    line: int
    cells: Mapping[str, str]
    metadata: tuple[str, ...] = ()
    """The `metadata.*` columns of the header (shared by every row of the file)."""


class _Stop(Exception):
    """Reading this file cannot go on."""

    def __init__(self, line: int, code: str, expected: str) -> None:
        super().__init__(code)
        self.line = line
        self.code = code
        self.expected = expected


CHUNK_ROWS: Final = 5000
CHUNK_BYTES: Final = 8 << 20
BLOCK_BYTES: Final = 64 << 10
"""A chunk also ends once its rows took this many bytes, so that memory stays bounded with long lines."""


@dataclass(slots=True)
class Chunk:
    """Consecutive data rows of a file as the CSV reader split them, with the line each one starts on.

    Nothing about a row's text or shape has been reported yet: `report_shape` does it, row by row, so
    that a row's problems stay together in the report whichever way the chunk is then read.
    """

    names: list[str]
    metadata: tuple[str, ...]
    lines: list[int] = field(default_factory=list)
    cells: list[Sequence[str]] = field(default_factory=list)
    """Tuples: Python's collector stops tracking a tuple of strings, never a list (and a chunk lives long)."""
    undecodable: set[int] = field(default_factory=set)
    """Indexes of rows with a line that is not UTF-8."""
    misshapen: bool = False
    """Some row is not UTF-8 or has more or fewer cells than the header."""
    _columns: list[tuple[str, ...]] | None = None

    def columns(self) -> list[tuple[str, ...]]:
        """The cells column by column, in header order (only for a chunk that is not misshapen)."""
        if self._columns is None:
            if self.cells:
                self._columns = list(zip(*self.cells, strict=False))  # same widths; strict is 3x slower
            else:
                self._columns = [() for _ in self.names]
        return self._columns

    def column(self, name: str) -> Sequence[str]:
        """One column's cells (blank when the header lacks it); only for a chunk that is not misshapen."""
        if name in self.names:
            return self.columns()[self.names.index(name)]
        return ("",) * len(self.lines)

    def row(self, index: int) -> Row:
        return Row(self.lines[index], dict(zip(self.names, self.cells[index], strict=False)), self.metadata)

    def report_shape(self, index: int, file: str, log: ProblemLog) -> None:
        """Report what is wrong with the text and shape of the row at `index`, if anything."""
        line, cells = self.lines[index], self.cells[index]
        if index in self.undecodable:
            _report_encoding(file, line, self.names, cells, log)
        if len(cells) != len(self.names):
            expected = f"{len(self.names)} cells, as in the header"
            log.add(problem(file, line, None, str(len(cells)), "bad_row_length", expected))


def read_rows(
    stream: MeteredStream, file: str, header: Header, limits: Limits, log: ProblemLog
) -> Iterator[Row]:
    """Yield the rows of `file` lazily, reporting problems of encoding, header and shape into `log`.

    Rows with a problem are still yielded (their ids keep references from cascading); the problem has already
    rejected them in the log. When the header lacks a required column the whole file is rejected.
    """
    for chunk in read_chunks(stream, file, header, limits, log):
        for index in range(len(chunk.lines)):
            chunk.report_shape(index, file, log)
            yield chunk.row(index)


def read_chunks(
    stream: MeteredStream, file: str, header: Header, limits: Limits, log: ProblemLog, size: int | None = None
) -> Iterator[Chunk]:
    """Yield the data rows of `file` in chunks of `size` rows (default `CHUNK_ROWS`), after the header.

    A problem that ends the reading (broken quoting, an overlong line, a file over its limit, a corrupt zip
    member) is reported after the rows read before it have been yielded, and rejects the file.
    """
    decoder = _Lines(stream, limits)
    reader = csv.reader(decoder, strict=True)
    size = size or CHUNK_ROWS
    filling: list[Chunk] = []  # the chunk being filled, flushed when the reading stops
    try:
        names = _read_header(reader, decoder, file, header, log)
        if names is not None:
            decoder.bulk = True
            yield from _fill(reader, decoder, names, size, filling)
    except _STOPS as error:
        yield from (chunk for chunk in filling if chunk.lines)
        _stopped(file, _stop_problem(error, file, reader.line_num, limits), log)


_STOPS: Final = (_Stop, csv.Error, FileTooLarge, zipfile.BadZipFile, zlib.error, EOFError, OSError)


def _fill(reader: Any, decoder: _Lines, names: list[str], size: int, filling: list[Chunk]) -> Iterator[Chunk]:
    metadata = tuple(n for n in names if n.startswith(METADATA_PREFIX) and n != METADATA_PREFIX)
    chunk = Chunk(names, metadata)
    filling.append(chunk)
    width, previous, start = len(names), reader.line_num, decoder.position
    for cells in reader:
        line = previous + 1
        previous = reader.line_num
        if not cells:
            continue  # a blank line carries no record
        if decoder.bad and not decoder.bad.isdisjoint(range(line, previous + 1)):
            chunk.undecodable.add(len(chunk.lines))
            chunk.misshapen = True
        elif len(cells) != width:
            chunk.misshapen = True
        chunk.lines.append(line)
        chunk.cells.append(tuple(cells))
        if len(chunk.lines) == size or decoder.position - start >= CHUNK_BYTES:
            filling.clear()
            yield chunk
            chunk, start = Chunk(names, metadata), decoder.position
            filling.append(chunk)
    filling.clear()
    if chunk.lines:
        yield chunk


def _stop_problem(error: Exception, file: str, line: int, limits: Limits) -> Problem:
    """The problem that stopped the reading of a file; `line`: the last line read."""
    if isinstance(error, _Stop):
        return problem(file, error.line, None, None, error.code, error.expected)
    if isinstance(error, csv.Error):
        return problem(file, line, None, None, "bad_csv", f"valid CSV quoting ({error})")
    if isinstance(error, FileTooLarge):
        return problem(file, None, None, None, "file_too_large", f"at most {limits.max_file_bytes} bytes")
    return problem(file, None, None, None, "bad_zip", "a zip member that decompresses cleanly")


def _stopped(file: str, found: Problem, log: ProblemLog) -> None:
    """A file read only in part is rejected whole: in bulk mode its missing rows would read as deletions."""
    log.add(found)
    log.reject_file(file)


class _Lines:
    """Physical lines decoded from UTF-8; remembers which were not valid UTF-8.

    The header is read one line at a time (its first line may carry a byte order mark). Then, once `bulk`
    is set, lines are cut from blocks of `BLOCK_BYTES`, decoded a block at a time: the same lines, problems
    and limits as line by line, for a fraction of the cost. A block with anything unusual in it (a line that
    is not UTF-8 or too long, the end of the file's byte limit) is read line by line.
    """

    def __init__(self, stream: MeteredStream, limits: Limits) -> None:
        self._stream = stream
        self._max = limits.max_line_bytes
        self.number = 0  # lines read one at a time (the csv reader's line_num counts them all)
        self.position = 0  # bytes read from the file so far
        self.last_bad = 0
        self.bad: set[int] = set()
        self.utf16 = False
        self.bulk = False

    def __iter__(self) -> Iterator[str]:
        while not self.bulk:
            raw = self._stream.readline(self._max + 1)
            if not raw:
                return
            self.number += 1
            self.position = self._stream.count
            if self.number == 1:
                self.utf16 = raw.startswith(_UTF16_BOMS)
                raw = raw.removeprefix(BOM)
            yield self._line(raw, self.number)
        yield from self._blocks(self.number, self._stream.count)

    def _line(self, raw: bytes, number: int) -> str:
        if len(raw) > self._max:
            raise _Stop(number, "line_too_long", f"lines of at most {self._max} bytes")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.last_bad = number
            self.bad.add(number)
            return raw.decode("utf-8", "replace")

    def _blocks(self, number: int, offset: int) -> Iterator[str]:
        """The lines after line `number`, which ends at byte `offset` of the file."""
        carry = b""
        while block := self._stream.read(BLOCK_BYTES):
            self.position = self._stream.count
            data = carry + block if carry else block
            cut = data.rfind(b"\n") + 1
            complete, carry = data[:cut], data[cut:]
            text = self._plain(complete, carry)
            if text is None:
                pieces = [piece + b"\n" for piece in complete.split(b"\n")[:-1]]
                if len(carry) > self._max:
                    pieces.append(carry)  # a line too long: read up to it, then stop there
                yield from self._slowly(pieces, number, offset)
            else:
                yield from io.StringIO(text, newline="\n")
            number += complete.count(b"\n")
            offset += len(complete)
        if carry:  # the last line, without a line break
            yield from self._slowly([carry], number, offset)

    def _plain(self, complete: bytes, carry: bytes) -> str | None:
        """The complete lines of a block decoded at once, or None when they must be read one by one."""
        if len(complete) > self._max or len(carry) > self._max or self._stream.count > self._stream.limit:
            return None
        try:
            return complete.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _slowly(self, pieces: list[bytes], number: int, offset: int) -> Iterator[str]:
        """Lines one at a time with the checks of a line by line reading, in its order."""
        for raw in pieces:
            number += 1
            offset += min(len(raw), self._max + 1)
            if offset > self._stream.limit:
                raise FileTooLarge
            yield self._line(raw, number)


def _read_header(
    reader: Iterator[list[str]], decoder: _Lines, file: str, header: Header, log: ProblemLog
) -> list[str] | None:
    names = next(reader, None)
    if not names or all(not name for name in names):
        log.add(problem(file, None, None, None, "empty_file", "a header on line 1 naming the columns"))
        return None
    if decoder.last_bad:
        expected = "UTF-8 text (this file looks like UTF-16)" if decoder.utf16 else "UTF-8 text"
        log.add(problem(file, decoder.last_bad, None, None, "bad_encoding", expected))
        log.reject_file(file)
        return None
    broken = _check_names(file, names, header, log)
    for missing in (name for name in header.required if name not in names):
        log.add(problem(file, 1, missing, None, "missing_header", f"a column named {missing}"))
        broken = True
    if broken:
        log.reject_file(file)
    return names


def _check_names(file: str, names: list[str], header: Header, log: ProblemLog) -> bool:
    """Report duplicate and unknown column names; True when the header cannot be trusted."""
    broken = False
    seen: set[str] = set()
    for name in names:
        if name in seen and name:  # blank names are reported as unknown below, once each
            log.add(problem(file, 1, name, name, "duplicate_column", "each column named once"))
            broken = True
        seen.add(name)
        if not header.known(name):
            log.add(problem(file, 1, name, name, "unknown_column", _unknown_hint(name, header)))
    return broken


def _unknown_hint(name: str, header: Header) -> str:
    columns = (*header.required, *header.optional)
    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]}?)" if close else ""
    extra = " or metadata.*" if header.metadata else ""
    return f"a {header.description}{extra}{hint}"


def _report_encoding(file: str, line: int, names: list[str], cells: Sequence[str], log: ProblemLog) -> None:
    column = next((name for name, cell in zip(names, cells, strict=False) if "\ufffd" in cell), None)
    value = next((cell for cell in cells if "\ufffd" in cell), None)
    log.add(problem(file, line, column, value, "bad_encoding", "UTF-8 text"))
