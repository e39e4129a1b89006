"""New orgs of an import written in one batch (store/roster_objects.py, `add_roster_orgs`): the same org and
closure rows as `add_org` one at a time, and the same refusals, with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from tests.sync.conftest import District

from homeroom.errors import Conflict, InvalidInput
from homeroom.policy.world import Org
from homeroom.store import tables as t
from homeroom.store.orgs import add_org
from homeroom.store.roster_objects import StoredOrg, add_roster_orgs

pytestmark = pytest.mark.db


def _batch(root: str) -> list[StoredOrg]:
    """Parents first: a district under the root with two schools, a group under the root, and a school
    under the stored district `n-d0` (its closure rows come from the stored ones)."""
    return [
        StoredOrg("n-d1", "district", root, "src-d1", "North", True, "none"),
        StoredOrg("n-s1", "school", "n-d1", "src-s1", "North One", True, "none"),
        StoredOrg("n-s2", "school", "n-d1", None, "North Two", False, "soft"),
        StoredOrg("n-g1", "school_group", root, "src-g1", "Group", True, "none"),
        StoredOrg("n-s3", "school", "n-d0", "src-s3", "Under stored", True, "none"),
    ]


def _with_stored_district(d: District) -> None:
    with d.app.sessions.begin() as session:
        add_org(session, d.tenant_id, Org("n-d0", "district", d.root), source_id="src-d0")


def _rows(session: Session, d: District) -> dict[str, list[tuple[Any, ...]]]:
    """The tenant's orgs and closure rows whose ids start with `n-`, the root's id written as ROOT."""
    found = {}
    for table in (t.Org, t.OrgClosure):
        column = table.id if table is t.Org else table.descendant_id
        keys = list(table.__table__.primary_key.columns)
        query = select(table.__table__).where(table.tenant_id == d.tenant_id, column.startswith("n-"))
        found[table.__tablename__] = [
            tuple("ROOT" if v == d.root else v for v in tuple(r)[1:])
            for r in session.execute(query.order_by(*keys))
        ]
    return found


def test_a_batch_writes_what_add_org_writes_one_by_one(district: Callable[..., District]) -> None:
    batched, one_by_one = district(kind="customer"), district(kind="customer")
    for d in (batched, one_by_one):
        _with_stored_district(d)
    with batched.app.sessions.begin() as session:
        add_roster_orgs(session, batched.tenant_id, _batch(batched.root))
    with one_by_one.app.sessions.begin() as session:
        for o in _batch(one_by_one.root):
            tenant = one_by_one.tenant_id
            add_org(session, tenant, Org(o.id, o.kind, o.parent_id, deleted=o.deleted), source_id=o.source_id)
            session.execute(
                update(t.Org)
                .where(t.Org.tenant_id == tenant, t.Org.id == o.id)
                .values(name=o.name, active=o.active)
                .execution_options(synchronize_session=False)
            )
    with batched.app.sessions.begin() as a, one_by_one.app.sessions.begin() as b:
        written = _rows(a, batched)
        assert written == _rows(b, one_by_one)
    assert len(written["orgs"]) == 6
    assert ("n-s3", "ROOT", 2) in written["org_closure"]  # the stored district's chain, one deeper
    assert ("n-s1", "ROOT", 2) in written["org_closure"]  # a new district's chain


@pytest.mark.parametrize(
    ("org", "error", "code"),
    [
        (StoredOrg("n-d0", "district", "ROOT", None, "Again", True, "none"), Conflict, "org_exists"),
        (StoredOrg("n-d9", "district", "ROOT", "src-d0", "Same source", True, "none"), Conflict,
         "duplicate_external_id"),
        (StoredOrg("n-s9", "school", "ROOT", "src-s9", "Under the customer", True, "none"), InvalidInput,
         "invalid_parent"),
        (StoredOrg("n-s9", "school", "n-nowhere", "src-s9", "No parent", True, "none"), InvalidInput,
         "invalid_parent"),
    ],
)  # fmt: skip
def test_a_batch_refuses_what_add_org_refuses_and_writes_nothing(
    district: Callable[..., District], org: StoredOrg, error: type[Exception], code: str
) -> None:
    d = district(kind="customer")
    _with_stored_district(d)
    wanted = StoredOrg(org.id, org.kind, d.root if org.parent_id == "ROOT" else org.parent_id,
                       org.source_id, org.name, org.active, org.deleted)  # fmt: skip
    first = StoredOrg("n-d1", "district", d.root, "src-d1", "Fine", True, "none")
    with d.app.sessions.begin() as session:
        before = _rows(session, d)
        with pytest.raises(error) as raised:
            add_roster_orgs(session, d.tenant_id, [first, wanted])
        assert getattr(raised.value, "code", None) == code
        assert _rows(session, d) == before  # not even the valid org before it
