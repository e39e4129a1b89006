"""Staff and student accounts: create (one or in bulk, with an invitation), view, list, edit, activate or
deactivate, delete, move. Each use case authorizes, validates, writes and audits in the caller's unit of
work; a failure anywhere (one bad account of a bulk create included) leaves everything unchanged.

Which permission a use case checks comes from the tenant's profile: `student.create` / `staff.create`,
or `user.create` on the assessment platform, and so on (`pick`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from homeroom.errors import InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.profiles import Profile
from homeroom.policy.world import INVITED, STAFF, STUDENT, Assignment, Ref, User
from homeroom.services import audit, disclosures
from homeroom.services.access import Access
from homeroom.services.authorization import accessible_page, authorize
from homeroom.services.impersonating import refuse_while_impersonating
from homeroom.services.logins import IssuedInvitation, new_invitation
from homeroom.services.passwords import check_password, hash_password
from homeroom.store import credentials
from homeroom.store import tables as t
from homeroom.store.accounts import policy_user, require_account, require_free_username, set_links
from homeroom.store.constraints import Request
from homeroom.store.facts import load_world
from homeroom.store.orgs import require_unique_source
from homeroom.store.rosters import add_user
from homeroom.store.versions import update_versioned

DETAIL_FIELDS: Final = ("username", "given_name", "family_name", "email", "source_id")


def pick(profile: Profile, *candidates: str) -> str:
    """The first permission of `candidates` the profile has (else the first: decide() will deny it)."""
    return next((p for p in candidates if p in profile.permissions), candidates[0])


def view_permission(profile: Profile, kind: str) -> str:
    return pick(profile, f"{kind}.view", "user.view")


@dataclass(frozen=True)
class AccountView:
    id: str
    kind: str
    username: str | None
    given_name: str
    family_name: str
    email: str | None
    status: str
    deleted: str
    orgs: tuple[str, ...]
    roles: tuple[Assignment, ...]
    teaches: tuple[str, ...]
    enrolled_in: tuple[str, ...]
    created_by: str | None
    version: int
    source_id: str | None = None  # the external id (OneRoster sourcedId, SCIM externalId)


def account_view(row: t.User, user: User) -> AccountView:
    return AccountView(
        row.id,
        row.kind,
        row.username,
        row.given_name,
        row.family_name,
        row.email,
        row.status,
        row.deleted,
        user.orgs,
        user.roles,
        user.teaches,
        user.enrolled_in,
        row.created_by,
        row.version,
        row.source_id,
    )


def read_account(access: Access, user_id: str) -> AccountView:
    return account_view(
        require_account(access.session, access.tenant_id, user_id),
        policy_user(access.session, access.tenant_id, user_id),
    )


@dataclass(frozen=True)
class NewAccount:
    kind: str
    username: str
    given_name: str = ""
    family_name: str = ""
    email: str | None = None
    password: str | None = None
    id: str | None = None
    role: str | None = None  # staff: the role held at `org`
    org: str | None = None  # staff: where the role is held; student: the home school
    classes: tuple[str, ...] = ()  # student: the classes they are enrolled in
    invite: bool = False
    source_id: str | None = None  # the external id (OneRoster sourcedId, SCIM externalId)


@dataclass(frozen=True)
class Created:
    account: AccountView
    invitation: IssuedInvitation | None = None


def create_account(access: Access, new: NewAccount) -> Created:
    """One new account, authorized as `student.create` / `staff.create` (or `user.create`)."""
    if new.kind == STUDENT:
        permission = pick(access.profile, "student.create", "user.create")
        targets = [Ref("class", c) for c in new.classes] or [Ref("org", _required(new.org, "org"))]
        decisions = [authorize(access, permission, target) for target in targets]
    else:
        permission = pick(access.profile, "staff.create", "user.create")
        target = Ref("org", _required(new.org, "org"))
        decisions = [authorize(access, permission, target, role=new.role)]
    return _write_account(access, new, permission, decisions[0])


def create_staff_bulk(access: Access, accounts: Sequence[NewAccount]) -> list[Created]:
    """Several staff accounts (`staff.create_bulk`): every (org, role) pair checked; all or nothing."""
    if not accounts:
        raise InvalidInput("a bulk create needs at least one account", code="empty_batch")
    decisions = {}
    for pair in dict.fromkeys((a.org, a.role) for a in accounts):
        target = Ref("org", _required(pair[0], "org"))
        decisions[pair] = authorize(access, "staff.create_bulk", target, role=pair[1])
    created = []
    for index, new in enumerate(accounts):
        if new.kind != STAFF:
            raise InvalidInput(f"accounts[{index}]: a bulk create makes staff accounts", code="invalid_kind")
        try:
            created.append(_write_account(access, new, "staff.create_bulk", decisions[(new.org, new.role)]))
        except InvalidInput as error:
            error.message = f"accounts[{index}]: {error.message}"
            error.args = (error.message,)
            raise
    return created


def create_authorized(access: Access, new: NewAccount, permission: str, decision: Decision) -> Created:
    """Write `new` for a use case that authorized it as `permission` itself (`class.add_new_student`)."""
    return _write_account(access, new, permission, decision)


def _required(value: str | None, name: str) -> str:
    if not value:
        raise InvalidInput(f"{name} is required", code="missing_field", details={"field": name})
    return value


def _write_account(access: Access, new: NewAccount, permission: str, decision: object) -> Created:
    session, tenant_id = access.session, access.tenant_id
    require_free_username(session, tenant_id, new.username)
    if new.invite and (new.kind != STAFF or "staff.setup_own_account" not in access.profile.permissions):
        raise InvalidInput(
            "only staff of a product with first-time set-up can be invited", code="no_invitations"
        )
    if new.password is not None:
        check_password(new.password, new.kind)
    user = _policy_value(access, new)
    add_user(session, tenant_id, user, access.profile, source_id=new.source_id)
    row = require_account(session, tenant_id, user.id)
    row.username, row.given_name, row.family_name, row.email = (
        new.username,
        new.given_name,
        new.family_name,
        new.email,
    )
    if new.password is not None:
        row.password_hash = hash_password(access.app.passwords, new.password)
    session.flush()
    invitation = new_invitation(access, user.id) if new.invite else None
    details = {
        "username": new.username,
        "kind": new.kind,
        "role": new.role,
        "org": new.org,
        "classes": list(new.classes),
        "invited": new.invite,
    }
    if new.source_id is not None:
        details["source_id"] = new.source_id
    audit.record(access, permission, Ref("user", user.id), decision=decision, details=details)  # type: ignore[arg-type]
    return Created(read_account(access, user.id), invitation)


def _policy_value(access: Access, new: NewAccount) -> User:
    user_id = new.id or f"u-{secrets.token_hex(6)}"
    status = INVITED if new.invite else "active"
    if new.kind == STUDENT:
        school = new.org or _school_of(access, new.classes[0])
        roles = tuple(Assignment(r, school) for r in student_roles(access.profile))
        return User(
            user_id,
            STUDENT,
            status,
            orgs=(school,),
            roles=roles,
            enrolled_in=new.classes,
            created_by=access.actor,
        )
    roles = (Assignment(new.role, _required(new.org, "org")),) if new.role else ()
    orgs = () if roles else (_required(new.org, "org"),)
    return User(user_id, STAFF, status, orgs=orgs, roles=roles, created_by=access.actor)


def student_roles(profile: Profile) -> list[str]:
    """The profile's roles for student accounts held at a school (district-license `student`)."""
    return [r.id for r in profile.roles.values() if r.account == STUDENT and "school" in r.assignable_at]


def _school_of(access: Access, class_id: str) -> str:
    world = load_world(access.session, access.tenant_id, users=(), refs=[Ref("class", class_id)])
    return world.classes[class_id].school


def get_account(access: Access, user_id: str) -> AccountView:
    """One account, if the caller may view it (`student.view` / `staff.view` / `user.view`)."""
    kind = _kind(access, user_id)
    permission = view_permission(access.profile, kind)
    decision = authorize(access, permission, Ref("user", user_id))
    if kind == STUDENT:
        audit.record(access, permission, Ref("user", user_id), decision=decision)
        disclosures.disclose(access, [user_id], disclosures.VIEW_PURPOSE, action=permission)
    return read_account(access, user_id)


def _kind(access: Access, user_id: str) -> str:
    row = access.session.get(t.User, (access.tenant_id, user_id))
    return row.kind if row is not None else STAFF  # a missing account: authorize() answers not found


@dataclass(frozen=True)
class AccountPage:
    items: list[AccountView]
    next_after: str | None


def list_accounts(
    access: Access, kind: str, *, permission: str | None = None, after: str | None = None, limit: int = 50
) -> AccountPage:
    """The accounts of `kind` the caller may act on with `permission` (default: view), in id order."""
    permission = permission or view_permission(access.profile, kind)
    page = accessible_page(access, Request(access.actor, permission, "user"), after=after, limit=limit)
    world = load_world(access.session, access.tenant_id, users=page.ids)
    rows = {
        r.id: r
        for r in access.session.query(t.User).filter(
            t.User.tenant_id == access.tenant_id, t.User.id.in_(page.ids)
        )
    }
    items = [account_view(rows[i], world.users[i]) for i in page.ids if rows[i].kind == kind]
    if kind == STUDENT and items:
        audit.record(access, permission, None, details={"listed": [a.id for a in items]})
    return AccountPage(items, page.next_after)


@dataclass(frozen=True)
class AccountChanges:
    values: dict[str, object] = field(default_factory=dict)  # username, given_name, family_name, email
    password: str | None = None
    status: str | None = None  # "active" or "inactive"


def edit_account(access: Access, user_id: str, changes: AccountChanges, *, expected: int) -> AccountView:
    """Edit details and password (`*.edit`), activate or deactivate (`staff.set_active` for staff)."""
    kind = _kind(access, user_id)
    target = Ref("user", user_id)
    needed = []
    if changes.values or changes.password is not None:
        needed.append(pick(access.profile, f"{kind}.edit", "user.edit"))
    if changes.status is not None:
        needed.append(
            pick(access.profile, "staff.set_active", "user.edit")
            if kind == STAFF
            else pick(access.profile, "student.edit", "user.edit")
        )
    if not needed:
        raise InvalidInput("nothing to change", code="empty_change")
    if changes.password is not None:
        refuse_while_impersonating(access, needed[0], target, "changing a password")
    decisions = {p: authorize(access, p, target) for p in dict.fromkeys(needed)}
    values = _validated_values(access, user_id, kind, changes)
    update_versioned(access.session, t.User, access.tenant_id, user_id, expected=expected, values=values)
    if changes.status == "inactive":
        credentials.end_all(access.session, access.tenant_id, user_id, now=access.now)
    changed = sorted(
        {*changes.values, *(["password"] if changes.password else [])}
        | ({"status"} if changes.status else set())
    )
    for permission, decision in decisions.items():
        audit.record(access, permission, target, decision=decision, details={"changed": changed})
    return read_account(access, user_id)


def _validated_values(access: Access, user_id: str, kind: str, changes: AccountChanges) -> dict[str, object]:
    values = dict(changes.values)
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}", code="unknown_field")
    if isinstance(values.get("username"), str):
        require_free_username(access.session, access.tenant_id, str(values["username"]), owner=user_id)
    if isinstance(values.get("source_id"), str):
        require_unique_source(
            access.session, t.User, access.tenant_id, str(values["source_id"]), owner=user_id
        )
    if changes.password is not None:
        check_password(changes.password, kind)
        values["password_hash"] = hash_password(access.app.passwords, changes.password)
    if changes.status is not None:
        current = require_account(access.session, access.tenant_id, user_id).status
        if changes.status not in ("active", "inactive") or current == INVITED:
            raise InvalidInput(
                f"cannot set status {changes.status!r} on a {current} account", code="invalid_status"
            )
        values["status"] = changes.status
    return values


def delete_account(access: Access, user_id: str, *, expected: int) -> None:
    """Soft-delete an account (`student.delete`, `student.delete_inactive`, `staff.delete`, `user.delete`)."""
    kind = _kind(access, user_id)
    candidates = ("student.delete", "student.delete_inactive") if kind == STUDENT else ("staff.delete",)
    permission = pick(access.profile, *candidates, "user.delete")
    target = Ref("user", user_id)
    decision = authorize(access, permission, target)
    update_versioned(
        access.session, t.User, access.tenant_id, user_id, expected=expected, values={"deleted": "soft"}
    )
    credentials.end_all(access.session, access.tenant_id, user_id, now=access.now)
    audit.record(access, permission, target, decision=decision)


def move_account(
    access: Access, user_id: str, to: Ref, *, from_class: str | None = None, expected: int
) -> AccountView:
    """Move a student to a class or school, a staff account to a school, a user to an org."""
    kind = _kind(access, user_id)
    target = Ref("user", user_id)
    staff_move = pick(access.profile, "staff.move", "user.change_org")
    permission = "student.move" if kind == STUDENT else staff_move
    decision = authorize(access, permission, target, to=to)
    user = policy_user(access.session, access.tenant_id, user_id)
    moved = _moved(access, user, to, from_class)
    set_links(access.session, access.tenant_id, moved, access.profile)
    update_versioned(access.session, t.User, access.tenant_id, user_id, expected=expected, values={})
    audit.record(access, permission, target, decision=decision, details={"to": str(to), "from": from_class})
    return read_account(access, user_id)


def _moved(access: Access, user: User, to: Ref, from_class: str | None) -> User:
    world = load_world(access.session, access.tenant_id, users=[user.id], refs=[to])
    school = world.classes[to.id].school if to.type == "class" else to.id
    if user.kind == STUDENT:
        keep = [c for c in user.enrolled_in if c != from_class and world.classes[c].school == school]
        enrolled = (*keep, to.id) if to.type == "class" and to.id not in keep else tuple(keep)
        roles = tuple(dict.fromkeys(Assignment(a.role, school) for a in user.roles))
        return user._replace(orgs=(school,), roles=roles, enrolled_in=enrolled)
    roles = tuple(dict.fromkeys(Assignment(a.role, school) for a in user.roles))
    teaches = tuple(c for c in user.teaches if world.classes[c].school == school)
    orgs = (school,) if user.orgs else ()
    return user._replace(orgs=orgs, roles=roles, teaches=teaches)


def grant_role(access: Access, user_id: str, role: str, at: str) -> AccountView:
    """Give `role` at `at` to an existing account (`role.grant`: R2 or the grant rule, P-PLACE)."""
    target = Ref("user", user_id)
    decision = authorize(access, "role.grant", target, role=role, at=Ref("org", at))
    user = policy_user(access.session, access.tenant_id, user_id)
    assignment = Assignment(role, at)
    if assignment in user.roles:
        raise InvalidInput(f"{user_id} already holds {assignment}", code="role_held")
    set_links(
        access.session, access.tenant_id, user._replace(roles=(*user.roles, assignment)), access.profile
    )
    update_versioned(access.session, t.User, access.tenant_id, user_id, expected=None, values={})
    audit.record(access, "role.grant", target, decision=decision, details={"role": role, "at": at})
    return read_account(access, user_id)


def revoke_role(access: Access, user_id: str, role: str, at: str) -> AccountView:
    """Take `role` at `at` away: allowed to whoever could grant it (a documented product decision)."""
    target = Ref("user", user_id)
    decision = authorize(access, "role.grant", target, role=role, at=Ref("org", at))
    user = policy_user(access.session, access.tenant_id, user_id)
    assignment = Assignment(role, at)
    if assignment not in user.roles:
        raise InvalidInput(f"{user_id} does not hold {assignment}", code="role_not_held")
    remaining = tuple(a for a in user.roles if a != assignment)
    set_links(access.session, access.tenant_id, user._replace(roles=remaining), access.profile)
    update_versioned(access.session, t.User, access.tenant_id, user_id, expected=None, values={})
    audit.record(access, "role.revoke", target, decision=decision, details={"role": role, "at": at})
    return read_account(access, user_id)
