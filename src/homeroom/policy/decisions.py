"""Decisions with reasons: every allow names the assignment and scope that granted it, every deny the
step that denied it, so "why?" always has an answer."""

from __future__ import annotations

from typing import Final, NamedTuple

ALLOW: Final = "allow"
GRANT: Final = "grant"
DENY: Final = "deny"

# Deny rules, in the order of model.md 7. Gates are "gate KEY", preconditions their P-* id.
UNKNOWN_PERMISSION: Final = "unknown permission"
ACTOR: Final = "actor"
LIFECYCLE: Final = "lifecycle"
TYPE: Final = "type"
NO_GRANT: Final = "no grant"
SCOPE: Final = "scope"
ERROR: Final = "error"
_PROGRESS: Final = {NO_GRANT: 0, SCOPE: 1}


class Reason(NamedTuple):
    """One step's verdict. `rule` is stable and short; `message` is one line for people.

    Reasons and decisions are named tuples rather than frozen dataclasses: immutable all the same, and
    built in a third of the time (a frozen dataclass sets each field through object.__setattr__), which
    is a measurable share of a check (docs/benchmarks.md, "Checks").
    """

    rule: str
    message: str
    assignment: str | None = None
    scope: str | None = None

    @property
    def progress(self) -> int:
        """How far the assignment got through model.md 7: constraints beat scope beat no grant."""
        return _PROGRESS.get(self.rule, 2)


class Decision(NamedTuple):
    allowed: bool
    reason: Reason
    considered: tuple[Reason, ...] = ()

    @property
    def effect(self) -> str:
        return ALLOW if self.allowed else DENY

    @property
    def code(self) -> str:
        """`teacher@s1:assigned` for an allow; the denying rule (`R1`, `scope`, `P-INACTIVE`...) otherwise."""
        if self.allowed:
            return f"{self.reason.assignment}:{self.reason.scope}"
        return self.reason.rule

    def explain(self) -> str:
        return f"{self.effect} {self.code}: {self.reason.message}"


def allow(assignment: str, scope: str, message: str) -> Decision:
    return Decision(allowed=True, reason=Reason(GRANT, message, assignment, scope))


def deny(rule: str, message: str, considered: tuple[Reason, ...] = ()) -> Decision:
    return Decision(allowed=False, reason=Reason(rule, message), considered=considered)


def deny_after(considered: list[Reason]) -> Decision:
    """The deny of step 7: the reason of the assignment that got furthest (the first one on a tie)."""
    if not considered:
        return deny(NO_GRANT, "the actor holds no role assignment")
    best = considered[0]
    for reason in considered[1:]:
        if reason.progress > best.progress:
            best = reason
    return Decision(allowed=False, reason=best, considered=tuple(considered))
