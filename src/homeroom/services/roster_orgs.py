"""The org tree and the classes of a roster import, planned in memory against the stored ones.

A package org is matched to a stored org by external id (`source_id`), else to a hand-made org whose id is
the sourcedId (what an export of it wrote), else it is new. Org types the tenant's mapping does not keep
(a state, a department) are not stored: what references them lands on their nearest kept ancestor. The
kept orgs at the top of the package hang under the import's anchor org, except that a single top org of the
anchor's own kind *is* the anchor (a district's package imported into that district's tenant).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from homeroom.policy.world import ALLOWED_PARENTS
from homeroom.services.roster_config import RosterConfig
from homeroom.store.roster_objects import StoredClass, StoredOrg

ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
ORGS_FILE: Final = "orgs.csv"
CLASSES_FILE: Final = "classes.csv"


def candidate_id(key: str) -> str:
    """The Homeroom id a new object gets: its sourcedId when that is a valid id, else one made from it."""
    return key if ID_PATTERN.match(key) else hashed_id(key)


def hashed_id(key: str) -> str:
    return "x-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True)
class Issue:
    """A problem the plan finds against stored data, placed like a parse problem."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    code: str
    expected: str


@dataclass(frozen=True)
class PackageOrg:
    key: str
    type: str
    name: str
    parent_key: str | None
    removed: bool
    line: int


@dataclass(frozen=True)
class PackageClass:
    key: str
    name: str
    school_key: str
    removed: bool
    line: int


def _match(key: str, by_source: dict[str, str], by_id: dict[str, str | None]) -> str | None:
    """The stored id matching `key`: by external id, else a hand-made object whose id is `key`."""
    found = by_source.get(key)
    if found is None and key in by_id and by_id[key] is None:
        found = key
    return found


def _indexes(stored: Iterable[StoredOrg | StoredClass]) -> tuple[dict[str, str], dict[str, str | None]]:
    """Stored objects by external id (-> id), and by id (-> external id)."""
    by_source: dict[str, str] = {}
    by_id: dict[str, str | None] = {}
    for row in stored:
        by_id[row.id] = row.source_id
        if row.source_id is not None:
            by_source[row.source_id] = row.id
    return by_source, by_id


def _name(given: str, key: str, stored: str | None) -> str:
    """The name to keep. An export writes a blank name as the sourcedId (OneRoster requires one), so a
    stored blank name stays blank when the package's name is just the key."""
    return "" if stored == "" and given == key else given[:200]


def _new_id(key: str, by_id: dict[str, str | None]) -> str:
    candidate = candidate_id(key)
    return hashed_id(key) if candidate in by_id else candidate


@dataclass
class OrgPlan:
    """The tree after the import: stored orgs by id, what changes, and where each package key lands."""

    anchor: StoredOrg
    config: RosterConfig
    removal: str  # for `tobedeleted`: deactivate or delete
    stored: dict[str, StoredOrg]
    after: dict[str, StoredOrg] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # package key -> kept org id (collapsed if not kept)
    new: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    _index: tuple[dict[str, str], dict[str, str | None]] | tuple[()] = ()

    @classmethod
    def start(cls, anchor: str, stored: Iterable[StoredOrg], config: RosterConfig, removal: str) -> OrgPlan:
        by_id = {o.id: o for o in stored}
        return cls(by_id[anchor], config, removal, by_id, dict(by_id))

    def kind_of(self, org_id: str) -> str:
        return self.after[org_id].kind

    def resolve(self, key: str) -> str | None:
        """The org id a package key lands on, or a stored org's id for a key the package does not carry."""
        if key in self.keys:
            return self.keys[key]
        if not self._index:
            self._index = _indexes(self.stored.values())
        return _match(key, *self._index)

    def under_anchor(self, org_id: str) -> bool:
        seen: set[str] = set()
        current: str | None = org_id
        while current is not None and current not in seen:
            if current == self.anchor.id:
                return True
            seen.add(current)
            current = self.after[current].parent_id if current in self.after else None
        return False

    def add(self, orgs: list[PackageOrg]) -> None:
        """Plan the package's orgs (the whole orgs file: a few thousand rows at most)."""
        by_key = {o.key: o for o in orgs}
        kept = {o.key: self.config.org_types.get(o.type) for o in orgs}
        by_source, by_id = _indexes(self.stored.values())
        for org in orgs:
            if kept[org.key] is not None:
                self.keys[org.key] = _match(org.key, by_source, by_id) or ""
        self._adopt_anchor(orgs, by_key, kept)
        for org in orgs:
            if kept[org.key] is not None and not self.keys[org.key]:
                self.keys[org.key] = _new_id(org.key, by_id)
                self.new.append(org.key)
        for org in orgs:
            if kept[org.key] is None:
                self.keys[org.key] = self._nearest_kept(org.parent_key, by_key, kept)
        for org in orgs:
            kind = kept[org.key]
            if kind is not None:
                self._place(org, kind, self._nearest_kept(org.parent_key, by_key, kept))
        self._check_tree(orgs)

    def _nearest_kept(
        self, parent_key: str | None, by_key: dict[str, PackageOrg], kept: dict[str, str | None]
    ) -> str:
        seen: set[str] = set()
        while parent_key is not None and parent_key in by_key and parent_key not in seen:
            if kept[parent_key] is not None:
                return self.keys[parent_key]
            seen.add(parent_key)
            parent_key = by_key[parent_key].parent_key
        if parent_key is not None and parent_key not in by_key:
            return self.resolve(parent_key) or self.anchor.id
        return self.anchor.id

    def _adopt_anchor(
        self, orgs: list[PackageOrg], by_key: dict[str, PackageOrg], kept: dict[str, str | None]
    ) -> None:
        tops = [
            o
            for o in orgs
            if kept[o.key] is not None and self._top(o, by_key, kept) and kept[o.key] == self.anchor.kind
        ]
        if len(tops) != 1 or self.keys.get(tops[0].key):
            return
        top = tops[0]
        if self.anchor.source_id not in (None, top.key):
            self.issues.append(
                Issue(
                    ORGS_FILE, top.line, "sourcedId", top.key, "org_outside_scope",
                    f"the {self.anchor.kind} this import is for ({self.anchor.source_id})",
                )
            )  # fmt: skip
        self.keys[top.key] = self.anchor.id

    def _top(self, org: PackageOrg, by_key: dict[str, PackageOrg], kept: dict[str, str | None]) -> bool:
        parent, seen = org.parent_key, set()
        while parent is not None and parent in by_key and parent not in seen:
            if kept[parent] is not None:
                return False
            seen.add(parent)
            parent = by_key[parent].parent_key
        return parent is None or (parent not in by_key and self.resolve(parent) in (None, self.anchor.id))

    def _place(self, org: PackageOrg, kind: str, parent: str) -> None:
        org_id = self.keys[org.key]
        before = self.stored.get(org_id)
        if org_id == self.anchor.id:
            parent_id = self.anchor.parent_id
        else:
            parent_id = parent if parent != org_id else self.anchor.id
        active = not (org.removed and self.removal == "deactivate")
        deleted = "soft" if org.removed and self.removal == "delete" else "none"
        source_id = org.key if before is None else before.source_id
        if org_id == self.anchor.id and source_id is None and org.key != org_id:
            source_id = org.key  # the anchor adopts the package's top org: later imports match it by key
        if before is not None and before.kind != kind:
            self.issues.append(
                Issue(ORGS_FILE, org.line, "type", org.type, "org_kind_change", f"a {before.kind}, as stored")
            )
            return
        name = _name(org.name, org.key, before.name if before else None)
        self.after[org_id] = StoredOrg(org_id, kind, parent_id, source_id, name, active, deleted)

    def _check_tree(self, orgs: list[PackageOrg]) -> None:
        for org in orgs:
            org_id = self.keys.get(org.key)
            if org_id is None or org_id not in self.after or org_id == self.anchor.id:
                continue
            after = self.after[org_id]
            parent_kind = self.after[after.parent_id].kind if after.parent_id in self.after else None
            if not self.under_anchor(org_id):
                self.issues.append(
                    Issue(ORGS_FILE, org.line, "parentSourcedId", org.parent_key, "org_outside_scope",
                          f"an org under {self.anchor.id}, where this import may write")
                )  # fmt: skip
            elif parent_kind not in ALLOWED_PARENTS[after.kind]:
                allowed = ", ".join(sorted(k or "none" for k in ALLOWED_PARENTS[after.kind]))
                self.issues.append(
                    Issue(ORGS_FILE, org.line, "parentSourcedId", org.parent_key, "org_parent_kind",
                          f"a parent of kind {allowed} for a {after.kind} (found {parent_kind or 'none'})")
                )  # fmt: skip

    def absent(self, present: set[str], include_hand_made: bool, absent_policy: str) -> None:
        """Bulk orgs file: rostered orgs under the anchor that the package no longer holds are removed."""
        if absent_policy == "keep":
            return
        for org in self.stored.values():
            rostered = include_hand_made or org.source_id is not None
            live = org.active and org.deleted == "none"
            if (
                org.id != self.anchor.id
                and org.id not in present
                and rostered
                and live
                and self.under_anchor(org.id)
            ):
                if absent_policy == "delete":
                    self.after[org.id] = replace(org, deleted="soft")
                else:
                    self.after[org.id] = replace(org, active=False)

    def changes(self) -> tuple[list[StoredOrg], list[tuple[StoredOrg, StoredOrg]]]:
        """New orgs (parents first) and (before, after) pairs of changed stored orgs."""
        created = [self.after[self.keys[k]] for k in self.new if self.keys[k] in self.after]
        created.sort(key=lambda o: self._depth(o.id))
        changed = [
            (self.stored[i], o) for i, o in self.after.items() if i in self.stored and self.stored[i] != o
        ]
        return created, changed

    def _depth(self, org_id: str) -> int:
        depth, current, seen = 0, self.after[org_id].parent_id, set()
        while current is not None and current in self.after and current not in seen:
            seen.add(current)
            depth += 1
            current = self.after[current].parent_id
        return depth

    def removed_count(self) -> int:
        return sum(
            1
            for before, after in self.changes()[1]
            if (before.active and not after.active) or after.deleted != "none"
        )

    def live_count(self) -> int:
        return sum(
            1
            for o in self.stored.values()
            if o.id != self.anchor.id and o.active and o.deleted == "none" and self.under_anchor(o.id)
        )


@dataclass
class ClassPlan:
    stored: dict[str, StoredClass]
    after: dict[str, StoredClass] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    _index: tuple[dict[str, str], dict[str, str | None]] | tuple[()] = ()

    @classmethod
    def start(cls, stored: Iterable[StoredClass]) -> ClassPlan:
        by_id = {c.id: c for c in stored}
        return cls(by_id, dict(by_id))

    def resolve(self, key: str) -> str | None:
        """The class id a package key lands on, or a stored class's id for a key it does not carry."""
        if key in self.keys:
            return self.keys[key]
        if not self._index:
            self._index = _indexes(self.stored.values())
        return _match(key, *self._index)

    def add(self, classes: list[PackageClass], orgs: OrgPlan, removal: str) -> None:
        by_source, by_id = _indexes(self.stored.values())
        for row in classes:
            school = orgs.resolve(row.school_key)
            if school is None or orgs.kind_of(school) != "school":
                found = orgs.kind_of(school) if school else "nothing"
                self.issues.append(
                    Issue(CLASSES_FILE, row.line, "schoolSourcedId", row.school_key, "class_not_at_school",
                          f"an org kept as a school (it lands on {found})")
                )  # fmt: skip
                continue
            class_id = _match(row.key, by_source, by_id)
            if class_id is None:
                class_id = _new_id(row.key, by_id)
                self.new.append(class_id)
            self.keys[row.key] = class_id
            before = self.stored.get(class_id)
            source_id = row.key if before is None or before.source_id is not None else None
            status = "inactive" if row.removed and removal == "deactivate" else "active"
            deleted = "soft" if row.removed and removal == "delete" else "none"
            name = _name(row.name, row.key, before.name if before else None)
            self.after[class_id] = StoredClass(class_id, school, source_id, name, status, deleted)

    def absent(self, present: set[str], orgs: OrgPlan, include_hand_made: bool, policy: str) -> None:
        if policy == "keep":
            return
        for c in self.stored.values():
            rostered = include_hand_made or c.source_id is not None
            live = c.status == "active" and c.deleted == "none"
            if c.id not in present and rostered and live and orgs.under_anchor(c.school_id):
                self.after[c.id] = (
                    replace(c, deleted="soft") if policy == "delete" else replace(c, status="inactive")
                )

    def changes(self) -> tuple[list[StoredClass], list[tuple[StoredClass, StoredClass]]]:
        created = [self.after[i] for i in self.new]
        changed = [
            (self.stored[i], c) for i, c in self.after.items() if i in self.stored and self.stored[i] != c
        ]
        return created, changed

    def removed_count(self) -> int:
        return sum(
            1
            for before, after in self.changes()[1]
            if (before.status == "active" and after.status != "active") or after.deleted != "none"
        )

    def live_count(self, orgs: OrgPlan) -> int:
        return sum(
            1
            for c in self.stored.values()
            if c.status == "active" and c.deleted == "none" and orgs.under_anchor(c.school_id)
        )
