"""Open a OneRoster package (a folder or a zip file) safely, before a single byte of CSV is parsed.

Everything that could make reading unsafe or unbounded is found here from the directory of the zip (or the
folder's listing) and reported as a problem that stops the import: member names that leave the package (zip
slip), symbolic links, too many members, files over the per-file limit, and expansion beyond the total size or
compression ratio limits (zip bombs). Reading is bounded again while streaming (`MeteredStream`), because a
zip directory can lie and a folder's file can grow.
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, Protocol

from homeroom.rostering.limits import Limits
from homeroom.rostering.problems import ProblemLog, problem

MANIFEST: Final = "manifest.csv"
PACKAGE: Final = ""  # the `file` of problems about the package as a whole
_IGNORED_PREFIXES: Final = ("__MACOSX/",)  # resource forks that macOS adds to every zip it makes
_DRIVE: Final = re.compile(r"^[A-Za-z]:")


class FileTooLarge(Exception):
    """A stream grew past the per-file limit while it was read."""


class MeteredStream:
    """A binary stream that counts and hashes what is read, and stops at the per-file limit."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self._limit = limit
        self._read = 0
        self._hash = hashlib.sha256()

    def readline(self, size: int) -> bytes:
        data = self._raw.readline(size)
        self._read += len(data)
        if self._read > self._limit:
            raise FileTooLarge
        self._hash.update(data)
        return data

    def read(self, size: int) -> bytes:
        """Up to `size` bytes, counted and hashed; the caller checks `count` against `limit` (it may have to
        use the part of a block before the limit, as a line by line reading would)."""
        data = self._raw.read(size)
        self._read += len(data)
        self._hash.update(data)
        return data

    @property
    def count(self) -> int:
        return self._read

    @property
    def limit(self) -> int:
        return self._limit

    def digest(self) -> str:
        return self._hash.hexdigest()


class Package(Protocol):
    """The files of an opened package, by name relative to the package's root."""

    @property
    def label(self) -> str: ...

    def names(self) -> tuple[str, ...]: ...

    def open(self, name: str, limit: int) -> AbstractContextManager[MeteredStream]: ...


@dataclass(frozen=True, slots=True)
class FolderPackage:
    root: Path
    files: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(self.root)

    def names(self) -> tuple[str, ...]:
        return self.files

    @contextmanager
    def open(self, name: str, limit: int) -> Iterator[MeteredStream]:
        with (self.root / name).open("rb") as raw:
            yield MeteredStream(raw, limit)


@dataclass(frozen=True, slots=True)
class ZipPackage:
    path: Path
    members: Mapping[str, zipfile.ZipInfo]

    @property
    def label(self) -> str:
        return str(self.path)

    def names(self) -> tuple[str, ...]:
        return tuple(self.members)

    @contextmanager
    def open(self, name: str, limit: int) -> Iterator[MeteredStream]:
        with zipfile.ZipFile(self.path) as archive, archive.open(self.members[name]) as raw:
            yield MeteredStream(raw, limit)


def open_package(path: Path, limits: Limits, log: ProblemLog) -> Package | None:
    """Open a folder or a zip file as a package, or report why it cannot be read safely and return None."""
    if path.is_dir():
        return _open_folder(path, limits, log)
    try:
        is_zip = path.is_file() and zipfile.is_zipfile(path)
    except OSError:
        is_zip = False
    if is_zip:
        return _open_zip(path, limits, log)
    log.add(problem(PACKAGE, None, None, path.name, "unreadable_package", "a folder or a .zip file"))
    return None


def _open_folder(root: Path, limits: Limits, log: ProblemLog) -> Package | None:
    entries = sorted(root.iterdir())
    errors_before = log.errors
    if len(entries) > limits.max_members:
        _too_many(len(entries), limits, log)
        return None
    files: list[str] = []
    total = 0
    for entry in entries:
        if entry.is_symlink():
            log.add(problem(entry.name, None, None, None, "symlink", "a regular file"))
        elif entry.is_file():
            size = entry.stat().st_size
            total += size
            _check_size(entry.name, size, limits, log)
            files.append(entry.name)
    if total > limits.max_total_bytes:
        expected = f"at most {limits.max_total_bytes} bytes in all files"
        log.add(problem(PACKAGE, None, None, str(total), "package_too_large", expected))
    if MANIFEST not in files:
        log.add(problem(MANIFEST, None, None, None, "missing_manifest", "manifest.csv in the folder"))
    return None if log.errors > errors_before else FolderPackage(root, tuple(files))


def _open_zip(path: Path, limits: Limits, log: ProblemLog) -> Package | None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        log.add(problem(PACKAGE, None, None, path.name, "bad_zip", "a readable zip file"))
        return None
    if len(infos) > limits.max_members:
        _too_many(len(infos), limits, log)
        return None
    errors_before = log.errors
    files = [info for info in infos if _member_is_safe(info, limits, log)]
    total = sum(info.file_size for info in files)
    if total > limits.max_total_bytes:
        expected = f"at most {limits.max_total_bytes} bytes uncompressed in all"
        log.add(problem(PACKAGE, None, None, str(total), "zip_bomb", expected))
    if log.errors > errors_before:
        return None
    members = _members_under_root(files)
    if members is None:
        expected = "manifest.csv at the top of the zip or of its one top-level folder"
        log.add(problem(MANIFEST, None, None, None, "missing_manifest", expected))
        return None
    return ZipPackage(path, members)


def _member_is_safe(info: zipfile.ZipInfo, limits: Limits, log: ProblemLog) -> bool:
    """Report what makes a member unsafe; True for a regular file worth keeping."""
    name = info.filename
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
        log.add(problem(name, None, None, name, "zip_slip", "a relative member name inside the package"))
        return False
    if stat.S_ISLNK(info.external_attr >> 16):
        log.add(problem(name, None, None, None, "symlink", "a regular file"))
        return False
    if info.is_dir() or name.startswith(_IGNORED_PREFIXES):
        return False
    if info.flag_bits & 0x1:
        log.add(problem(name, None, None, None, "bad_zip", "an unencrypted member"))
        return False
    _check_size(name, info.file_size, limits, log)
    compressed = max(info.compress_size, 1)
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * compressed:
        ratio = f"{info.file_size // compressed}:1"
        expected = f"a compression ratio of at most {limits.max_ratio}:1"
        log.add(problem(name, None, None, ratio, "zip_bomb", expected))
    return True


def _check_size(name: str, size: int, limits: Limits, log: ProblemLog) -> None:
    if size > limits.max_file_bytes:
        expected = f"at most {limits.max_file_bytes} bytes"
        log.add(problem(name, None, None, str(size), "file_too_large", expected))


def _too_many(count: int, limits: Limits, log: ProblemLog) -> None:
    expected = f"at most {limits.max_members} entries"
    log.add(problem(PACKAGE, None, None, str(count), "too_many_members", expected))


def _members_under_root(files: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo] | None:
    """Members by name relative to the root: the zip's top, or its one top folder that holds the manifest."""
    names = {info.filename: info for info in files}
    if MANIFEST in names:
        return names
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or not all("/" in name for name in names):
        return None
    root = tops.pop() + "/"
    if root + MANIFEST not in names:
        return None
    return {name.removeprefix(root): info for name, info in names.items()}
