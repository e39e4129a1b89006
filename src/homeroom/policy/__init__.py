"""Homeroom's policy core: pure decisions over the five product profiles.

facts = Facts(world, registry.profile("math"))
decision = decide(Check("t1", "student.edit", Ref("user", "st1")), facts)
decision.allowed, decision.code, decision.explain()
"""

from homeroom.policy.decisions import Decision, Reason
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.registry import PROFILE_IDS, catalog, profile
from homeroom.policy.world import Assignment, Check, CustomRole, Org, Ref, SchoolClass, Thing, User, World

__all__ = [
    "PROFILE_IDS",
    "Assignment",
    "Check",
    "CustomRole",
    "Decision",
    "Facts",
    "Org",
    "Reason",
    "Ref",
    "SchoolClass",
    "Thing",
    "User",
    "World",
    "catalog",
    "decide",
    "profile",
]
