"""Where SCIM puts what an identity provider creates without saying where: the provisioning account's
default placement.

An identity provider's plain user has a name, a username and an email, but no Homeroom org or role. Such
a user lands where the account whose token provisions it works: at the org of that account's first role
assignment (a principal's school, a teacher's school, a district administrator's district) and, for staff,
with the product's least privileged staff role when that role may be held there (a teacher at a school;
nothing at a district, so a district's token never mints district administrators by default). The create
is then authorized like any other: a teacher's token, which may not create staff, is refused.

The same values are published as `canonicalValues` of the extension attributes in `/Schemas`, so a client
reading the schemas learns the defaults that apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeroom.policy.profiles import Profile, Role
from homeroom.policy.world import STAFF, Ref
from homeroom.services.access import Access
from homeroom.store.accounts import policy_user
from homeroom.store.facts import load_world

SCHOOL = "school"


@dataclass(frozen=True)
class Placement:
    org: str | None = None  # where new accounts go
    role: str | None = None  # the role new staff accounts hold there
    school: str | None = None  # where new classes go (`org`, when it is a school)


def placement(access: Access) -> Placement:
    """The default placement of what the caller creates (nothing for a service token)."""
    if access.principal.user_id is None:
        return Placement()
    actor = policy_user(access.session, access.tenant_id, access.principal.user_id)
    org = actor.roles[0].org if actor.roles else next(iter(actor.orgs), None)
    if org is None:
        return Placement()
    found = load_world(access.session, access.tenant_id, users=(), refs=[Ref("org", org)]).orgs.get(org)
    kind = found.kind if found is not None else ""
    role = least_privileged(access.profile)
    return Placement(
        org,
        role.id if role is not None and kind in role.assignable_at else None,
        org if kind == SCHOOL else None,
    )


def least_privileged(profile: Profile) -> Role | None:
    """The product's least privileged staff role: the lowest rank, or in a profile without ranks the role
    granted the fewest permissions (the first such in the profile's order)."""
    staff = [r for r in profile.roles.values() if r.account == STAFF]
    if not staff:
        return None
    if all(r.rank is not None for r in staff):
        return min(staff, key=lambda r: r.rank or 0)
    return min(staff, key=lambda r: sum(1 for p in profile.permissions if profile.cell(r.id, p)))
