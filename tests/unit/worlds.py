"""Hypothesis strategies: small random but valid worlds and checks for the math profile."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from homeroom.policy import registry
from homeroom.policy.world import Assignment, Check, Org, Ref, SchoolClass, User, World

STATUSES = ("active", "active", "active", "inactive")
DELETED = ("none", "none", "none", "soft", "purged")
ROLE_KINDS = {
    "customer_admin": "customer",
    "district_admin": "district",
    "school_admin": "school",
    "teacher": "school",
}


@dataclass(frozen=True)
class Tree:
    orgs: dict[str, Org]
    schools: list[str]
    classes: dict[str, SchoolClass]


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    orgs = {"cust": Org("cust", "customer")}
    schools: list[str] = []
    for d in range(draw(st.integers(1, 2))):
        district = f"d{d}"
        orgs[district] = Org(district, "district", "cust")
        for s in range(draw(st.integers(1, 2))):
            school = f"{district}s{s}"
            orgs[school] = Org(school, "school", district)
            schools.append(school)
    classes = {}
    for school in schools:
        for c in range(draw(st.integers(1, 2))):
            class_id = f"{school}c{c}"
            classes[class_id] = SchoolClass(class_id, school, deleted=draw(st.sampled_from(DELETED)))
    return Tree(orgs, schools, classes)


@st.composite
def staff(draw: st.DrawFn, tree: Tree, index: int) -> User:
    role = draw(st.sampled_from(sorted(ROLE_KINDS)))
    candidates = sorted(o.id for o in tree.orgs.values() if o.kind == ROLE_KINDS[role])
    org = draw(st.sampled_from(candidates))
    teachable = sorted(c.id for c in tree.classes.values() if org in _ancestors(tree, c.school))
    teaches = tuple(draw(st.lists(st.sampled_from(teachable), unique=True, max_size=2))) if teachable else ()
    return User(
        f"u{index}",
        "staff",
        status=draw(st.sampled_from((*STATUSES, "invited"))),
        deleted=draw(st.sampled_from(DELETED)),
        roles=(Assignment(role, org),),
        teaches=teaches,
    )


@st.composite
def students(draw: st.DrawFn, tree: Tree, index: int) -> User:
    school = draw(st.sampled_from(tree.schools))
    enrolled = draw(st.lists(st.sampled_from(sorted(tree.classes)), unique=True, max_size=2))
    return User(
        f"st{index}",
        "student",
        status=draw(st.sampled_from(STATUSES)),
        deleted=draw(st.sampled_from(DELETED)),
        orgs=(school,),
        enrolled_in=tuple(enrolled),
    )


def _ancestors(tree: Tree, org: str) -> set[str]:
    found = set()
    current: str | None = org
    while current is not None:
        found.add(current)
        current = tree.orgs[current].parent
    return found


@st.composite
def math_worlds(draw: st.DrawFn) -> World:
    tree = draw(trees())
    people = [draw(staff(tree, i)) for i in range(draw(st.integers(1, 5)))]
    people += [draw(students(tree, i)) for i in range(draw(st.integers(1, 4)))]
    settings = {}
    for org in sorted(tree.orgs):
        if draw(st.booleans()):
            settings[org] = {"teacher_student_creation": draw(st.booleans())}
    return World(orgs=tree.orgs, classes=tree.classes, users={u.id: u for u in people}, settings=settings)


def refs(world: World) -> list[Ref]:
    return (
        [Ref("org", o) for o in world.orgs]
        + [Ref("class", c) for c in world.classes]
        + [Ref("user", u) for u in world.users]
    )


@st.composite
def checks(draw: st.DrawFn, world: World) -> Check:
    """A check with the arguments its permission takes, over any objects of the world."""
    permission = registry.catalog().permissions[
        draw(st.sampled_from(sorted(registry.profile("math").permission_ids)))
    ]
    anything = refs(world)
    args: dict[str, object] = {}
    for name in sorted(permission.args):
        if name in permission.one_of and args:
            continue
        if name == "role":
            args["role"] = draw(st.sampled_from(sorted(ROLE_KINDS)))
        else:
            args["from_" if name == "from" else name] = draw(st.sampled_from(anything))
    actor = draw(st.sampled_from(sorted(world.users)))
    return Check(actor, permission.id, draw(st.sampled_from(anything)), **args)  # type: ignore[arg-type]
