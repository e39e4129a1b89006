"""Rank rules R1 and R2 (model.md 8) and the grant rule (model.md 9).

Ordinal profiles compare (role rank, org level) pairs. Subset profiles compare the sets of (permission,
scope) pairs that users and roles hold, under the scope order of model.md 6. A custom role in an ordinal
profile (a product extension) must pass both: its rank, and the subset test, so nobody grants more than
they hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from homeroom.policy.facts import Facts, Pair
from homeroom.policy.scopes import AT_LEAST
from homeroom.policy.world import Assignment, User


def first_uncovered(pairs: Iterable[Pair], held: frozenset[Pair]) -> Pair | None:
    """The first pair not held at an equal or wider scope, or None when `held` covers all of `pairs`."""
    for permission, scope in sorted(pairs):
        if not any((permission, wider) in held for wider in AT_LEAST[scope]):
            return (permission, scope)
    return None


def strictly_lower(facts: Facts, target: User, actor: User, assignment: Assignment) -> bool:
    """R1: the target ranks strictly below the assignment (subset mode: below the whole actor, 14.1)."""
    if facts.profile.rank_mode == "subset":
        theirs, mine = facts.user_pairs(target), facts.user_pairs(actor)
        return first_uncovered(theirs, mine) is None and first_uncovered(mine, theirs) is not None
    return facts.user_rank(target) < facts.assignment_rank(assignment.role, assignment.org)


def missing_for_grant(facts: Facts, actor: User, role: str, org: str) -> Pair | None:
    """The grant rule of model.md 9: the first pair of `role` the actor does not hold at `org` or above."""
    above = facts.ancestors(org)
    held = frozenset().union(*(facts.role_pairs(a.role) for a in actor.roles if a.org in above))
    return first_uncovered(facts.role_pairs(role), held)


def grant_failure(facts: Facts, actor: User, assignment: Assignment, role: str, org: str) -> str | None:
    """R2 for giving `role` at `org` through `assignment`: None when allowed, else the reason."""
    custom = role not in facts.profile.roles
    if facts.profile.rank_mode == "ordinal":
        wanted = facts.assignment_rank(role, org)
        mine = facts.assignment_rank(assignment.role, assignment.org)
        if wanted > mine:
            return f"{role}@{org} ranks {wanted}, above {assignment} {mine}"
        if not custom:
            return None
    missing = missing_for_grant(facts, actor, role, org)
    if missing is not None:
        return f"{role} holds {missing[0]} at {missing[1]}, which {actor.id} does not hold at {org} or above"
    return None
