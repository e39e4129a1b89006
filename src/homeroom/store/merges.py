"""Keyset pages merged from ordered index ranges: a teacher's students, class by class.

A teacher's list of students (every granting scope `assigned`) is the students enrolled in the classes
taught. Testing every candidate and sorting them makes a first page cost the whole population (about
430 students of 5 classes at size L). Here each class is one *arm*: the range of the enrollments index
(tenant, class, user), which is already in user order, cut after the keyset, each entry tested against
the target row with one EXISTS probe of the users. The arms are merged in user order, repeats (a student
in two classes) dropped, and the merge stops at the page's end, so a page reads about a page of entries
from each class.

The merge is said differently to each database, in the form its planner turns into a streaming merge:
PostgreSQL plans `SELECT DISTINCT ... FROM (arm UNION ALL arm ...) ORDER BY ... LIMIT` as a Merge Append
under a Unique (it plans a UNION as a hash of everything); SQLite plans `arm UNION arm ... ORDER BY ...
LIMIT` as a MERGE of co-routines (it materializes and sorts a DISTINCT over a UNION ALL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Exists, Select, String, bindparam, select, union, union_all
from sqlalchemy.orm import aliased

from homeroom.store import tables as t
from homeroom.store.anchors import Target, probe

# The arms' own enrollments: an alias, so that no subquery of the target's condition that reads the
# enrollments table can correlate with an arm by accident.
_TAUGHT = aliased(t.Enrollment, name="taught")
AFTER = "after"  # the keyset parameter of a page


@dataclass(frozen=True)
class ClassMerge:
    """The arms of one list: per class, its enrolled users whose target row passes `condition`.

    Kept in the snapshot's memo with the list's statement; each form of page is built once and takes
    the keyset as the parameter AFTER, so a walk builds nothing and reuses one compiled statement."""

    tenant_id: int
    classes: tuple[str, ...]
    target: Target
    condition: ColumnElement[bool]  # on the target row: tenant, lifecycle, kind, the assignments' rules
    _built: dict[tuple[str, bool, int], Select[str]] = field(default_factory=dict, compare=False, repr=False)

    def page(self, dialect: str, *, keyset: bool, limit: int) -> Select[str]:
        """Up to `limit` ids in id order, each once (after the parameter AFTER, if `keyset`)."""
        key = (dialect, keyset, limit)
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = self._page(dialect, keyset=keyset, limit=limit)
        return found

    def _page(self, dialect: str, *, keyset: bool, limit: int) -> Select[str]:
        if dialect == "postgresql":
            # Each arm ordered: otherwise the planner flattens the UNION ALL, appends and sorts every entry.
            # The probe after the repeats are dropped: with one in every arm, it misjudges the arms' rows
            # and sorts them all in parallel workers instead of merging.
            arms = (self._arm(c, keyset=keyset).order_by(_TAUGHT.user_id) for c in self.classes)
            candidates = union_all(*arms).subquery("taught_ids")
            merged = select(candidates.c.user_id).distinct().subquery("merged")
            column = merged.c.user_id
            return select(column).where(self._probe(column)).order_by(column).limit(limit)
        probed = (self._arm(c, keyset=keyset).where(self._probe(_TAUGHT.user_id)) for c in self.classes)
        compound = union(*probed)
        ordered = compound.order_by(compound.selected_columns.user_id).limit(limit).subquery("merged")
        return select(ordered.c.user_id).order_by(ordered.c.user_id)

    def _arm(self, class_id: str, *, keyset: bool) -> Select[Any]:
        """The class's enrollments (after the keyset), in user order (the index's)."""
        e = _TAUGHT
        criteria = [e.tenant_id == self.tenant_id, e.class_id == class_id]
        if keyset:
            criteria.append(e.user_id > bindparam(AFTER, type_=String))
        return select(e.user_id).where(*criteria)

    def _probe(self, user_id: Any) -> Exists:
        return probe(self.target.id == user_id, self.condition)
