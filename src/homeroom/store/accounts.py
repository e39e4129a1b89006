"""Accounts beyond their policy facts: usernames, names, password hashes, and rewriting their links.

`set_links` replaces a user's home orgs, role assignments, teaching assignments and enrollments with the
ones of a new policy `User` value, after checking the result with the same validators `add_user` uses:
an invalid result raises and writes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from homeroom.errors import Conflict, InvalidInput, NotFound
from homeroom.policy.profiles import Profile
from homeroom.policy.world import Ref, User
from homeroom.store import reach
from homeroom.store import tables as t
from homeroom.store.facts import load_world
from homeroom.store.rosters import user_problem
from homeroom.store.tenants import advance_revision
from homeroom.store.worlds import link_batches

LINK_TABLES = (t.UserOrg, t.RoleAssignment, t.Teaching, t.Enrollment)


def get_account(session: Session, tenant_id: int, user_id: str) -> t.User | None:
    return session.get(t.User, (tenant_id, user_id))


def require_account(session: Session, tenant_id: int, user_id: str) -> t.User:
    row = get_account(session, tenant_id, user_id)
    if row is None:
        raise NotFound(f"there is no user {user_id!r}", code="user_not_found", details={"id": user_id})
    return row


def find_by_username(session: Session, tenant_id: int, username: str) -> t.User | None:
    return session.scalar(select(t.User).where(t.User.tenant_id == tenant_id, t.User.username == username))


def require_free_username(
    session: Session, tenant_id: int, username: str, *, owner: str | None = None
) -> None:
    taken = find_by_username(session, tenant_id, username)
    if taken is not None and taken.id != owner:
        raise Conflict(
            f"the username {username!r} is already taken",
            code="username_taken",
            details={"username": username},
        )


def policy_user(session: Session, tenant_id: int, user_id: str) -> User:
    """The account as the policy sees it: kind, status, links."""
    user = load_world(session, tenant_id, users=[user_id]).users.get(user_id)
    if user is None:
        raise NotFound(f"there is no user {user_id!r}", code="user_not_found", details={"id": user_id})
    return user


def set_links(session: Session, tenant_id: int, user: User, profile: Profile) -> None:
    """Replace the stored links of `user.id` with those of `user`, if the result is valid."""
    refs = [
        *(Ref("org", o) for o in (*user.orgs, *(a.org for a in user.roles))),
        *(Ref("class", c) for c in (*user.teaches, *user.enrolled_in)),
    ]
    world = load_world(session, tenant_id, users=(), refs=refs, roles=[a.role for a in user.roles])
    problem = user_problem(user, replace(world, users={**world.users, user.id: user}), profile)
    if problem is not None:
        raise InvalidInput(f"user {user.id!r}: {problem}", code="invalid_user", details={"user": user.id})
    for link in LINK_TABLES:
        session.execute(delete(link).where(link.tenant_id == tenant_id, link.user_id == user.id))
    for table, rows in link_batches(tenant_id, [user]):
        materialized = list(rows)
        if materialized:
            session.execute(insert(table), materialized)
    reach.refresh(session, tenant_id, [user.id])
    advance_revision(session, tenant_id)
