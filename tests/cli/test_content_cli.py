"""`homeroom content add` (operators) and `homeroom key generate` (as an account) on the Acme demo tenant."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select
from tests.cli.conftest import Invoke

from homeroom.config import Settings
from homeroom.scenarios.tenants import ensure_demo_tenant
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t


@pytest.fixture
def acme(db: str) -> str:
    runtime = Homeroom.open(Settings(database_url=db))
    try:
        return ensure_demo_tenant(runtime, "assessment-platform").name
    finally:
        runtime.close()


def _things(db: str, type_: str) -> list[t.Thing]:
    runtime = Homeroom.open(Settings(database_url=db))
    try:
        with runtime.sessions.begin() as session:
            rows = list(session.scalars(select(t.Thing).where(t.Thing.type == type_)))
            session.expunge_all()
            return rows
    finally:
        runtime.close()


def test_operators_add_a_partner_linked_to_its_account(homeroom: Invoke, db: str, acme: str) -> None:
    args = ("content", "add", "partner", "--tenant", acme, "--org", "acme", "--name", "Globex")
    added = homeroom(*args, "--account", "carl_creator", "--id", "globex", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["account"] == "carl_creator"
    [partner] = _things(db, "partner")
    assert (partner.id, partner.org_id, partner.account_id) == ("globex", "acme", "carl_creator")
    unknown = homeroom(*args, "--account", "nobody")
    assert unknown.exit_code == 1
    assert "user_not_found" in unknown.output
    assert homeroom("content", "add", "question", "--tenant", acme, "--name", "Q").exit_code == 2


def test_keys_are_generated_as_an_account_and_printed_once(homeroom: Invoke, db: str, acme: str) -> None:
    made = homeroom("key", "generate", "--tenant", acme, "--as", "sal_sales", "--org", "acme", "--count", "2")
    assert made.exit_code == 0, made.output
    codes = [line.split()[0] for line in made.stdout.splitlines()]
    stored = {row.secret_hash for row in _things(db, "key")}
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    refused = homeroom("key", "generate", "--tenant", acme, "--as", "carl_creator", "--org", "acme", "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"]["code"] == "forbidden"
    assert len(_things(db, "key")) == 2
