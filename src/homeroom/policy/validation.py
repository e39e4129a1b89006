"""Validation of worlds (model.md 13) and of checks' arguments (model.md 1).

Every function returns problems as (path, message) pairs, never raises, and never decides anything:
an invalid world or check is a file error for the scenario runner and invalid input for the services,
never a deny. Paths name the place in the document: `world.users[3].roles[0]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from homeroom.policy.catalog import Permission
from homeroom.policy.facts import Facts
from homeroom.policy.profiles import SCOPES, Profile
from homeroom.policy.registry import catalog
from homeroom.policy.world import (
    ALLOWED_PARENTS,
    INVITED,
    STAFF,
    STUDENT,
    Check,
    Org,
    SchoolClass,
    Thing,
    User,
    World,
)

Problem = tuple[str, str]


def validate_world(
    world: World, profile: Profile, *, custom_roles_allowed: bool | None = None
) -> list[Problem]:
    """Every problem of model.md 13 in `world`; an empty list means the world is valid."""
    allowed = profile.custom_roles_in_seed if custom_roles_allowed is None else custom_roles_allowed
    facts = Facts(world, profile)
    return list(
        chain(
            _shared_ids(world),
            _orgs(world, facts),
            _classes(world),
            _users(world, profile, facts),
            _things(world),
            _custom_roles(world, profile, allowed=allowed),
            _settings(world, profile),
        )
    )


def _shared_ids(world: World) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    collections = (
        ("orgs", world.orgs),
        ("classes", world.classes),
        ("users", world.users),
        ("objects", world.things),
        ("custom_roles", world.custom_roles),
    )
    for name, items in collections:
        for index, key in enumerate(items):
            if key in seen:
                yield (f"world.{name}[{index}].id", f"id {key!r} is already used in world.{seen[key]}")
            seen[key] = name


def parent_problem(org: Org, world: World) -> str | None:
    """Why `org` cannot sit under its parent (model.md 2), or None."""
    parent = world.orgs.get(org.parent) if org.parent is not None else None
    if org.parent is not None and parent is None:
        return f"parent {org.parent!r} is not an org of this world"
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS[org.kind]:
        allowed = ", ".join(sorted(k or "none" for k in ALLOWED_PARENTS[org.kind]))
        return f"a {org.kind} cannot have parent kind {parent_kind or 'none'}; expected {allowed}"
    seen = {org.id}
    while parent is not None:
        if parent.id in seen:
            return f"the parent chain of {org.id!r} loops back on itself"
        seen.add(parent.id)
        parent = world.orgs.get(parent.parent) if parent.parent is not None else None
    return None


def _orgs(world: World, facts: Facts) -> Iterator[Problem]:
    for index, org in enumerate(world.orgs.values()):
        path = f"world.orgs[{index}]"
        problem = parent_problem(org, world)
        if problem is not None:
            yield (f"{path}.parent", problem)
        if org.schools and org.kind != "school_group":
            yield (f"{path}.schools", "only a school_group lists schools")
        for position, school in enumerate(org.schools):
            member = world.orgs.get(school)
            if member is None or member.kind != "school":
                yield (f"{path}.schools[{position}]", f"{school!r} is not a school of this world")
            elif problem is None and org.parent is not None and not facts.in_subtree(school, org.parent):
                yield (f"{path}.schools[{position}]", f"{school!r} is not in the subtree of {org.parent!r}")


def class_problem(school_class: SchoolClass, world: World) -> str | None:
    school = world.orgs.get(school_class.school)
    if school is None or school.kind != "school":
        return f"{school_class.school!r} is not a school of this world"
    return None


def _classes(world: World) -> Iterator[Problem]:
    for index, school_class in enumerate(world.classes.values()):
        problem = class_problem(school_class, world)
        if problem is not None:
            yield (f"world.classes[{index}].school", problem)
        if school_class.created_by is not None and school_class.created_by not in world.users:
            yield (f"world.classes[{index}].created_by", f"{school_class.created_by!r} is not a user")


def _users(world: World, profile: Profile, facts: Facts) -> Iterator[Problem]:
    for index, user in enumerate(world.users.values()):
        yield from _user(f"world.users[{index}]", user, world, profile, facts)


def _user(path: str, user: User, world: World, profile: Profile, facts: Facts) -> Iterator[Problem]:
    for position, org in enumerate(user.orgs):
        if org not in world.orgs:
            yield (f"{path}.orgs[{position}]", f"{org!r} is not an org of this world")
    for position, assignment in enumerate(user.roles):
        problem = assignment_problem(user, assignment.role, assignment.org, world, profile, facts)
        if problem is not None:
            yield (f"{path}.roles[{position}]", problem)
    yield from _user_kinds(path, user)
    yield from _user_classes(path, user, world, facts)
    if user.created_by is not None and user.created_by not in world.users:
        yield (f"{path}.created_by", f"{user.created_by!r} is not a user")


def _user_kinds(path: str, user: User) -> Iterator[Problem]:
    if user.teaches and user.kind != STAFF:
        yield (f"{path}.teaches", "only staff accounts teach classes")
    if user.enrolled_in and user.kind != STUDENT:
        yield (f"{path}.enrolled_in", "only student accounts are enrolled in classes")
    if user.status == INVITED and user.kind != STAFF:
        yield (f"{path}.status", "only staff accounts can be invited")


def _user_classes(path: str, user: User, world: World, facts: Facts) -> Iterator[Problem]:
    for position, class_id in enumerate(user.enrolled_in):
        if class_id not in world.classes:
            yield (f"{path}.enrolled_in[{position}]", f"{class_id!r} is not a class of this world")
    for position, class_id in enumerate(user.teaches):
        problem = teaching_problem(user, class_id, world, facts)
        if problem is not None:
            yield (f"{path}.teaches[{position}]", problem)


def assignment_problem(
    user: User, role: str, org_id: str, world: World, profile: Profile, facts: Facts
) -> str | None:
    """Why `user` cannot hold `role@org_id` (model.md 4 and 13), or None."""
    org = world.orgs.get(org_id)
    if org is None:
        return f"{org_id!r} is not an org of this world"
    built_in = profile.roles.get(role)
    custom = world.custom_roles.get(role)
    if built_in is None and custom is None:
        return f"{role!r} is neither a role of profile {profile.id} nor a custom role"
    if built_in is not None:
        if org.kind not in built_in.assignable_at:
            return f"{role} is assigned at {', '.join(sorted(built_in.assignable_at))}, not at a {org.kind}"
        account = built_in.account
    else:
        assert custom is not None  # noqa: S101 - one of the two exists
        if not facts.in_subtree(org_id, custom.org):
            return f"custom role {role} can be held only at {custom.org!r} or below"
        account = STAFF
    if account != user.kind:
        return f"{role} is a role for {account} accounts, not {user.kind}"
    return None


def teaching_problem(user: User, class_id: str, world: World, facts: Facts) -> str | None:
    school_class = world.classes.get(class_id)
    if school_class is None:
        return f"{class_id!r} is not a class of this world"
    if not any(facts.in_subtree(school_class.school, a.org) for a in user.roles if a.org in world.orgs):
        return f"{user.id} holds no role over {school_class.school!r}, the school of {class_id!r}"
    return None


def _things(world: World) -> Iterator[Problem]:
    for index, thing in enumerate(world.things.values()):
        path = f"world.objects[{index}]"
        for field_name, message in _thing_problems(thing, world):
            yield (f"{path}.{field_name}", message)


def _thing_problems(thing: Thing, world: World) -> Iterator[tuple[str, str]]:
    if thing.org is not None and thing.org not in world.orgs:
        yield ("org", f"{thing.org!r} is not an org of this world")
    if thing.student is not None:
        student = world.users.get(thing.student)
        if student is None or student.kind != STUDENT:
            yield ("student", f"{thing.student!r} is not a student of this world")
    if thing.recipient is not None and thing.recipient not in world.users:
        yield ("recipient", f"{thing.recipient!r} is not a user of this world")
    if thing.created_by is not None and thing.created_by not in world.users:
        yield ("created_by", f"{thing.created_by!r} is not a user of this world")


def _custom_roles(world: World, profile: Profile, *, allowed: bool) -> Iterator[Problem]:
    for index, role in enumerate(world.custom_roles.values()):
        path = f"world.custom_roles[{index}]"
        if not allowed:
            yield (path, f"profile {profile.id} has no custom roles")
        if role.id in profile.roles:
            yield (f"{path}.id", f"{role.id!r} is a built-in role of {profile.id}")
        if role.org not in world.orgs:
            yield (f"{path}.org", f"{role.org!r} is not an org of this world")
        for position, (permission, scope) in enumerate(role.grants):
            if permission not in profile.permission_ids:
                yield (
                    f"{path}.permissions[{position}]",
                    f"{permission!r} is not a permission of {profile.id}",
                )
            if not {s.strip() for s in scope.split(",")} <= set(SCOPES):
                yield (f"{path}.permissions[{position}].scope", f"{scope!r} is not a scope")


def _settings(world: World, profile: Profile) -> Iterator[Problem]:
    for org_id, values in world.settings.items():
        org = world.orgs.get(org_id)
        if org is None:
            yield (f"world.settings.{org_id}", f"{org_id!r} is not an org of this world")
            continue
        for key, value in values.items():
            problem = setting_problem(profile, org.kind, key, value)
            if problem is not None:
                yield (f"world.settings.{org_id}.{key}", problem)
    for org_id, keys in world.locks.items():
        for key in sorted(keys):
            if org_id not in world.orgs or profile.setting(key) is None:
                yield (f"world.locks.{org_id}.{key}", "locks name a declared setting at an org of the world")


def setting_problem(profile: Profile, org_kind: str, key: str, value: object) -> str | None:
    """Why `key: value` cannot be set at an org of `org_kind` (model.md 10), or None."""
    setting = profile.setting(key)
    if setting is None:
        return f"profile {profile.id} declares no setting {key!r}"
    if org_kind not in setting.settable_at:
        return f"{key} is set at {', '.join(sorted(setting.settable_at))}, not at a {org_kind}"
    if not setting.accepts(value):
        return f"{key} takes a {setting.type} value, got {value!r}"
    return None


def check_problems(check: Check, world: World, profile: Profile) -> list[str]:
    """Why a check is malformed (model.md 1): unknown ids, unresolved references, wrong arguments."""
    problems: list[str] = []
    if check.actor not in world.users:
        problems.append(f"as: {check.actor!r} is not a user of this world")
    permission = catalog().permissions.get(check.permission)
    if permission is None:
        return [*problems, f"can: {check.permission!r} is not a permission id of the catalog"]
    problems += _argument_problems(check, permission)
    for name, ref in (("target", check.target), ("to", check.to), ("from", check.from_), ("at", check.at)):
        if ref is not None and world.entity(ref) is None:
            problems.append(f"{name}: {ref} does not name an object of this world")
    if check.role is not None and check.role not in profile.roles and check.role not in world.custom_roles:
        problems.append(f"role: {check.role!r} is neither a role of {profile.id} nor a custom role")
    return problems


def _argument_problems(check: Check, permission: Permission) -> list[str]:
    given = {"to": check.to, "from": check.from_, "role": check.role, "at": check.at}
    problems = [
        f"{name}: {permission.id} takes no {name!r} argument"
        for name, value in given.items()
        if value is not None and name not in permission.args
    ]
    problems += [
        f"{name}: {permission.id} needs a {name!r} argument"
        for name in sorted(permission.required_args())
        if given[name] is None
    ]
    if permission.one_of and sum(given[name] is not None for name in permission.one_of) != 1:
        problems.append(f"{permission.id} needs exactly one of {' / '.join(sorted(permission.one_of))}")
    return problems
