"""The manifest of a OneRoster package: which version, which files, bulk or delta, and where it came from.

`oneroster.version` 1.0 and 1.1 are read as "1.1"; 1.2 and 1.2.1 as "1.2". A missing manifest, a missing or
unknown version, a file listed as bulk or delta that the package lacks, and a file present but marked absent
are each a problem. A file the manifest does not mention is ignored with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from homeroom.rostering.limits import Limits
from homeroom.rostering.packages import MANIFEST, Package
from homeroom.rostering.problems import ProblemLog, problem
from homeroom.rostering.rows import Header, read_rows

Mode = Literal["bulk", "delta", "absent"]
Version = Literal["1.1", "1.2"]

BULK: Final = "bulk"
DELTA: Final = "delta"
ABSENT: Final = "absent"
MODES: Final[Mapping[str, Mode]] = MappingProxyType({"bulk": "bulk", "delta": "delta", "absent": "absent"})

VERSIONS: Final[Mapping[str, Version]] = MappingProxyType(
    {"1.0": "1.1", "1.1": "1.1", "1.2": "1.2", "1.2.1": "1.2"}
)
MANIFEST_VERSIONS: Final = ("1.0",)
FILES_1_1: Final = (
    "academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
    "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users",
)  # fmt: skip
FILES_1_2: Final = (
    *FILES_1_1, "lineItemLearningObjectiveIds", "lineItemScoreScales", "resultLearningObjectiveIds",
    "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources",
)  # fmt: skip
FILES: Final[Mapping[Version, tuple[str, ...]]] = MappingProxyType({"1.1": FILES_1_1, "1.2": FILES_1_2})
SOURCE_PROPERTIES: Final = ("source.systemName", "source.systemCode")
_HEADER: Final = Header(required=("propertyName", "value"), metadata=False, description="manifest column")


@dataclass(frozen=True, slots=True)
class Manifest:
    """What `manifest.csv` says. `files` maps a file's name without `.csv` to its mode (absent if unnamed)."""

    manifest_version: str
    version: Version
    declared_version: str
    files: Mapping[str, Mode]
    system_name: str | None
    system_code: str | None
    lines: Mapping[str, int]
    """The line of each property, for problems that point back at the manifest."""

    def mode(self, name: str) -> Mode:
        return self.files.get(name, ABSENT)


def read_manifest(package: Package, limits: Limits, log: ProblemLog) -> Manifest | None:
    """Read and check `manifest.csv` against the package's files; None when the package cannot be read."""
    properties: dict[str, str] = {}
    lines: dict[str, int] = {}
    with package.open(MANIFEST, limits.max_file_bytes) as stream:
        for row in read_rows(stream, MANIFEST, _HEADER, limits, log):
            if log.is_rejected(MANIFEST, row.line):
                continue
            name, value = row.cells.get("propertyName", ""), row.cells.get("value", "")
            if name in properties:
                expected = f"each property once (first on line {lines[name]})"
                log.add(problem(MANIFEST, row.line, "propertyName", name, "duplicate_property", expected))
                continue
            properties[name], lines[name] = value, row.line
    manifest = _manifest(properties, lines, log)
    if manifest is not None:
        _check_files(manifest, package, log)
    return manifest


def _manifest(properties: dict[str, str], lines: dict[str, int], log: ProblemLog) -> Manifest | None:
    versions = [_version(name, properties, lines, log) for name in ("manifest.version", "oneroster.version")]
    manifest_version, declared = versions
    if manifest_version is None or declared is None:
        return None
    if manifest_version not in MANIFEST_VERSIONS:
        _bad_version("manifest.version", manifest_version, lines, log, "1.0")
    if declared not in VERSIONS:
        _bad_version("oneroster.version", declared, lines, log, "1.0, 1.1, 1.2 or 1.2.1")
        return None
    version = VERSIONS[declared]
    files: dict[str, Mode] = {}
    for name, value in properties.items():
        if name.startswith("file.") and name.removeprefix("file.") in FILES[version]:
            files[name.removeprefix("file.")] = _mode(name, value, lines, log)
        elif name not in ("manifest.version", "oneroster.version", *SOURCE_PROPERTIES):
            expected = f"a manifest property of OneRoster {version}"
            log.add(problem(MANIFEST, lines[name], "propertyName", name, "unknown_property", expected))
    return Manifest(
        manifest_version=manifest_version,
        version=version,
        declared_version=declared,
        files=MappingProxyType(files),
        system_name=properties.get("source.systemName") or None,
        system_code=properties.get("source.systemCode") or None,
        lines=MappingProxyType(lines),
    )


def _version(name: str, properties: dict[str, str], lines: dict[str, int], log: ProblemLog) -> str | None:
    value = properties.get(name)
    if value is None:
        log.add(problem(MANIFEST, None, "propertyName", None, "missing_property", f"a row for {name}"))
    elif not value:
        log.add(problem(MANIFEST, lines[name], "value", value, "missing_value", f"a value for {name}"))
        return None
    return value


def _bad_version(name: str, value: str, lines: dict[str, int], log: ProblemLog, expected: str) -> None:
    log.add(problem(MANIFEST, lines[name], "value", value, "unknown_version", f"{name} {expected}"))


def _mode(name: str, value: str, lines: dict[str, int], log: ProblemLog) -> Mode:
    mode = MODES.get(value)
    if mode is not None:
        return mode
    log.add(problem(MANIFEST, lines[name], "value", value, "bad_enum", f"{name} bulk, delta or absent"))
    return ABSENT


def _check_files(manifest: Manifest, package: Package, log: ProblemLog) -> None:
    present = set(package.names())
    for name, mode in manifest.files.items():
        line = manifest.lines[f"file.{name}"]
        if mode != ABSENT and f"{name}.csv" not in present:
            log.add(problem(MANIFEST, line, "value", mode, "missing_file", f"{name}.csv in the package"))
        if mode == ABSENT and f"{name}.csv" in present:
            expected = f"bulk or delta, since the package holds {name}.csv"
            log.add(problem(MANIFEST, line, "value", mode, "file_marked_absent", expected))
    listed = {f"{name}.csv" for name in manifest.files}
    by_lower = {f"{name}.csv".lower(): f"{name}.csv" for name in FILES[manifest.version]}
    for name in sorted(present - listed - {MANIFEST}):
        spelled = by_lower.get(name.lower())
        hint = f" (the OneRoster name is {spelled})" if spelled and spelled != name else ""
        expected = f"only files the manifest lists as bulk, delta or absent{hint}"
        log.add(problem(name, None, None, None, "unlisted_file", expected))
