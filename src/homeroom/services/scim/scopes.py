"""What the caller may see through SCIM, as statements of ids from the SQL twin of the policy.

Searches, the `groups` of a user and the members of a class are all computed inside these sets, so SCIM
never shows an object the REST API would answer "not found" for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from homeroom.policy.world import STAFF, STUDENT
from homeroom.services.access import Access
from homeroom.services.accounts import view_permission
from homeroom.services.classes import view_permission as class_view_permission
from homeroom.store import twin
from homeroom.store.accounts import policy_user
from homeroom.store.classes import visible_classes as structurally_visible
from homeroom.store.constraints import Request


def user_view_permissions(access: Access) -> dict[str, str]:
    """The permission that shows each kind of account (`staff.view`, `student.view`, or `user.view`)."""
    return {kind: view_permission(access.profile, kind) for kind in (STAFF, STUDENT)}


def visible_users(access: Access) -> list[Select[Any]]:
    """The ids of the accounts the caller may view: one statement per viewing permission (one for
    staff, one for students; each selects only its own kind of account)."""
    return [
        twin.accessible(
            access.session,
            access.tenant_id,
            access.profile,
            Request(access.actor, p, "user"),
            snapshot=access.snapshot(),
        )
        for p in dict.fromkeys(user_view_permissions(access).values())
    ]


def visible_classes(access: Access) -> Select[Any]:
    """The ids of the classes the caller may view (those it may know of, in a product without a class
    viewing permission), as the REST API lists them."""
    permission = class_view_permission(access.profile)
    if permission is not None:
        request = Request(access.actor, permission, "class")
        return twin.accessible(
            access.session, access.tenant_id, access.profile, request, snapshot=access.snapshot()
        )
    actor = policy_user(access.session, access.tenant_id, access.actor)
    return structurally_visible(access.tenant_id, sorted({a.org for a in actor.roles}), actor.id)
