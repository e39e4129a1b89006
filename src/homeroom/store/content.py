"""The assessment platform's objects as rows: questions, tests, media, ... notifications, and test launches.

One table (`objects`) holds every type; a row's policy facts (type, org, creator, lifecycle, published,
recipient) are what store/facts.py loads, and its content (name, status, a JSON body, a question's
workflow, a partner's account, a key's SHA-256) is what the services read and write. Lists page through
the SQL twin of the policy (twin.accessible), narrowed to one org when asked, in id order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeroom.errors import Conflict
from homeroom.policy.profiles import Profile
from homeroom.policy.world import NOT_DELETED, PURGED
from homeroom.store import tables as t
from homeroom.store import twin
from homeroom.store.anchors import target_for
from homeroom.store.constraints import Request
from homeroom.store.tenants import advance_revision
from homeroom.store.versions import update_versioned


@dataclass(frozen=True)
class NewThing:
    """A new object's row (its content as already validated JSON text)."""

    id: str
    type: str
    org: str | None
    name: str
    body: str
    status: str = ""
    created_by: str | None = None
    at: datetime | None = None
    recipient: str | None = None
    account: str | None = None
    secret_hash: str | None = None


def get(session: Session, tenant_id: int, object_id: str) -> t.Thing | None:
    """The row, read fresh (a unit of work may have changed it with a bulk UPDATE)."""
    return session.get(t.Thing, (tenant_id, object_id), populate_existing=True)


def id_taken(session: Session, tenant_id: int, object_id: str) -> bool:
    """Is `object_id` already an object's or an assessment's id? (facts load both by id)."""
    for table in (t.Thing, t.Assessment):
        if session.scalar(select(table.id).where(table.tenant_id == tenant_id, table.id == object_id)):
            return True
    return False


def add(session: Session, tenant_id: int, new: NewThing) -> t.Thing:
    row = t.Thing(
        tenant_id=tenant_id,
        id=new.id,
        type=new.type,
        org_id=new.org,
        deleted=NOT_DELETED,
        created_by=new.created_by,
        published=False,
        recipient_id=new.recipient,
        account_id=new.account,
        secret_hash=new.secret_hash,
        name=new.name,
        status=new.status,
        body=new.body,
        created_at=new.at,
        updated_at=new.at,
        updated_by=new.created_by,
        version=1,
    )
    session.add(row)
    session.flush()
    advance_revision(session, tenant_id)
    return row


def change(
    session: Session,
    tenant_id: int,
    object_id: str,
    *,
    expected: int | None,
    values: dict[str, Any],
    facts_changed: bool = False,
) -> int:
    """Write `values` (optimistically: `expected` is the version read); the new version."""
    version = update_versioned(session, t.Thing, tenant_id, object_id, expected=expected, values=values)
    if facts_changed:
        advance_revision(session, tenant_id)
    return version


def rows(session: Session, tenant_id: int, ids: Sequence[str]) -> list[t.Thing]:
    """The rows of `ids`, in that order (ids without a row are left out)."""
    if not ids:
        return []
    found = {
        r.id: r
        for r in session.scalars(select(t.Thing).where(t.Thing.tenant_id == tenant_id, t.Thing.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class Page:
    ids: tuple[str, ...]
    next_after: str | None


def page(  # noqa: PLR0913 - the request and its narrowing
    session: Session,
    tenant_id: int,
    profile: Profile,
    request: Request,
    *,
    org: str | None,
    after: str | None,
    limit: int,
) -> Page:
    """One page, in id order, of the objects `request` allows (the twin), in `org` when given."""
    statement = twin.accessible(session, tenant_id, profile, request)
    if org is not None:
        statement = statement.where(target_for(request.target_type).entity.org_id == org)
    return _page(session, statement, after, limit)


def page_in_orgs(  # noqa: PLR0913 - the request and its narrowing
    session: Session,
    tenant_id: int,
    profile: Profile,
    request: Request,
    type_: str,
    *,
    org: str | None,
    after: str | None,
    limit: int,
) -> Page:
    """One page of the live objects of `type_` placed at an org that `request` (on orgs) allows."""
    orgs = twin.accessible(session, tenant_id, profile, request)
    o = t.Thing
    statement = select(o.id).where(
        o.tenant_id == tenant_id, o.type == type_, o.deleted == NOT_DELETED, o.org_id.in_(orgs)
    )
    if org is not None:
        statement = statement.where(o.org_id == org)
    return _page(session, statement, after, limit)


def _page(session: Session, statement: Any, after: str | None, limit: int) -> Page:
    column = statement.selected_columns[0]
    if after is not None:
        statement = statement.where(column > after)
    ids = tuple(session.scalars(statement.order_by(column).limit(limit + 1)))
    if len(ids) > limit:
        return Page(ids[:limit], ids[limit - 1])
    return Page(ids, None)


def live_in_org(session: Session, tenant_id: int, type_: str, org: str, ids: Collection[str]) -> set[str]:
    """Which of `ids` are live objects of `type_` placed at `org`."""
    if not ids:
        return set()
    o = t.Thing
    return set(
        session.scalars(
            select(o.id).where(
                o.tenant_id == tenant_id,
                o.type == type_,
                o.org_id == org,
                o.deleted == NOT_DELETED,
                o.id.in_(ids),
            )
        )
    )


def purge(
    session: Session, tenant_id: int, object_id: str, *, expected: int | None, at: datetime, by: str
) -> int:
    """Delete permanently: the row stays as a tombstone (audit entries name it) with its content erased."""
    values: dict[str, Any] = {
        "deleted": PURGED,
        "name": "",
        "body": "{}",
        "status": "",
        "workflow_id": None,
        "account_id": None,
        "secret_hash": None,
        "published": False,
        "updated_at": at,
        "updated_by": by,
    }
    return change(session, tenant_id, object_id, expected=expected, values=values, facts_changed=True)


def find_key(session: Session, secret_hash: str) -> t.Thing | None:
    return session.scalar(select(t.Thing).where(t.Thing.secret_hash == secret_hash))


def require_unused_hash(session: Session, secret_hash: str) -> None:
    if find_key(session, secret_hash) is not None:  # 100 random bits: in practice never
        raise Conflict("a generated key collided with an existing one: generate again", code="key_collision")


# -- test launches --


@dataclass(frozen=True)
class NewLaunch:
    id: str
    test_id: str
    user_id: str
    impersonator_id: str | None
    at: datetime
    request_id: str


def add_launch(session: Session, tenant_id: int, new: NewLaunch) -> None:
    session.add(
        t.Launch(
            tenant_id=tenant_id,
            id=new.id,
            test_id=new.test_id,
            user_id=new.user_id,
            impersonator_id=new.impersonator_id,
            at=new.at,
            request_id=new.request_id,
        )
    )
    session.flush()


def launch_count(session: Session, tenant_id: int, test_id: str) -> int:
    launches = t.Launch
    statement = select(func.count()).where(launches.tenant_id == tenant_id, launches.test_id == test_id)
    return int(session.scalar(statement) or 0)


def objects_at(
    session: Session, tenant_id: int, org: str, types: Collection[str], *, status: str | None = None
) -> list[t.Thing]:
    """The live objects of `types` placed at `org`, in id order (reports)."""
    o = t.Thing
    statement = select(o).where(
        o.tenant_id == tenant_id, o.org_id == org, o.type.in_(types), o.deleted == NOT_DELETED
    )
    if status is not None:
        statement = statement.where(o.status == status)
    return list(session.scalars(statement.order_by(o.id)))


def launches_at(session: Session, tenant_id: int, org: str) -> list[tuple[t.Launch, str]]:
    """Every launch of a test placed at `org`, oldest first, with the test's name (usage reports)."""
    launch, o = t.Launch, t.Thing
    statement = (
        select(launch, o.name)
        .join(o, (o.tenant_id == launch.tenant_id) & (o.id == launch.test_id))
        .where(launch.tenant_id == tenant_id, o.org_id == org)
        .order_by(launch.id)
    )
    return [(row[0], row[1]) for row in session.execute(statement)]
