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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

from homeroom.rostering import (
    CLASSES,
    DEFAULT_LIMITS,
    ENROLLMENTS,
    ORGS,
    ROLES,
    USERS,
    Limits,
    ParsedPackage,
    Report,
    parse_package,
)
from homeroom.services.access import Access
from homeroom.services.roster_orgs import Issue, PackageClass, PackageOrg
from homeroom.services.roster_sync import (
    Membership,
    Modes,
    PackageLink,
    PackageUser,
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
TICK: Final = 10_000


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
    parsed = parse_package(path, options.limits, known=known_ids(access))
    if not parsed.report.ok:
        raise _Discard(ImportOutcome("rejected", parsed.report, anchor=anchor))
    modes = Modes(
        orgs=parsed.mode(ORGS) == "bulk",
        classes=parsed.mode(CLASSES) == "bulk",
        users=parsed.mode(USERS) == "bulk",
        enrollments=parsed.mode(ENROLLMENTS) == "bulk",
    )
    sync = open_sync(access, anchor, modes)
    _stage(sync, parsed, tick)
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


def _stage(sync: RosterSync, parsed: ParsedPackage, tick: Progress) -> None:
    config = sync.config
    sync.add_orgs([_org(o) for o in parsed.records(ORGS)])
    sync.add_classes([_class(c) for c in parsed.records(CLASSES)])
    version = parsed.report.version
    users = (u for u in parsed.records(USERS) if version == "1.2" or (u.role or "") in config.roles)
    sync.add_users(_counted(map(_user, users), "users", tick))
    if version == "1.2":
        memberships: Iterable[Membership] = map(_role, parsed.records(ROLES))
    else:
        memberships = (
            m for u in parsed.records(USERS) if (u.role or "") in config.roles for m in _memberships_1_1(u)
        )
    sync.add_memberships(_counted(memberships, "roles", tick))
    sync.add_links(_counted(map(_link, parsed.records(ENROLLMENTS)), "enrollments", tick))
    skipped_users = sum(
        1 for u in parsed.records(USERS) if version != "1.2" and (u.role or "") not in config.roles
    )
    if skipped_users:
        sync.skipped["users with a role that is not imported"] = skipped_users


def _counted(rows: Iterable[T], stage: str, tick: Progress) -> Iterator[T]:
    n = 0
    for n, row in enumerate(rows, start=1):
        if n % TICK == 0:
            tick(stage, n)
        yield row
    tick(stage, n)


def _removed(status: str | None) -> bool:
    return status in REMOVED


def _org(o: Any) -> PackageOrg:
    return PackageOrg(o.sourced_id, o.type, o.name, o.parent_sourced_id, _removed(o.status), o.line)


def _class(c: Any) -> PackageClass:
    return PackageClass(c.sourced_id, c.title, c.school_sourced_id, _removed(c.status), c.line)


def _user(u: Any) -> PackageUser:
    kind = None if u.role is None else ("student" if u.role == "student" else "staff")
    return PackageUser(
        u.sourced_id, kind, u.username or None, u.given_name, u.family_name, u.email,
        u.enabled_user, _removed(u.status), u.line,
    )  # fmt: skip


def _memberships_1_1(u: Any) -> Iterator[Membership]:
    for position, org in enumerate(u.org_sourced_ids):
        yield Membership(u.sourced_id, org, u.role or "", position == 0, False, u.line, "users.csv")  # noqa: FBT003


def _role(r: Any) -> Membership:
    return Membership(
        r.user_sourced_id,
        r.org_sourced_id,
        r.role,
        r.role_type == "primary",
        _removed(r.status),
        r.line,
        "roles.csv",
    )


def _link(e: Any) -> PackageLink:
    return PackageLink(e.class_sourced_id, e.user_sourced_id, e.role, _removed(e.status), e.line)


__all__ = ["ImportOptions", "ImportOutcome", "Issue", "import_package"]
