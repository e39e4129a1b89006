"""The small world a service loads for one check: the actor, the target, the classes either of them
names, and every org above the orgs they are anchored at, with those orgs' settings.

That is what "cold facts" in the benchmark start from: a fresh Facts over this partial world per check.
"""

from __future__ import annotations

from homeroom.policy.world import Check, SchoolClass, User, World


def _classes_of(user: User) -> tuple[str, ...]:
    return user.enrolled_in + user.teaches


def _orgs_above(world: World, start: set[str]) -> set[str]:
    found: set[str] = set()
    for org_id in start:
        current: str | None = org_id
        while current is not None and current in world.orgs and current not in found:
            found.add(current)
            current = world.orgs[current].parent
    return found


def partial_world(world: World, check: Check) -> World:
    """The objects `decide` needs for this check, copied out of the full world."""
    users = {check.actor: world.users[check.actor]}
    classes: dict[str, SchoolClass] = {}
    for ref in (check.target, check.to, check.from_):
        if ref is None:
            continue
        if ref.type == "user" and ref.id in world.users:
            users[ref.id] = world.users[ref.id]
        elif ref.type == "class" and ref.id in world.classes:
            classes[ref.id] = world.classes[ref.id]
    for user in users.values():
        for class_id in _classes_of(user):
            if class_id in world.classes:
                classes[class_id] = world.classes[class_id]
    anchors = {c.school for c in classes.values()}
    for user in users.values():
        anchors.update(user.orgs)
        anchors.update(a.org for a in user.roles)
    orgs = {o: world.orgs[o] for o in _orgs_above(world, anchors)}
    settings = {o: world.settings[o] for o in orgs if o in world.settings}
    return World(orgs=orgs, classes=classes, users=users, settings=settings)
