"""A small math-prek2 tenant (there is no PreK-2 demo world): one school, a class, its teacher and student,
and benchmarks 1 to 3 of that student."""

from __future__ import annotations

import uuid

from tests.services.conftest import Tenant

from homeroom.policy import registry
from homeroom.policy.world import Assignment, Org, SchoolClass, Thing, User, World
from homeroom.services.runtime import Homeroom
from homeroom.store.worlds import write_world

WORLD = World(
    orgs={
        "northwind": Org("northwind", "customer"),
        "maple_valley": Org("maple_valley", "district", "northwind"),
        "lincoln_elem": Org("lincoln_elem", "school", "maple_valley"),
    },
    classes={"k_a": SchoolClass("k_a", "lincoln_elem"), "k_b": SchoolClass("k_b", "lincoln_elem")},
    users={
        "carol_customer": User("carol_customer", "staff", roles=(Assignment("customer_admin", "northwind"),)),
        "priya_principal": User(
            "priya_principal", "staff", roles=(Assignment("school_admin", "lincoln_elem"),)
        ),
        "tomas_teacher": User(
            "tomas_teacher", "staff", roles=(Assignment("teacher", "lincoln_elem"),), teaches=("k_a",)
        ),
        "sam_student": User("sam_student", "student", orgs=("lincoln_elem",), enrolled_in=("k_a",)),
        "sofia_student": User("sofia_student", "student", orgs=("lincoln_elem",), enrolled_in=("k_b",)),
    },
    things={
        f"bm{n}": Thing(f"bm{n}", "assessment", kind="benchmark", number=n, student="sam_student")
        for n in (1, 2, 3)
    },
)


class Prek2Tenant(Tenant):
    """A fresh math-prek2 tenant holding WORLD."""

    def __init__(self, app: Homeroom) -> None:  # writes its own world, not a demo one
        self.app = app
        self.name = f"t-{uuid.uuid4().hex[:12]}"
        with app.sessions.begin() as session:
            self.id = write_world(session, WORLD, registry.profile("math-prek2"), tenant=self.name)
