"""Checks across rows and files: duplicate ids, references, cycles of parents, enrollment roles.

Only sets of ids (and, for orgs and sessions, their parents) are kept, never whole records. Files are read in
dependency order, so a reference to another file is checked at once; a reference within the same file (a
parent org further down, an agent listed later) waits until the file has been read.

Where a reference resolves depends on the target file's mode in the manifest:

* **bulk**: the file is the complete set, so only ids in the package count;
* **delta**, **absent** (or missing): ids in the package, then stored ones through the `known` callback that
  the planner supplies. Without a callback, an id outside the package is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final

from homeroom.rostering.columns import STUDENT
from homeroom.rostering.kinds import Reference
from homeroom.rostering.manifests import BULK, Manifest
from homeroom.rostering.problems import ProblemLog, problem
from homeroom.rostering.records import (
    AcademicSessionRecord,
    EnrollmentRecord,
    OrgRecord,
    RoleRecord,
    UserRecord,
)

KnownIds = Callable[[str, str], bool]
"""`known(kind, sourced_id)`: whether the store holds a record of that kind (`orgs`, `users`, ...)."""

_CYCLE_CODES: Final = {"orgs": "org_cycle", "academicSessions": "session_cycle"}


class References:
    """The cross-row state of one validation pass."""

    def __init__(
        self, manifest: Manifest, present: Iterable[str], log: ProblemLog, known: KnownIds | None
    ) -> None:
        self._manifest = manifest
        self._present = frozenset(present)
        self._log = log
        self._known = known
        self.ids: dict[str, set[str]] = {}
        self._current = ""
        self._pending: list[tuple[int, Reference]] = []
        self._parents: dict[str, dict[str, tuple[str, int]]] = {"orgs": {}, "academicSessions": {}}
        self._students: set[str] = set()
        self._non_students: set[str] = set()

    def start(self, kind: str) -> None:
        self._current = kind
        self.ids[kind] = set()
        self._pending = []

    def add_id(self, line: int, sourced_id: str) -> None:
        """Register a row's sourcedId (rejected rows too, so that references to them do not cascade)."""
        ids = self.ids[self._current]
        if not sourced_id:
            return
        if sourced_id in ids:
            expected = f"a sourcedId used once in {self._current}.csv"
            self._report(line, "sourcedId", sourced_id, "duplicate_sourced_id", expected)
        ids.add(sourced_id)

    def check(self, line: int, record: object, references: Iterable[Reference]) -> None:
        """Check an accepted record's references and remember what later checks need."""
        for reference in references:
            if reference.target == self._current and reference.value not in self.ids[self._current]:
                self._pending.append((line, reference))
            elif reference.target != self._current and not self._resolves(reference):
                self._unknown(line, reference)
        self._observe(line, record)

    def finish(self) -> None:
        """Resolve references within the file just read; look for cycles of parents."""
        for line, reference in self._pending:
            if not self._resolves(reference):
                self._unknown(line, reference)
        self._pending = []
        if self._current in _CYCLE_CODES:
            self._report_cycles(self._parents[self._current])

    def _resolves(self, reference: Reference) -> bool:
        if reference.value in self.ids.get(reference.target, ()):
            return True
        read_in_bulk = (
            self._manifest.mode(reference.target) == BULK and f"{reference.target}.csv" in self._present
        )
        return not read_in_bulk and self._known is not None and self._known(reference.target, reference.value)

    def _unknown(self, line: int, reference: Reference) -> None:
        target = reference.target
        stored = "" if self._manifest.mode(target) == BULK else " or of a stored record"
        expected = f"the sourcedId of a record in {target}.csv{stored}"
        self._report(line, reference.column, reference.value, "unknown_reference", expected)

    def _observe(self, line: int, record: object) -> None:
        if isinstance(record, OrgRecord | AcademicSessionRecord) and record.parent_sourced_id:
            self._parents[self._current][record.sourced_id] = (record.parent_sourced_id, line)
        elif isinstance(record, UserRecord) and record.role is not None:
            self._note_role(record.sourced_id, record.role)
        elif isinstance(record, RoleRecord):
            self._note_role(record.user_sourced_id, record.role)
        elif isinstance(record, EnrollmentRecord):
            self._check_enrollment_role(line, record)

    def _note_role(self, user: str, role: str) -> None:
        (self._students if role == STUDENT else self._non_students).add(user)

    def _check_enrollment_role(self, line: int, record: EnrollmentRecord) -> None:
        user = record.user_sourced_id
        if record.role != STUDENT and user in self._students and user not in self._non_students:
            expected = f"student, the only role of user {user}"
            self._report(line, "role", record.role, "enrollment_role_conflict", expected)

    def _report_cycles(self, parents: Mapping[str, tuple[str, int]]) -> None:
        code = _CYCLE_CODES[self._current]
        for cycle in find_cycles({child: parent for child, (parent, _) in parents.items()}):
            path = " -> ".join((*cycle, cycle[0]))
            for member in cycle:
                parent, line = parents[member]
                self._report(
                    line, "parentSourcedId", parent, code, f"a chain of parents without a cycle ({path})"
                )

    def _report(self, line: int, column: str, value: str, code: str, expected: str) -> None:
        self._log.add(problem(f"{self._current}.csv", line, column, value, code, expected))


def find_cycles(parents: Mapping[str, str]) -> list[list[str]]:
    """Every cycle of the child -> parent graph, each once, starting at the member met first."""
    done: set[str] = set()
    cycles: list[list[str]] = []
    for start in parents:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parents.get(node)
        if node is not None and node in on_path:
            cycles.append(path[on_path[node] :])
        done.update(path)
    return cycles
