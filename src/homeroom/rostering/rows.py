"""Stream the rows of one CSV file: UTF-8 decoding line by line, the header, and the shape of each row.

Memory stays bounded by one physical line (`Limits.max_line_bytes`) and one row, whatever the file's size. A
line that is not UTF-8 is reported on the row it belongs to and the reading goes on; broken quoting, an
overlong line, a file that grows past its limit or a corrupt zip member end the reading of the file.
"""

from __future__ import annotations

import csv
import difflib
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

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


def read_rows(
    stream: MeteredStream, file: str, header: Header, limits: Limits, log: ProblemLog
) -> Iterator[Row]:
    """Yield the rows of `file` lazily, reporting problems of encoding, header and shape into `log`.

    Rows with a problem are still yielded (their ids keep references from cascading); the problem has already
    rejected them in the log. When the header lacks a required column the whole file is rejected.
    """
    decoder = _Lines(stream, limits)
    reader = csv.reader(decoder, strict=True)
    try:
        names = _read_header(reader, decoder, file, header, log)
        if names is None:
            return
        yield from _data_rows(reader, decoder, file, names, log)
    except _Stop as stop:
        _stopped(file, problem(file, stop.line, None, None, stop.code, stop.expected), log)
    except csv.Error as error:
        expected = f"valid CSV quoting ({error})"
        _stopped(file, problem(file, decoder.number, None, None, "bad_csv", expected), log)
    except FileTooLarge:
        expected = f"at most {limits.max_file_bytes} bytes"
        _stopped(file, problem(file, None, None, None, "file_too_large", expected), log)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        expected = "a zip member that decompresses cleanly"
        _stopped(file, problem(file, None, None, None, "bad_zip", expected), log)


def _stopped(file: str, found: Problem, log: ProblemLog) -> None:
    """A file read only in part is rejected whole: in bulk mode its missing rows would read as deletions."""
    log.add(found)
    log.reject_file(file)


class _Lines:
    """Physical lines decoded from UTF-8 one at a time; remembers which were not valid UTF-8."""

    def __init__(self, stream: MeteredStream, limits: Limits) -> None:
        self._stream = stream
        self._max = limits.max_line_bytes
        self.number = 0
        self.last_bad = 0
        self.utf16 = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self._stream.readline(self._max + 1)
        if not raw:
            raise StopIteration
        self.number += 1
        if len(raw) > self._max:
            raise _Stop(self.number, "line_too_long", f"lines of at most {self._max} bytes")
        if self.number == 1:
            self.utf16 = raw.startswith(_UTF16_BOMS)
            raw = raw.removeprefix(BOM)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.last_bad = self.number
            return raw.decode("utf-8", "replace")


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


def _data_rows(
    reader: Iterator[list[str]], decoder: _Lines, file: str, names: list[str], log: ProblemLog
) -> Iterator[Row]:
    previous = decoder.number
    metadata = tuple(name for name in names if name.startswith(METADATA_PREFIX) and name != METADATA_PREFIX)
    for cells in reader:
        line = previous + 1
        previous = decoder.number
        if not cells:
            continue  # a blank line carries no record
        if decoder.last_bad >= line:
            _report_encoding(file, line, names, cells, log)
        if len(cells) != len(names):
            expected = f"{len(names)} cells, as in the header"
            log.add(problem(file, line, None, str(len(cells)), "bad_row_length", expected))
        yield Row(line, dict(zip(names, cells, strict=False)), metadata)


def _report_encoding(file: str, line: int, names: list[str], cells: list[str], log: ProblemLog) -> None:
    column = next((name for name, cell in zip(names, cells, strict=False) if "\ufffd" in cell), None)
    value = next((cell for cell in cells if "\ufffd" in cell), None)
    log.add(problem(file, line, column, value, "bad_encoding", "UTF-8 text"))
