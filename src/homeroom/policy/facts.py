"""Facts: a world indexed for decisions, so that one check costs about the actor's assignment count.

* Every org knows the set of its ancestors (itself included): "x lies in subtree(A)" is one set lookup.
* anchors(x) (model.md 3) are computed once per object and kept; links through purged classes, students
  and recipients are dropped (model.md 14.5).
* A user's rank and permission pairs (model.md 8) are computed once per user and kept.

Caches live only as long as the Facts object, which is built for one world and never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homeroom.policy.profiles import NO_SCOPE, Profile, Scope, parse_scope
from homeroom.policy.world import (
    ORG_LEVELS,
    PURGED,
    STUDENT,
    CustomRole,
    Org,
    Ref,
    SchoolClass,
    Thing,
    User,
    World,
)

Entity = Org | SchoolClass | User | Thing | CustomRole
Pair = tuple[str, str]  # (permission, atomic scope)


@dataclass(slots=True)
class Facts:
    """An indexed, read-only view of a world under one profile."""

    world: World
    profile: Profile
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _anchors: dict[Ref, frozenset[str]] = field(default_factory=dict, repr=False)
    _ranks: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    _pairs: dict[str, frozenset[Pair]] = field(default_factory=dict, repr=False)
    _role_pairs: dict[str, frozenset[Pair]] = field(default_factory=dict, repr=False)
    _cells: dict[tuple[str, str], Scope] = field(default_factory=dict, repr=False)
    _taught: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict, repr=False)

    # -- the tree --------------------------------------------------------------------------------

    def ancestors(self, org_id: str) -> frozenset[str]:
        """The org and every org above it. Unknown orgs and cycles (rejected by validation) end the walk."""
        known = self._ancestors.get(org_id)
        if known is not None:
            return known
        chain: list[str] = []
        current: str | None = org_id
        while current is not None and current not in chain and current in self.world.orgs:
            if current in self._ancestors:
                break
            chain.append(current)
            current = self.world.orgs[current].parent
        above = self._ancestors.get(current, frozenset()) if current is not None else frozenset()
        for org in reversed(chain):
            above = above | {org}
            self._ancestors[org] = above
        return self._ancestors.get(org_id, frozenset())

    def in_subtree(self, org_id: str, root: str) -> bool:
        return root in self.ancestors(org_id)

    def level(self, org_id: str) -> int:
        org = self.world.orgs.get(org_id)
        return ORG_LEVELS[org.kind] if org is not None else 0

    # -- anchors (model.md 3) --------------------------------------------------------------------

    def anchors(self, ref: Ref) -> frozenset[str]:
        known = self._anchors.get(ref)
        if known is None:
            known = self._compute_anchors(ref)
            self._anchors[ref] = known
        return known

    def _compute_anchors(self, ref: Ref) -> frozenset[str]:
        world = self.world
        entity = world.entity(ref)
        if entity is None or entity.deleted == PURGED:
            return frozenset()
        if isinstance(entity, Org):
            return frozenset({entity.id})
        if isinstance(entity, SchoolClass):
            return frozenset({entity.school})
        if isinstance(entity, User):
            return self._user_anchors(entity)
        if isinstance(entity, CustomRole):
            return frozenset({entity.org})
        if entity.type == "assessment" and entity.student is not None:
            return self.anchors(Ref("user", entity.student))
        if entity.type == "notification" and entity.recipient is not None:
            return self.anchors(Ref("user", entity.recipient))
        return frozenset({entity.org}) if entity.org is not None else frozenset()

    def _user_anchors(self, user: User) -> frozenset[str]:
        classes = user.enrolled_in if user.kind == STUDENT else user.teaches
        schools = {
            c.school for c in map(self.world.classes.get, classes) if c is not None and c.deleted != PURGED
        }
        return frozenset({*user.orgs, *(a.org for a in user.roles), *schools})

    def anchored_in(self, ref: Ref, root: str) -> bool:
        """anchors(x) meets subtree(root)."""
        known = self._ancestors
        anchors = self._anchors.get(ref)
        for anchor in anchors if anchors is not None else self.anchors(ref):
            above = known.get(anchor)
            if root in (above if above is not None else self.ancestors(anchor)):
                return True
        return False

    # -- classes and teaching ---------------------------------------------------------------------

    def live_class(self, class_id: str) -> SchoolClass | None:
        found = self.world.classes.get(class_id)
        return found if found is not None and found.deleted != PURGED else None

    def teaches_in(self, teacher: User, class_id: str, root: str) -> bool:
        """`class_id` is a live class the teacher teaches, at a school in subtree(root)."""
        return class_id in self.taught_under(teacher, root)

    def taught_under(self, teacher: User, root: str) -> frozenset[str]:
        """The live classes the teacher teaches at schools in subtree(root), computed once per pair."""
        key = (teacher.id, root)
        known = self._taught.get(key)
        if known is None:
            known = frozenset(
                class_id
                for class_id in teacher.teaches
                if (found := self.live_class(class_id)) is not None and root in self.ancestors(found.school)
            )
            self._taught[key] = known
        return known

    # -- roles, ranks and permission pairs (model.md 8) ---------------------------------------------

    def role_cell(self, role: str, permission: str) -> Scope:
        """The scopes role holds for permission: the chart for built-in roles, the grants for custom ones."""
        key = (role, permission)
        known = self._cells.get(key)
        if known is None:
            if role in self.profile.roles:
                known = self.profile.cell(role, permission)
            else:
                known = frozenset(s for p, s in self.role_pairs(role) if p == permission) or NO_SCOPE
            self._cells[key] = known
        return known

    def role_pairs(self, role: str) -> frozenset[Pair]:
        """Every (permission, atomic scope) the role holds, implied views included."""
        known = self._role_pairs.get(role)
        if known is None:
            known = self._compute_role_pairs(role)
            self._role_pairs[role] = known
        return known

    def _compute_role_pairs(self, role: str) -> frozenset[Pair]:
        if role in self.profile.roles:
            return frozenset(
                (permission, scope)
                for permission, cells in self.profile.cells.items()
                for scope in cells.get(role, NO_SCOPE)
            )
        custom = self.world.custom_roles.get(role)
        if custom is None or custom.deleted == PURGED:
            return frozenset()
        pairs: set[Pair] = set()
        for permission, scope_text in custom.grants:
            for scope in parse_scope(scope_text):
                pairs.add((permission, scope))
                view = self.profile.implied_view(permission)
                if view is not None:
                    pairs.add((view, scope))
        return frozenset(pairs)

    def user_pairs(self, user: User) -> frozenset[Pair]:
        known = self._pairs.get(user.id)
        if known is None:
            known = frozenset().union(*(self.role_pairs(a.role) for a in user.roles))
            self._pairs[user.id] = known
        return known

    def role_rank(self, role: str) -> int:
        built_in = self.profile.roles.get(role)
        if built_in is not None:
            return built_in.rank or 0
        custom = self.world.custom_roles.get(role)
        return custom.rank if custom is not None and custom.rank is not None else 0

    def assignment_rank(self, role: str, org: str) -> tuple[int, int]:
        return (self.role_rank(role), self.level(org))

    def user_rank(self, user: User) -> tuple[int, int]:
        known = self._ranks.get(user.id)
        if known is None:
            known = max((self.assignment_rank(a.role, a.org) for a in user.roles), default=(0, 0))
            self._ranks[user.id] = known
        return known
