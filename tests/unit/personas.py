"""The standard demo world of the unit tests: the Maple Valley personas under the math profile.

carol (customer admin) > dana (district admin) > priya and paul (principals of Lincoln) > tomas and tara
(Lincoln teachers) ; rosa teaches at Roosevelt. sam is in tomas's class, sofia in tara's, omar at Roosevelt.
"""

from __future__ import annotations

from dataclasses import replace

from homeroom.policy import registry
from homeroom.policy.facts import Facts
from homeroom.policy.world import Assignment, Check, CustomRole, Org, Ref, SchoolClass, User, World


def maple_valley(**changes: object) -> World:
    world = World(
        orgs={
            "northwind": Org("northwind", "customer"),
            "maple": Org("maple", "district", "northwind"),
            "lincoln": Org("lincoln", "school", "maple"),
            "roosevelt": Org("roosevelt", "school", "maple"),
        },
        classes={
            "math4a": SchoolClass("math4a", "lincoln"),
            "math4b": SchoolClass("math4b", "lincoln"),
            "alg7": SchoolClass("alg7", "roosevelt"),
        },
        users={
            "carol": User("carol", "staff", roles=(Assignment("customer_admin", "northwind"),)),
            "dana": User("dana", "staff", roles=(Assignment("district_admin", "maple"),)),
            "priya": User("priya", "staff", roles=(Assignment("school_admin", "lincoln"),)),
            "paul": User("paul", "staff", roles=(Assignment("school_admin", "lincoln"),)),
            "tomas": User("tomas", "staff", roles=(Assignment("teacher", "lincoln"),), teaches=("math4a",)),
            "tara": User("tara", "staff", roles=(Assignment("teacher", "lincoln"),), teaches=("math4b",)),
            "rosa": User("rosa", "staff", roles=(Assignment("teacher", "roosevelt"),), teaches=("alg7",)),
            "sam": User("sam", "student", orgs=("lincoln",), enrolled_in=("math4a",)),
            "sofia": User("sofia", "student", orgs=("lincoln",), enrolled_in=("math4b",)),
            "omar": User("omar", "student", status="inactive", orgs=("roosevelt",), enrolled_in=("alg7",)),
        },
    )
    return replace(world, **changes)  # type: ignore[arg-type]


def with_users(world: World, *users: User) -> World:
    return replace(world, users={**world.users, **{u.id: u for u in users}})


def with_custom_roles(world: World, *roles: CustomRole) -> World:
    return replace(world, custom_roles={**world.custom_roles, **{r.id: r for r in roles}})


def facts(world: World | None = None, profile: str = "math") -> Facts:
    return Facts(world if world is not None else maple_valley(), registry.profile(profile))


def check(actor: str, permission: str, target: str, **args: str) -> Check:
    refs = {name: _ref(value) for name, value in args.items() if name in ("to", "from_", "at")}
    return Check(actor, permission, _ref(target), role=args.get("role"), **refs)


def _ref(text: str) -> Ref:
    type_, _, id_ = text.partition(":")
    return Ref(type_, id_)
