"""Hypothesis: on random valid worlds, the SQL twin selects exactly the targets decide() allows.

For every actor and a sample of permissions (with random secondary arguments), the twin's accessible set
of each target type equals {target : decide(actor, permission, target) allows}, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from store_helpers import store_world

from homeroom.policy import decide, registry
from homeroom.policy.catalog import Permission
from homeroom.policy.facts import Facts
from homeroom.policy.profiles import Profile
from homeroom.policy.validation import validate_world
from homeroom.policy.world import (
    THING_TYPES,
    Assignment,
    Check,
    CustomRole,
    Org,
    Ref,
    SchoolClass,
    Thing,
    User,
    World,
)
from homeroom.store.constraints import Request
from homeroom.store.twin import accessible

pytestmark = pytest.mark.db
STATUS = st.sampled_from(("active", "active", "active", "inactive", "invited"))
DELETED = st.sampled_from(("none", "none", "none", "soft", "purged"))
CONTENT = tuple(t for t in THING_TYPES if t not in ("assessment", "notification"))
SCOPE_TEXT = st.sampled_from(("org", "subtree", "self", "created", "assigned, created", "org, self"))


def district_orgs(draw: st.DrawFn) -> dict[str, Org]:
    orgs = {"c0": Org("c0", "customer"), "d0": Org("d0", "district", "c0"), "d1": Org("d1", "district")}
    for index in range(draw(st.integers(1, 3))):
        orgs[f"s{index}"] = Org(f"s{index}", "school", draw(st.sampled_from(("d0", "d1", None))))
    if draw(st.booleans()):
        orgs["g0"] = Org("g0", "school_group", "d0", tuple(s for s, o in orgs.items() if o.parent == "d0"))
    return orgs


def platform_orgs(draw: st.DrawFn) -> dict[str, Org]:
    orgs: dict[str, Org] = {}
    for index in range(draw(st.integers(2, 4))):
        parent = draw(st.sampled_from([None, *orgs]))
        orgs[f"o{index}"] = Org(f"o{index}", "organization", parent)
    return orgs


def ancestors(orgs: dict[str, Org], org_id: str) -> set[str]:
    found: set[str] = set()
    current: str | None = org_id
    while current is not None:
        found.add(current)
        current = orgs[current].parent
    return found


@st.composite
def worlds(draw: st.DrawFn, profile: Profile) -> World:
    platform = profile.id == "assessment-platform"
    orgs = platform_orgs(draw) if platform else district_orgs(draw)
    schools = sorted(o for o, org in orgs.items() if org.kind == "school")
    classes = {
        f"k{i}": SchoolClass(f"k{i}", draw(st.sampled_from(schools)), created_by=None, deleted=draw(DELETED))
        for i in range(draw(st.integers(0, 3)) if schools else 0)
    }
    custom = _custom_roles(draw, profile, orgs) if platform else {}
    users = {
        f"u{i}": _user(draw, profile, f"u{i}", orgs, classes, custom) for i in range(draw(st.integers(2, 5)))
    }
    users = {u.id: _with_creator(draw, u, users) for u in users.values()}
    things = _things(draw, profile, orgs, users)
    world = World(orgs=orgs, classes=classes, users=users, things=things, custom_roles=custom,
                  settings=_settings(draw, profile, orgs))  # fmt: skip
    assert validate_world(world, profile) == []
    return world


def _custom_roles(draw: st.DrawFn, profile: Profile, orgs: dict[str, Org]) -> dict[str, CustomRole]:
    permissions = sorted(profile.permissions)
    roles = {}
    for index in range(draw(st.integers(0, 2))):
        grants = draw(
            st.lists(
                st.tuples(st.sampled_from(permissions), SCOPE_TEXT), max_size=4, unique_by=lambda g: g[0]
            )
        )
        roles[f"cr{index}"] = CustomRole(f"cr{index}", draw(st.sampled_from(sorted(orgs))), tuple(grants),
                                         deleted=draw(DELETED))  # fmt: skip
    return roles


def _user(
    draw: st.DrawFn, profile: Profile, user_id: str, orgs: dict[str, Org], classes: dict[str, SchoolClass],
    custom: dict[str, CustomRole],
) -> User:  # fmt: skip
    kind = draw(st.sampled_from(("staff", "student")))
    options = [(r.id, o) for r in profile.roles.values() if r.account == kind
               for o, org in orgs.items() if org.kind in r.assignable_at]  # fmt: skip
    if kind == "staff":
        options += [(c.id, o) for c in custom.values() for o in orgs if c.org in ancestors(orgs, o)]
    roles = draw(st.lists(st.sampled_from(options), max_size=2, unique=True)) if options else []
    home = draw(st.lists(st.sampled_from(sorted(orgs)), max_size=1))
    reach = {r[1] for r in roles}
    if kind == "staff":
        teachable = sorted(c for c, k in classes.items() if reach & ancestors(orgs, k.school))
        teaches, enrolled = (
            draw(st.lists(st.sampled_from(teachable), max_size=2, unique=True)) if teachable else [],
            [],
        )
    else:
        enrolled = (
            draw(st.lists(st.sampled_from(sorted(classes)), max_size=2, unique=True)) if classes else []
        )
        teaches = []
    status = draw(STATUS) if kind == "staff" else draw(st.sampled_from(("active", "inactive")))
    return User(user_id, kind, status, draw(DELETED), tuple(home), tuple(Assignment(*r) for r in roles),
                tuple(teaches), tuple(enrolled))  # fmt: skip


def _with_creator(draw: st.DrawFn, user: User, users: dict[str, User]) -> User:
    creator = draw(st.sampled_from([None, *sorted(users)]))
    return User(user.id, user.kind, user.status, user.deleted, user.orgs, user.roles, user.teaches,
                user.enrolled_in, creator)  # fmt: skip


def _things(
    draw: st.DrawFn, profile: Profile, orgs: dict[str, Org], users: dict[str, User]
) -> dict[str, Thing]:
    students = sorted(u for u, user in users.items() if user.kind == "student")
    things: dict[str, Thing] = {}
    for index, student in enumerate(students):
        kind = draw(st.sampled_from(("benchmark", "pretest", "placement")))
        number = draw(st.sampled_from((None, 1, 2, 3)))
        things[f"a{index}"] = Thing(f"a{index}", "assessment", kind=kind, number=number, student=student,
                                    deleted=draw(DELETED))  # fmt: skip
    if profile.id == "assessment-platform":
        for index in range(draw(st.integers(1, 4))):
            things[f"x{index}"] = Thing(
                f"x{index}",
                draw(st.sampled_from(CONTENT)),
                org=draw(st.sampled_from(sorted(orgs))),
                created_by=draw(st.sampled_from([None, *sorted(users)])),
                deleted=draw(DELETED),
                published=draw(st.booleans()),
            )
        recipient = draw(st.sampled_from(sorted(users)))
        things["n0"] = Thing("n0", "notification", recipient=recipient, deleted=draw(DELETED))
    return things


def _settings(draw: st.DrawFn, profile: Profile, orgs: dict[str, Org]) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for setting in profile.settings.values():
        if setting.type != "bool" or not setting.gates:
            continue
        for org_id, org in orgs.items():
            if org.kind in setting.settable_at and draw(st.booleans()):
                found.setdefault(org_id, {})[setting.key] = draw(st.booleans())
    return found


def arguments(draw: st.DrawFn, permission: Permission, world: World, profile: Profile) -> dict[str, object]:
    """Random secondary arguments of the right shape for `permission` (any object of the named types)."""
    names = [n for n in permission.args if n not in permission.optional and n not in permission.one_of]
    if permission.one_of:
        names.append(draw(st.sampled_from(sorted(permission.one_of))))
    found: dict[str, object] = {}
    for name in names:
        if name == "role":
            found["role"] = draw(st.sampled_from(sorted([*profile.roles, *world.custom_roles])))
            continue
        refs = [Ref(spec.type, i) for spec in permission.args[name] for i in _ids(world, spec.type)]
        if not refs:
            return {}
        found["from_" if name == "from" else name] = draw(st.sampled_from(refs))
    return found


def _ids(world: World, type_: str) -> list[str]:
    if type_ in ("org", "class", "user", "role"):
        return sorted(
            {"org": world.orgs, "class": world.classes, "user": world.users, "role": world.custom_roles}[
                type_
            ]
        )
    return sorted(i for i, x in world.things.items() if x.type == type_)


def agree(session: Session, data: st.DataObject, profile: Profile) -> None:
    world = data.draw(worlds(profile))
    tenant_id = store_world(session, world, profile)
    facts = Facts(world, profile)
    permissions = data.draw(
        st.lists(st.sampled_from(sorted(profile.permissions)), min_size=6, max_size=6, unique=True)
    )
    for permission_id in permissions:
        permission = profile.permissions[permission_id]
        extra = arguments(data.draw, permission, world, profile)
        for actor in sorted(world.users):
            for type_ in sorted({spec.type for spec in permission.target}):
                expected = sorted(
                    i for i in _ids(world, type_)
                    if decide(Check(actor, permission_id, Ref(type_, i), **extra), facts).allowed  # type: ignore[arg-type]
                )  # fmt: skip
                request = Request(actor, permission_id, type_, **extra)  # type: ignore[arg-type]
                got = sorted(session.scalars(accessible(session, tenant_id, profile, request)))
                assert got == expected, f"{actor} {permission_id} {type_} {extra}"


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_twin_equals_decide_on_random_math_worlds(session: Session, data: st.DataObject) -> None:
    agree(session, data, registry.profile("math"))


@SETTINGS
@given(data=st.data())
def test_twin_equals_decide_on_random_platform_worlds(session: Session, data: st.DataObject) -> None:
    agree(session, data, registry.profile("assessment-platform"))


@SETTINGS
@given(data=st.data())
def test_twin_equals_decide_on_random_prek2_and_license_worlds(session: Session, data: st.DataObject) -> None:
    agree(
        session,
        data,
        registry.profile(data.draw(st.sampled_from(("math-prek2", "district-license", "literacy")))),
    )
