"""Settings inheritance (model.md 10) and locks (a product extension).

effective(O, k) is the value set at the nearest org on the path O, parent(O), ... that sets k, else the
profile's default. A lock at org L on key k freezes k for L's whole subtree: below L, the value resolved
at L wins, whatever orgs below set. `Effective` says where a value comes from and who locked it.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeroom.policy.facts import Facts


@dataclass(frozen=True, slots=True)
class Effective:
    key: str
    value: object
    source: str | None  # the org whose value applies; None for the profile default
    locked_at: str | None  # the topmost org on the path that locks the key, if any


def path_up(facts: Facts, org_id: str) -> list[str]:
    """The org, its parent, and so on up to the root."""
    path: list[str] = []
    current: str | None = org_id
    while current is not None and current in facts.world.orgs and current not in path:
        path.append(current)
        current = facts.world.orgs[current].parent
    return path


def effective(facts: Facts, org_id: str, key: str) -> Effective:
    """The value of `key` that applies at `org_id`, with its source."""
    path = path_up(facts, org_id)
    locked = [org for org in path if key in facts.world.locks.get(org, ())]
    locked_at = locked[-1] if locked else None
    start = path.index(locked_at) if locked_at is not None else 0
    for org in path[start:]:
        values = facts.world.settings_at(org)
        if key in values:
            return Effective(key, values[key], org, locked_at)
    declared = facts.profile.setting(key)
    return Effective(key, declared.default if declared else None, None, locked_at)


def locked_above(facts: Facts, org_id: str, key: str) -> str | None:
    """The org strictly above `org_id` that locks `key`: a value written at `org_id` would not apply."""
    above = path_up(facts, org_id)[1:]
    locked = [org for org in above if key in facts.world.locks.get(org, ())]
    return locked[-1] if locked else None
