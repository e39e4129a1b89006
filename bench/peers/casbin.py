"""Casbin (pycasbin) encoding of the benchmarked math permissions.

Model: one policy row per (role, permission, scope) from the math chart, one transitive role graph `g`
that places every object in the tree, so that each scope is one `g(...)` reachability query, and a second
graph `g2` of one-step marker links (kept apart so that markers are not inherited through parents):
* objects link to their parents: student -> each live class and home school, class -> school,
  staff -> its anchors (role orgs, home orgs, schools of its live classes), org -> parent org;
* an assignment ROLE@A adds the link A -> "USER|ROLE", so g(obj, "u1|school_admin") holds exactly when an
  anchor of obj lies in subtree(A) for one of u1's school_admin assignments (the subtree scope);
* a teacher's live class C adds C -> "USER|teaches", so g(obj, "t1|teaches") holds for the classes t1
  teaches and the students enrolled in them (the assigned scope; like the Cedar encoding it relies on the
  world rule that a teacher teaches only under the org where it holds `teacher`);
* g2 marker links, all precomputed from the world: USER -> "active" (status active, not deleted: the
  actor gate), object -> "live" (not deleted: the lifecycle step), USER -> "holds|ROLE" (the self scope),
  staff -> "below|ROLE" when the account's ordinal rank is strictly below that administrator role's rank
  (R1), class -> "open" when teacher_student_creation is effective at its school (the gate), student ->
  "inactive" (P-INACTIVE).
Purged accounts and classes get no links at all (they no longer exist, and links through them are gone,
model.md 14.5); soft-deleted ones keep their links but lose "live".

Cost model, as pycasbin 1.43 does it: each enforce() compiles the matcher, then evaluates it against every
policy row (29 here; there is no index on p.act), and each g()/g2() is a walk of the role graph.
"""

from __future__ import annotations

from collections.abc import Iterator

import casbin

from homeroom.policy.facts import Facts
from homeroom.policy.profiles import Profile
from homeroom.policy.settings import effective
from homeroom.policy.world import NOT_DELETED, PURGED, STAFF, Check, User, World

BENCHMARKED = (
    "student.view",
    "student.edit",
    "student.print_card",
    "student.delete_inactive",
    "class.manage",
    "class.edit",
    "student.create",
    "staff.edit",
)
TARGET_TYPE = {
    "class.manage": "class",
    "class.edit": "class",
    "student.create": "class",
    "staff.edit": "staff",
}
GATED = frozenset({("student.create", "teacher")})
R1 = frozenset({"staff.edit"})
INACTIVE_ONLY = frozenset({"student.delete_inactive"})
ADMIN_RANK = {"customer_admin": (4, 4), "district_admin": (3, 3), "school_admin": (2, 2)}

MODEL = """
[request_definition]
r = sub, act, typ, obj

[policy_definition]
p = role, act, typ, scope, gate, r1, inactive

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && r.typ == p.typ && g2(r.sub, "active") && g2(r.obj, "live") \
 && ((p.scope == "subtree" && g(r.obj, r.sub + "|" + p.role)) \
  || (p.scope == "assigned" && g(r.obj, r.sub + "|teaches")) \
  || (p.scope == "self" && r.sub == r.obj && g2(r.sub, "holds|" + p.role))) \
 && (p.gate == "-" || g2(r.obj, "open")) \
 && (p.r1 == "-" || r.sub == r.obj || g2(r.obj, "below|" + p.role)) \
 && (p.inactive == "-" || g2(r.obj, "inactive"))
"""


def policy_rows(profile: Profile) -> list[list[str]]:
    """One row per (role, permission, atomic scope) of the chart, with the constraints that apply."""
    rows = []
    for permission in BENCHMARKED:
        for role in profile.roles:
            for scope in sorted(profile.cell(role, permission)):
                gate = "gate" if (permission, role) in GATED else "-"
                r1 = "r1" if permission in R1 else "-"
                inactive = "inactive" if permission in INACTIVE_ONLY else "-"
                typ = TARGET_TYPE.get(permission, "student")
                rows.append([role, permission, typ, scope, gate, r1, inactive])
    return rows


def _live(world: World, class_ids: tuple[str, ...]) -> list[str]:
    return [c for c in class_ids if c in world.classes and world.classes[c].deleted != PURGED]


Link = tuple[str, str, str]  # (graph: "g" or "g2", from, to)


def _user_links(user: User, facts: Facts) -> Iterator[Link]:
    world = facts.world
    if user.deleted == PURGED:
        return
    if user.deleted == NOT_DELETED:
        yield "g2", user.id, "live"
        if user.status == "active":
            yield "g2", user.id, "active"
    for org in user.orgs:
        yield "g", user.id, org
    if user.kind != STAFF:
        if user.status == "inactive":
            yield "g2", user.id, "inactive"
        yield from (("g", user.id, c) for c in _live(world, user.enrolled_in))
        return
    for a in user.roles:
        yield "g", user.id, a.org
        yield "g2", user.id, f"holds|{a.role}"
        yield "g", a.org, f"{user.id}|{a.role}"
    for c in _live(world, user.teaches):
        yield "g", user.id, world.classes[c].school
        yield "g", c, f"{user.id}|teaches"
    rank = facts.user_rank(user)
    yield from (("g2", user.id, f"below|{role}") for role, above in ADMIN_RANK.items() if rank < above)


def links(facts: Facts, user_ids: set[str] | None = None) -> Iterator[Link]:
    """Every link of the world (or of those accounts plus every org and class)."""
    world = facts.world
    for org in world.orgs.values():
        if org.parent:
            yield "g", org.id, org.parent
    for school_class in world.classes.values():
        if school_class.deleted == PURGED:
            continue
        yield "g", school_class.id, school_class.school
        if school_class.deleted == NOT_DELETED:
            yield "g2", school_class.id, "live"
        if effective(facts, school_class.school, "teacher_student_creation").value is True:
            yield "g2", school_class.id, "open"
    users = world.users.values() if user_ids is None else (world.users[u] for u in user_ids)
    for user in users:
        yield from _user_links(user, facts)


def request(check: Check, facts: Facts) -> tuple[str, str, str, str]:
    target = check.target
    typ = "class" if target.type == "class" else facts.world.users[target.id].kind
    return (check.actor, check.permission, typ, target.id)


class CasbinPeer:
    """A casbin Enforcer over the model above, loaded once; purged objects are simply absent."""

    name = "casbin"

    def __init__(self, facts: Facts, user_ids: set[str] | None = None) -> None:
        self.enforcer = casbin.Enforcer(_model())
        self.enforcer.add_policies(policy_rows(facts.profile))
        by_graph: dict[str, list[list[str]]] = {"g": [], "g2": []}
        for graph, child, parent in links(facts, user_ids):
            by_graph[graph].append([child, parent])
        for graph, rules in by_graph.items():
            self.enforcer.add_named_grouping_policies(graph, rules)
        self.facts = facts

    def prepare(self, check: Check) -> tuple[str, str, str, str]:
        return request(check, self.facts)

    def decide(self, prepared: tuple[str, str, str, str]) -> bool:
        return bool(self.enforcer.enforce(*prepared))

    def decide_batch(self, prepared: list[tuple[str, str, str, str]]) -> list[bool]:
        return [bool(r) for r in self.enforcer.batch_enforce([list(p) for p in prepared])]


def _model() -> casbin.model.Model:
    model = casbin.model.Model()
    model.load_model_from_text(MODEL)
    return model
