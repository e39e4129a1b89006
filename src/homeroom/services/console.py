"""Who may use the Manager (the admin API and console): staff accounts only, and where the profile has
`manager.access`, only those it allows at one of their own orgs. Students never reach admin endpoints."""

from __future__ import annotations

from homeroom.errors import Forbidden
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.world import STUDENT, Check, Ref
from homeroom.services.access import Access
from homeroom.store.facts import load_world

MANAGER_ACCESS = "manager.access"


def require_console(access: Access) -> None:
    """Raise Forbidden unless the caller may use the Manager."""
    world = load_world(access.session, access.tenant_id, users=[access.actor])
    actor = world.users.get(access.actor)
    if actor is None or actor.kind == STUDENT:
        raise Forbidden("students have no access to the Manager", code="no_manager_access")
    if MANAGER_ACCESS not in access.profile.permissions:
        return
    facts = Facts(world, access.profile)
    orgs = dict.fromkeys(a.org for a in actor.roles)
    if not any(decide(Check(actor.id, MANAGER_ACCESS, Ref("org", org)), facts).allowed for org in orgs):
        raise Forbidden("this account has no access to the Manager", code="no_manager_access")
