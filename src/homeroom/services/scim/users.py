"""SCIM Users as Homeroom accounts: read, search, create, replace (PUT and PATCH end here), delete.

Every write is one of the account use cases (services/accounts.py), so it is authorized by the policy
and audited exactly as the same change through the REST API: `staff.create`/`student.create` with the
role, `*.edit` for names, username, email and external id, `staff.set_active`/`student.edit` for
`active`, `*.move` for a new `org`, `*.delete` for DELETE.

| SCIM                       | Homeroom                                                         |
|----------------------------|------------------------------------------------------------------|
| id                         | the account id                                                   |
| externalId                 | `source_id`, the key OneRoster's sourcedId uses too (unique)      |
| userName                   | `username` (unique, case-sensitive)                              |
| name.givenName/familyName  | `given_name`, `family_name`                                      |
| emails                     | `email` (one: the primary one sent, else the first)              |
| active                     | status `active` (false: `inactive`; an invited account is false) |
| userType                   | kind: `student`, else `staff`                                    |
| groups                     | the classes taught or attended (read-only; see Groups)           |
| extension org / role       | the home school, or where the staff role is held / that role     |
| extension roles            | every role assignment (read-only)                                |
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from scim2_models import Meta

from homeroom.errors import InvalidInput, StaleVersion
from homeroom.policy.world import ACTIVE, INACTIVE, INVITED, STAFF, STUDENT, Ref
from homeroom.services import accounts, audit
from homeroom.services.access import Access
from homeroom.services.accounts import AccountChanges, AccountView, NewAccount
from homeroom.services.authorization import authorize
from homeroom.services.scim.models import STUDENT_TYPE, Email, HomeroomUser, Name, Role, UserGroup
from homeroom.services.scim.placement import Placement, least_privileged
from homeroom.services.scim.scopes import user_view_permissions, visible_classes, visible_users
from homeroom.store import scim as store
from homeroom.store.accounts import get_account
from homeroom.store.facts import load_world

USERNAME: Final = re.compile(r"^[A-Za-z0-9._@+-]{1,100}$")
EMAIL: Final = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")
Model = type[Any]  # a composed scim2-models resource class (User with the Homeroom extension)


def read_user(access: Access, model: Model, user_id: str, *, disclose: bool) -> Any:
    """One account, if the caller may view it. A read for the client (`disclose`) of a student is
    audited and disclosed as the REST API's is; the read a write starts with is not."""
    if disclose:
        view = accounts.get_account(access, user_id)
    else:
        row = get_account(access.session, access.tenant_id, user_id)
        kind = row.kind if row is not None else STAFF
        authorize(access, user_view_permissions(access)[kind], Ref("user", user_id))
        view = accounts.read_account(access, user_id)
    return _resources(access, model, [view])[0]


def search_users(access: Access, model: Model, query: store.Query) -> tuple[int, list[Any]]:
    """The accounts the caller may view that match: their number and one page, as resources."""
    found = store.search_users(access.session, access.tenant_id, visible_users(access), query)
    rows = store.users_by_id(access.session, access.tenant_id, found.ids)
    world = load_world(access.session, access.tenant_id, users=found.ids)
    views = [accounts.account_view(rows[i], world.users[i]) for i in found.ids]
    students = [v.id for v in views if v.kind == STUDENT]
    if students:  # as the REST API's lists: which students a search showed is recorded
        permission = user_view_permissions(access)[STUDENT]
        audit.record(access, permission, None, details={"listed": students})
    return found.total, _resources(access, model, views)


def create_user(access: Access, model: Model, resource: Any, default: Placement) -> Any:
    """A new account from a SCIM User; placement defaults to the caller's (placement.py)."""
    kind = kind_of(resource.user_type)
    extension = resource[HomeroomUser]
    org = (extension.org if extension else None) or default.org
    if org is None:
        raise InvalidInput(
            f"{HomeroomUser.__schema__}:org is required: the provisioning account has no org to default to",
            code="missing_org",
        )
    role = extension.role if extension else None
    if kind == STUDENT and role is not None:
        raise InvalidInput(
            "students hold the product's student roles: `role` is for staff", code="student_role"
        )
    if kind == STAFF and role is None:
        role = _default_role(access, org)
    given, family = _names(resource.name)
    new = NewAccount(
        kind,
        _username(resource.user_name),
        given,
        family,
        pick_email(resource.emails),
        org=org,
        role=role,
        source_id=resource.external_id,
    )
    created = accounts.create_account(access, new).account
    if resource.active is False:
        inactive = AccountChanges(status=INACTIVE)
        created = accounts.edit_account(access, created.id, inactive, expected=created.version)
    return _resources(access, model, [created])[0]


def replace_user(access: Access, model: Model, resource: Any, *, expected: int) -> Any:
    """Make the account what `resource` says (the server applied the PUT or PATCH to what it read)."""
    view = accounts.read_account(access, resource.id)
    if view.version != expected:
        raise StaleVersion(f"user {view.id!r} is at version {view.version}, not {expected}")
    if kind_of(resource.user_type) != view.kind:
        raise immutable("userType", view.kind)
    extension = resource[HomeroomUser]
    held, role = _role(view), extension.role if extension is not None else None
    if role is not None and held is not None and role != held:
        raise immutable(f"{HomeroomUser.__schema__}:role", held)
    changes = _changes(view, resource)
    if changes.values or changes.status is not None:
        view = accounts.edit_account(access, view.id, changes, expected=view.version)
    org = extension.org if extension is not None else None
    if org is not None and org != _org(view):
        view = accounts.move_account(access, view.id, Ref("org", org), expected=view.version)
    if role is not None and held is None:  # an immutable value may be given once: a role for a staff
        if view.kind != STAFF:  # account that holds none (`role.grant`)
            raise InvalidInput(
                "students hold the product's student roles: `role` is for staff", code="student_role"
            )
        view = accounts.grant_role(access, view.id, role, org or _org(view) or "")
    return _resources(access, model, [view])[0]


def delete_user(access: Access, user_id: str, *, expected: int) -> None:
    accounts.delete_account(access, user_id, expected=expected)


def kind_of(user_type: str | None) -> str:
    """`student` (any case) is a student; anything else, or nothing, is staff."""
    return STUDENT if (user_type or "").strip().lower() == STUDENT_TYPE else STAFF


def pick_email(emails: Sequence[Any] | None) -> str | None:
    """The one address Homeroom keeps: the primary one, else the first."""
    if not emails:
        return None
    chosen = next((e for e in emails if getattr(e, "primary", False)), emails[0])
    value = (chosen.value or "").strip()
    if not value:
        return None
    if len(value) > 254 or not EMAIL.match(value):
        raise InvalidInput(f"emails: {value!r} is not an email address", code="invalid_email")
    return str(value)


def immutable(attribute: str, held: str | None) -> InvalidInput:
    return InvalidInput(
        f"{attribute} cannot change once set (it is {held!r})",
        code="scim_mutability",
        details={"attribute": attribute},
    )


def _changes(view: AccountView, resource: Any) -> AccountChanges:
    given, family = _names(resource.name)
    wanted = {
        "username": _username(resource.user_name),
        "given_name": given,
        "family_name": family,
        "email": pick_email(resource.emails),
        "source_id": resource.external_id,
    }
    current = {
        "username": view.username,
        "given_name": view.given_name,
        "family_name": view.family_name,
        "email": view.email,
        "source_id": view.source_id,
    }
    values: dict[str, object] = {k: v for k, v in wanted.items() if v != current[k]}
    status = ACTIVE if resource.active else INACTIVE
    unchanged = status == view.status or (view.status == INVITED and status == INACTIVE)
    return AccountChanges(values=values, status=None if unchanged else status)


def _names(name: Name | None) -> tuple[str, str]:
    if name is None:
        return "", ""
    return (name.given_name or "").strip(), (name.family_name or "").strip()


def _username(value: str | None) -> str:
    if value is None or not USERNAME.match(value):
        raise InvalidInput(
            f"userName {value!r} is not a Homeroom username: 1 to 100 letters, digits or . _ @ + -",
            code="invalid_username",
        )
    return value


def _default_role(access: Access, org: str) -> str | None:
    role = least_privileged(access.profile)
    found = load_world(access.session, access.tenant_id, users=(), refs=[Ref("org", org)]).orgs.get(org)
    if role is None or found is None or found.kind not in role.assignable_at:
        return None
    return role.id


def _org(view: AccountView) -> str | None:
    """A staff account's first role's org, else its first home org (a student's school)."""
    if view.kind == STAFF and view.roles:
        return view.roles[0].org
    return next(iter(view.orgs), None)


def _role(view: AccountView) -> str | None:
    return view.roles[0].role if view.kind == STAFF and view.roles else None


def _resources(access: Access, model: Model, views: Sequence[AccountView]) -> list[Any]:
    classes = store.classes_of(
        access.session, access.tenant_id, [v.id for v in views], visible_classes(access)
    )
    return [_resource(model, view, classes.get(view.id, [])) for view in views]


def _resource(model: Model, view: AccountView, classes: Sequence[store.ClassLink]) -> Any:
    resource = model(
        id=view.id,
        external_id=view.source_id,
        user_name=view.username,
        name=Name(given_name=view.given_name or None, family_name=view.family_name or None)
        if view.given_name or view.family_name
        else None,
        user_type=view.kind,
        active=view.status == ACTIVE,
        emails=[Email(value=view.email)] if view.email else None,
        groups=[
            UserGroup(value=c.class_id, ref=f"Groups/{c.class_id}", display=c.name or None, type="direct")
            for c in classes
        ]
        or None,
    )
    resource[HomeroomUser] = HomeroomUser(
        org=_org(view),
        role=_role(view),
        roles=[Role(value=a.role, org=a.org) for a in view.roles] or None,
    )
    resource.meta = meta("User", view.version)
    return resource


def meta(resource_type: str, version: int) -> Meta:
    """The resource's type and version (a weak ETag: `W/"3"`, the object's optimistic version)."""
    return Meta(resource_type=resource_type, version=f'W/"{version}"')
