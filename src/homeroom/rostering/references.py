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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from homeroom.rostering.columns import STUDENT
from homeroom.rostering.idsets import IdSet
from homeroom.rostering.kinds import KINDS, Kind, Link, Reference
from homeroom.rostering.manifests import BULK, Manifest
from homeroom.rostering.problems import ProblemLog, problem
from homeroom.rostering.records import (
    AcademicSessionRecord,
    EnrollmentRecord,
    OrgRecord,
    RoleRecord,
    UserRecord,
)
from homeroom.rostering.values import split_items

Column = Callable[[str], Sequence[str]]
"""The cells of a chunk's column, by name (blank where the header lacks it)."""
KnownIds = Callable[[str, str], bool]
"""`known(kind, sourced_id)`: whether the store holds a record of that kind (`orgs`, `users`, ...)."""

_CYCLE_CODES: Final = {"orgs": "org_cycle", "academicSessions": "session_cycle"}
_NONE: Final = IdSet()
_KINDS: Final[tuple[Kind[Any], ...]] = KINDS
_POSITION: Final = {kind.name: position for position, kind in enumerate(_KINDS)}
_LAST_NEEDED: Final = {
    kind.name: max(
        [_POSITION[kind.name]]
        + [_POSITION[reader.name] for reader in _KINDS for link in reader.links if link.target == kind.name]
    )
    for kind in _KINDS
}
"""For each kind, the position in `KINDS` of the last file needing its ids (itself, or one referencing it)."""


class References:
    """The cross-row state of one validation pass."""

    def __init__(
        self, manifest: Manifest, present: Iterable[str], log: ProblemLog, known: KnownIds | None
    ) -> None:
        self._manifest = manifest
        self._present = frozenset(present)
        self._log = log
        self._known = known
        self.ids: dict[str, IdSet] = {}
        self._current = ""
        self._pending: list[tuple[int, Reference]] = []
        self._parents: dict[str, dict[str, tuple[str, int]]] = {"orgs": {}, "academicSessions": {}}
        self._students = IdSet()
        self._non_students = IdSet()

    def start(self, kind: str) -> None:
        self._current = kind
        self.ids[kind] = IdSet()
        self._pending = []

    def add_id(self, line: int, sourced_id: str) -> None:
        """Register a row's sourcedId (rejected rows too, so that references to them do not cascade)."""
        if sourced_id and not self.ids[self._current].add(sourced_id):
            expected = f"a sourcedId used once in {self._current}.csv"
            self._report(line, "sourcedId", sourced_id, "duplicate_sourced_id", expected)

    def check(self, line: int, record: object, references: Iterable[Reference]) -> None:
        """Check an accepted record's references and remember what later checks need."""
        for reference in references:
            if reference.target == self._current and reference.value not in self.ids[self._current]:
                self._pending.append((line, reference))
            elif reference.target != self._current and not self._resolves(reference):
                self._unknown(line, reference)
        self._observe(line, record)

    def take_plain(self, lines: Sequence[int], column: Column, links: Sequence[Link]) -> bool:
        """Check a chunk of plain rows (every cell valid) by columns, as `add_id` and `check` do row by row.

        True when no row has a problem and every reference to another file resolves among the package's
        ids; what later checks need is then remembered. False, with nothing remembered, when the chunk must
        be read row by row instead: a duplicate id, a reference to look up through `known` or to report.
        """
        ids = self.ids[self._current]
        chunk_ids = set(column("sourcedId"))
        if len(chunk_ids) != len(lines) or ids.has_any(chunk_ids):
            return False
        pending: list[tuple[int, Reference]] = []
        for link in links:
            values = column(link.column)
            if link.target == self._current:  # resolved when the file ends, as row by row
                pending += _unresolved(lines, values, link, ids, chunk_ids)
                continue
            wanted = set(values) if not link.many else {i for v in set(values) for i in split_items(v)}
            wanted.discard("")
            if not self.ids.get(link.target, _NONE).has_all(wanted):
                return False
        if not self._observe_plain(lines, column):
            return False
        ids.add_absent(chunk_ids)
        self._pending += pending
        return True

    def _observe_plain(self, lines: Sequence[int], column: Column) -> bool:
        """`_observe` for a whole chunk; False (nothing noted) where an enrollment's role conflicts."""
        kind = self._current
        if kind in _CYCLE_CODES:
            parents = self._parents[kind]
            children = zip(column("sourcedId"), column("parentSourcedId"), lines, strict=True)
            for sourced_id, parent, line in children:
                if parent:
                    parents[sourced_id] = (parent, line)
        elif kind == "enrollments":
            users, roles = column("userSourcedId"), column("role")
            staff = {user for user, role in zip(users, roles, strict=False) if role != STUDENT}
            return not any(user in self._students and user not in self._non_students for user in staff)
        elif kind == "roles" or (kind == "users" and self._manifest.version == "1.1"):
            users = column("userSourcedId" if kind == "roles" else "sourcedId")
            roles = column("role")
            self._students.update(user for user, role in zip(users, roles, strict=False) if role == STUDENT)
            self._non_students.update(
                user for user, role in zip(users, roles, strict=False) if role != STUDENT
            )
        return True

    def finish(self) -> None:
        """Resolve references within the file just read; look for cycles of parents."""
        for line, reference in self._pending:
            if not self._resolves(reference):
                self._unknown(line, reference)
        self._pending = []
        if self._current in _CYCLE_CODES:
            self._report_cycles(self._parents[self._current])
        done = _POSITION[self._current]
        for kind, last in _LAST_NEEDED.items():
            if last <= done and self.ids.get(kind):
                self.ids[kind] = IdSet()  # no later file references these

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


def _unresolved(
    lines: Sequence[int], values: Sequence[str], link: Link, ids: IdSet, chunk_ids: set[str]
) -> list[tuple[int, Reference]]:
    """References within the file that neither an earlier chunk nor this one resolves, in row order."""
    return [
        (line, Reference(link.column, link.target, item))
        for line, value in zip(lines, values, strict=False)
        for item in (split_items(value) if link.many else (value,))
        if item and item not in ids and item not in chunk_ids
    ]


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
