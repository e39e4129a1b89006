"""A OneRoster import from start to end: parse (pure, streaming), plan, report, apply, audit.

    outcome = import_package(app, authenticate, Path("roster.zip"), ImportOptions(dry_run=True))
    outcome.status    # applied, planned (dry run), held (needs --approve), rejected (problems)
    outcome.as_json() # the report: files, problems with file/line/column/value/code/expected, counts

The whole import is one transaction: the package is validated first and nothing is staged unless it is
clean; the plan is computed against the stored tenant; then, unless it is a dry run, held for approval or
found faulty, it is applied and audited. Any other outcome rolls everything back, so the database is
exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any, Final, TypeVar

from homeroom.errors import HomeroomError
from homeroom.rostering import (
    CLASSES,
    DEFAULT_LIMITS,
    ENROLLMENTS,
    ORGS,
    ROLES,
    USERS,
    Batch,
    Kind,
    Limits,
    Manifest,
    Report,
    parse_package,
)
from homeroom.rostering.columns import STUDENT
from homeroom.services.access import Access
from homeroom.services.roster_orgs import Issue, PackageClass, PackageOrg
from homeroom.services.roster_rows import LinkRows, MembershipRows, UserRows
from homeroom.services.roster_sync import (
    Modes,
    Plan,
    RosterSync,
    known_ids,
    open_sync,
    root_org,
)
from homeroom.services.roster_sync import record as record_import
from homeroom.services.runtime import Authenticate, Homeroom

T = TypeVar("T")
Progress = Callable[[str, int], None]
REMOVED: Final = frozenset({"tobedeleted", "inactive"})


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    approve: bool = False
    anchor: str | None = None  # the org the import is for; default: the tenant's root org
    limits: Limits = DEFAULT_LIMITS
    job: str | None = None


@dataclass
class ImportOutcome:
    status: str  # applied, unchanged, planned (a dry run), held, rejected
    report: Report
    plan: Plan | None = None
    rows_written: int = 0
    anchor: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        problems = [
            _problem(p.file, p.line, p.column, p.value, p.code, p.expected) for p in self.report.problems
        ]
        if self.plan is not None:
            problems += [
                _problem(i.file, i.line, i.column, i.value, i.code, i.expected) for i in self.plan.issues
            ]
        return {
            "status": self.status,
            "anchor": self.anchor,
            "version": self.report.version,
            "files": [
                {
                    "file": f.file,
                    "mode": f.mode,
                    "rows": f.rows,
                    "accepted": f.accepted,
                    "rejected": f.rejected,
                }
                for f in self.report.files
            ],
            "problem_counts": dict(self.report.counts),
            "problems": problems,
            "omitted_problems": self.report.omitted,
            "plan": None
            if self.plan is None
            else {"counts": self.plan.counts, "held": self.plan.held, "skipped": self.plan.skipped},
            "rows_written": self.rows_written,
            "notes": self.notes,
        }


def _problem(
    file: str, line: int | None, column: str | None, value: str | None, code: str, expected: str
) -> dict[str, Any]:
    return {"file": file, "line": line, "column": column, "value": value, "code": code, "expected": expected}


class _Discard(Exception):
    """Not an error: carries the outcome of a run that must write nothing out of the transaction."""

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


def import_package(
    app: Homeroom,
    authenticate: Authenticate,
    path: Path,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import the package at `path` for the authenticated caller; see the module's docstring."""
    tick = progress or (lambda _stage, _n: None)
    try:
        return app.work(authenticate, lambda access: _run(access, path, options, tick))
    except _Discard as discarded:
        return discarded.outcome


def _run(access: Access, path: Path, options: ImportOptions, tick: Progress) -> ImportOutcome:
    anchor = options.anchor or root_org(access)
    tick("validate", 0)
    stager = _Stager(access, anchor, tick)
    try:
        return _import(stager, path, options, tick)
    finally:
        if stager.sync is not None:
            stager.sync.release()


def _import(stager: _Stager, path: Path, options: ImportOptions, tick: Progress) -> ImportOutcome:
    access, anchor = stager.access, stager.anchor
    parsed = parse_package(path, options.limits, known=known_ids(access), sink=stager)
    if not parsed.report.ok:
        raise _Discard(ImportOutcome("rejected", parsed.report, anchor=anchor))
    sync = stager.finished()
    tick("plan", 0)
    plan = sync.plan()
    outcome = ImportOutcome("planned", parsed.report, plan, anchor=anchor)
    if not plan.ok:
        outcome.status = "rejected"
    elif plan.held and not options.approve:
        outcome.status = "held"
    if options.dry_run or outcome.status != "planned":
        raise _Discard(outcome)
    if plan.changes == 0:
        outcome.status = "unchanged"  # nothing to write, not even an audit entry
        raise _Discard(outcome)
    tick("apply", 0)
    sync.apply()
    sync.close()
    outcome.status = "applied"
    outcome.rows_written = plan.changes
    details: dict[str, object] = {"job": options.job, "approved": bool(plan.held)}
    record_import(access, sync, plan, outcome.rows_written, details)
    return outcome


class _Stager:
    """The package's rows staged while they are validated (one reading of each file, rostering/batches.py).

    Orgs and classes are collected and planned when their file ends; users, memberships and enrollments
    are staged batch by batch. Whatever is staged is thrown away with the transaction unless the whole
    package is clean. Opening the import (authorizing it, reading the settings) happens when the manifest
    is read; if that fails, the failure is raised only after validation, as if nothing had been staged: a
    package with problems is reported as rejected whoever sends it.
    """

    def __init__(self, access: Access, anchor: str, tick: Progress) -> None:
        self.access, self.anchor, self.tick = access, anchor, tick
        self.sync: RosterSync | None = None
        self.failure: HomeroomError | None = None
        self.version: str | None = None
        self.orgs: list[PackageOrg] = []
        self.classes: list[PackageClass] = []
        self.counts: dict[str, int] = {}
        self.skipped_users = 0

    def finished(self) -> RosterSync:
        if self.failure is not None:
            raise self.failure
        if self.sync is None:  # pragma: no cover - a clean package always has a manifest
            raise RuntimeError("the package was validated without a manifest")
        return self.sync

    def start(self, manifest: Manifest) -> None:
        self.version = manifest.version
        modes = Modes(
            orgs=manifest.mode(ORGS.name) == "bulk",
            classes=manifest.mode(CLASSES.name) == "bulk",
            users=manifest.mode(USERS.name) == "bulk",
            enrollments=manifest.mode(ENROLLMENTS.name) == "bulk",
        )
        try:
            self.sync = open_sync(self.access, self.anchor, modes)
        except HomeroomError as failure:
            self.failure = failure

    def rows(self, batch: Batch[Any]) -> None:
        sync, kind = self.sync, batch.kind
        if sync is None:
            return
        if kind is ORGS:
            self.orgs += map(PackageOrg, batch.column("sourcedId"), batch.column("type"),
                             batch.column("name"), batch.texts("parentSourcedId"), _removed(batch),
                             batch.lines)  # fmt: skip
        elif kind is CLASSES:
            self.classes += map(PackageClass, batch.column("sourcedId"), batch.column("title"),
                                batch.column("schoolSourcedId"), _removed(batch), batch.lines)  # fmt: skip
        elif kind is USERS:
            self._users(sync, batch)
        elif kind is ROLES:
            primary = [role_type == "primary" for role_type in batch.column("roleType")]
            sync.add_memberships(
                MembershipRows(batch.column("userSourcedId"), batch.column("orgSourcedId"),
                               batch.column("role"), primary, _removed(batch), batch.lines, ROLES.file)
            )  # fmt: skip
            self._tick("roles", batch)
        elif kind is ENROLLMENTS:
            sync.add_links(
                LinkRows(batch.column("classSourcedId"), batch.column("userSourcedId"), batch.column("role"),
                         _removed(batch), batch.lines)
            )  # fmt: skip
            self._tick("enrollments", batch)

    def _users(self, sync: RosterSync, batch: Batch[Any]) -> None:
        keys, roles, lines = batch.column("sourcedId"), batch.column("role"), batch.lines
        if self.version == "1.2":
            kinds: list[str | None] = [None] * len(batch)
            imported = [True] * len(batch)
        else:  # 1.1: the user's one role says its kind; users with a role the mapping lacks are skipped
            kinds = ["student" if role == STUDENT else "staff" for role in roles]
            imported = [role in sync.config.roles for role in roles]
            self.skipped_users += imported.count(False)
        sync.add_users(
            UserRows(
                _kept(keys, imported), _kept(kinds, imported), _kept(batch.column("username"), imported),
                _kept(batch.column("givenName"), imported), _kept(batch.column("familyName"), imported),
                _kept(batch.texts("email"), imported), _kept(batch.booleans("enabledUser"), imported),
                _kept(_removed(batch), imported), _kept(lines, imported),
            )
        )  # fmt: skip
        if self.version == "1.1":
            sync.add_memberships(_memberships_1_1(keys, batch.items("orgSourcedIds"), roles, lines, imported))
        self._tick("users", batch)

    def done(self, kind: Kind[Any]) -> None:
        sync = self.sync
        if sync is None:
            return
        if kind is ORGS:
            sync.add_orgs(self.orgs)
        elif kind is CLASSES:
            sync.add_classes(self.classes)
        elif (kind is USERS and self.version == "1.1") or (kind is ROLES and self.version == "1.2"):
            sync.settle_memberships()
        elif kind is ENROLLMENTS:
            sync.settle_links()
            if self.skipped_users:
                sync.skipped["users with a role that is not imported"] = self.skipped_users

    def _tick(self, stage: str, batch: Batch[Any]) -> None:
        self.counts[stage] = self.counts.get(stage, 0) + len(batch)
        self.tick(stage, self.counts[stage])


def _memberships_1_1(
    keys: Sequence[str],
    orgs: Sequence[tuple[str, ...]],
    roles: Sequence[str],
    lines: Sequence[int],
    imported: Sequence[bool],
) -> MembershipRows:
    """OneRoster 1.1: a user's one role at each of its orgs, the first one primary."""
    users: list[str] = []
    org_keys: list[str] = []
    user_roles: list[str] = []
    primary: list[bool] = []
    held_lines: list[int] = []
    for key, user_orgs, role, line, wanted in zip(keys, orgs, roles, lines, imported, strict=True):
        for position, org in enumerate(user_orgs if wanted else ()):
            users.append(key)
            org_keys.append(org)
            user_roles.append(role)
            primary.append(position == 0)
            held_lines.append(line)
    return MembershipRows(users, org_keys, user_roles, primary, [False] * len(users), held_lines, USERS.file)


def _kept(column: Sequence[T], wanted: Sequence[bool]) -> Sequence[T]:
    return column if all(wanted) else list(compress(column, wanted))


def _removed(batch: Batch[Any]) -> list[bool]:
    return [status in REMOVED for status in batch.column("status")]


__all__ = ["ImportOptions", "ImportOutcome", "Issue", "import_package"]
