"""A check request's first read, in one statement: the API token's holder, its tenant's name, profile and
revision, and every user the checks name with their links.

Read apart, the token (with the tenant's revision) and the users are two statements, and on PostgreSQL
with the transaction around them four round trips (BEGIN, the token, the users, COMMIT) in which the
worker's event loop answers nothing else. One statement is one round trip, and it reads one state of the
database: the revision that picks the tenant's snapshot (store/snapshots.py) and the users and links
decided on are of the same moment, which two statements under READ COMMITTED (or SQLite's per-statement
reads) do not promise.

The users are read for the token's tenant before anyone knows whether the token is valid or may ask
about them: the caller authenticates on the holder row first and uses the users only after that.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from homeroom.policy.world import ACTIVE, NOT_DELETED, User
from homeroom.store.credentials import TokenHolder
from homeroom.store.facts import PEOPLE_TEXT, users_of
from homeroom.store.raw import RawQuery, fetch
from homeroom.store.tenants import TenantHead

# The holder comes as two rows ahead of the users' (PEOPLE_TEXT's columns): link -1 with the account's
# state, the tenant's name and profile and the tenant's id as its position; link -2 with the revision as
# its position. The users' probes take the tenant from the holder (no token: no tenant, no users).
_HOLDER = """WITH holder AS (
    SELECT api_tokens.tenant_id, api_tokens.user_id, api_tokens.revoked_at, users.status, users.deleted,
    tenants.name, tenants.profile, tenants.revision
    FROM api_tokens JOIN tenants ON tenants.id = api_tokens.tenant_id
    LEFT OUTER JOIN users ON users.tenant_id = api_tokens.tenant_id AND users.id = api_tokens.user_id
    WHERE api_tokens.secret_hash = :digest)
SELECT h.user_id, -1, h.status, h.deleted, h.name, h.profile, h.tenant_id FROM holder AS h
UNION ALL SELECT CASE WHEN h.revoked_at IS NULL THEN NULL ELSE 'revoked' END, -2, NULL, NULL, NULL, NULL,
    h.revision FROM holder AS h
UNION ALL """
BEARER_AND_PEOPLE = RawQuery.of(
    _HOLDER
    + PEOPLE_TEXT.format(class_position="0").replace(":tenant", "(SELECT h.tenant_id FROM holder AS h)")
)


class Bearer(NamedTuple):
    holder: TokenHolder | None  # None: no token has this digest
    users: dict[str, User | None]  # every id asked: the user with its links, None if not found


def bearer_and_people(session: Session, digest: str, user_ids: Collection[str]) -> Bearer:
    """The token of this digest with its holder and tenant, and the users of `user_ids` in its tenant
    with their links (classes in key order: for deciding only), in one statement."""
    rows = fetch(session, BEARER_AND_PEOPLE, {"digest": digest, "ids": sorted(user_ids)})
    head = tail = None
    people: list[Any] = []
    for row in rows:
        if row[1] == -1:
            head = row
        elif row[1] == -2:  # the holder's second row: its revision
            tail = row
        else:
            people.append(row)
    found = users_of(people)
    users = {user_id: found.get(user_id) for user_id in user_ids}
    if head is None or tail is None:
        return Bearer(None, users)
    user_id, _link, status, deleted, name, profile, tenant_id = head
    usable = user_id is None or (status == ACTIVE and deleted == NOT_DELETED)
    tenant = TenantHead(name, profile, tail[6])
    return Bearer(TokenHolder(tenant_id, user_id, tail[0] is not None, usable, tenant), users)
