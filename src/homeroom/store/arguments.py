"""The twin's steps that do not depend on the scopes: the actor and the check's other arguments (model.md 7
steps 2-4, settled in Python on loaded facts), the kinds of target the permission accepts, and the
target's lifecycle as a condition on its row."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from homeroom.policy.catalog import Permission
from homeroom.policy.engine import kind_of
from homeroom.policy.facts import Facts
from homeroom.policy.world import ACTIVE, INVITED, NOT_DELETED, PURGED, SOFT_DELETED, User
from homeroom.store.anchors import Target
from homeroom.store.constraints import Request

SETUP_OWN_ACCOUNT = "staff.setup_own_account"


def arguments_pass(request: Request, permission: Permission, actor: User, facts: Facts) -> bool:
    """model.md 7 steps 2-4 for everything but the target: the actor, `to`/`from`/`at` and `role`."""
    needed = INVITED if request.permission == SETUP_OWN_ACCOUNT else ACTIVE
    if actor.deleted != NOT_DELETED or actor.status != needed:
        return False
    for name in ("to", "from", "at"):
        ref = request.argument(name)
        if ref is None:
            continue
        entity = facts.world.entity(ref)
        if entity is None or entity.deleted != NOT_DELETED:
            return False
        if not permission.accepts(name, ref.type, kind_of(entity)):
            return False
    if request.role is not None and request.role not in facts.profile.roles:
        custom = facts.world.custom_roles.get(request.role)
        return custom is not None and custom.deleted == NOT_DELETED
    return True


def target_kinds(permission: Permission, target_type: str) -> bool | frozenset[str]:
    """True: any kind of this type; a set: only these kinds; False: the type gate denies the type."""
    specs = [spec for spec in permission.target if spec.type == target_type]
    if not specs:
        return False
    if any(spec.kinds is None for spec in specs):
        return True
    return frozenset().union(*(spec.kinds or () for spec in specs))


def lifecycle(target: Target, verb: str) -> ColumnElement[bool]:
    """Purged targets never; soft-deleted ones only for recover (which needs them) and purge."""
    deleted: ColumnElement[str] = target.deleted
    if verb == "recover":
        return deleted == SOFT_DELETED
    if verb == "purge":
        return deleted != PURGED
    return deleted == NOT_DELETED
