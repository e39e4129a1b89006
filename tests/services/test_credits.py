"""Export credits in the Cedar Falls district: funding, passing to schools, allocating, spending, reading.

The hammer test runs allocations and spending from many threads at once and then checks the ledger to
the unit: every holder's balance equals the sum of its ledger deltas, no balance is negative, and the
ledger holds exactly the requests that succeeded.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant

from homeroom.errors import Conflict, Forbidden, InvalidInput, NotFound
from homeroom.services import export_credits
from homeroom.services.access import acting_as
from homeroom.services.audit import verify
from homeroom.store import tables as t

pytestmark = pytest.mark.db


@pytest.fixture
def cedar(tenant_of: Callable[[str], Tenant]) -> Tenant:
    return tenant_of("district-license")


def _fund(tenant: Tenant, amount: int = 100) -> None:
    tenant.as_("dana_district", lambda a: export_credits.transact(a, "cedar_falls", amount, "PO-1"))


def _balances(tenant: Tenant) -> dict[str, int]:
    b = t.CreditBalance
    rows = tenant.read(
        lambda s: list(
            s.execute(select(b.holder_type, b.holder_id, b.balance).where(b.tenant_id == tenant.id))
        )
    )
    return {f"{kind}:{holder}": int(balance) for kind, holder, balance in rows}


def _ledger(tenant: Tenant) -> list[t.CreditEntry]:
    e = t.CreditEntry
    return tenant.read(lambda s: list(s.scalars(select(e).where(e.tenant_id == tenant.id).order_by(e.seq))))


def _audit(tenant: Tenant) -> list[tuple[str, bool, str | None, str]]:
    a = t.AuditEntry
    rows = tenant.read(lambda s: list(s.scalars(select(a).where(a.tenant_id == tenant.id).order_by(a.seq))))
    return [(r.action, r.allowed, r.target_id, r.details) for r in rows]


def test_the_district_administrator_funds_the_district_pool(cedar: Tenant) -> None:
    statement = cedar.as_("dana_district", lambda a: export_credits.transact(a, "cedar_falls", 100, "PO-7"))
    assert (statement.holder, statement.balance) == ("org:cedar_falls", 100)
    [line] = statement.entries
    assert (line.delta, line.balance_after, line.reason, line.actor) == (100, 100, "PO-7", "dana_district")
    assert _balances(cedar) == {"org:cedar_falls": 100}
    assert cedar.read(lambda s: verify(s, cedar.id)).intact
    action, allowed, target, _details = _audit(cedar)[-1]
    assert (action, allowed, target) == ("billing.transact", True, "cedar_falls")


def test_only_the_district_administrator_transacts(cedar: Tenant) -> None:
    with pytest.raises(Forbidden):  # a school administrator sees the district but holds no billing
        cedar.as_("priya_principal", lambda a: export_credits.transact(a, "cedar_falls", 5, "x"))
    with pytest.raises(Forbidden):  # billing.transact is held at the district itself only
        cedar.as_("dana_district", lambda a: export_credits.transact(a, "oak_elem", 5, "x"))
    assert _balances(cedar) == {}
    denied = [(a, ok, target) for a, ok, target, _ in _audit(cedar)]
    assert denied == [("billing.transact", False, "cedar_falls"), ("billing.transact", False, "oak_elem")]


@pytest.mark.parametrize("amount", [0, -3, 1_000_001])
def test_amounts_are_checked(cedar: Tenant, amount: int) -> None:
    with pytest.raises(InvalidInput, match=f"amount {amount} is out of range"):
        cedar.as_("dana_district", lambda a: export_credits.transact(a, "cedar_falls", amount, "x"))
    assert _balances(cedar) == {}


def test_the_district_passes_credits_to_a_school_and_the_school_allocates_them(cedar: Tenant) -> None:
    _fund(cedar)
    cedar.as_(
        "dana_district",
        lambda a: export_credits.transact(a, "oak_elem", 20, "term 1", from_org="cedar_falls"),
    )
    got = cedar.as_(
        "priya_principal", lambda a: export_credits.allocate(a, "sam_student", 5, from_org="oak_elem")
    )
    assert (got.holder, got.balance) == ("user:sam_student", 5)
    assert got.entries[0].counterpart == "org:oak_elem"
    assert _balances(cedar) == {"org:cedar_falls": 80, "org:oak_elem": 15, "user:sam_student": 5}
    pool = cedar.as_("priya_principal", lambda a: export_credits.org_statement(a, "oak_elem"))
    assert [(x.delta, x.balance_after, x.counterpart) for x in pool.entries] == [
        (-5, 15, "user:sam_student"),
        (20, 20, "org:cedar_falls"),
    ]


def test_a_district_cannot_pass_credits_outside_its_schools(cedar: Tenant) -> None:
    _fund(cedar)
    with pytest.raises(NotFound, match="there is no org 'nowhere'"):
        cedar.as_(
            "dana_district", lambda a: export_credits.transact(a, "nowhere", 5, "x", from_org="cedar_falls")
        )
    with pytest.raises(InvalidInput, match="not below"):
        cedar.as_(
            "dana_district",
            lambda a: export_credits.transact(a, "cedar_falls", 5, "x", from_org="cedar_falls"),
        )
    assert _balances(cedar) == {"org:cedar_falls": 100}


def test_a_school_administrator_spends_only_the_school_pool(cedar: Tenant) -> None:
    _fund(cedar)
    with pytest.raises(Forbidden, match="no scope that covers org:cedar_falls") as raised:
        cedar.as_(
            "priya_principal", lambda a: export_credits.allocate(a, "sam_student", 5, from_org="cedar_falls")
        )
    assert raised.value.code == "pool_out_of_scope"
    with pytest.raises(NotFound, match="there is no org 'pine_high'"):
        cedar.as_(
            "priya_principal", lambda a: export_credits.allocate(a, "sam_student", 5, from_org="pine_high")
        )
    assert _balances(cedar) == {"org:cedar_falls": 100}
    denials = [(a, target, d) for a, ok, target, d in _audit(cedar) if not ok]
    assert [(a, target) for a, target, _ in denials] == [("export_credit.allocate", "sam_student")] * 2
    assert '"from": "org:cedar_falls"' in denials[0][2]
    assert '"rule": "pool"' in denials[0][2]


def test_the_pool_must_lie_above_the_account(cedar: Tenant) -> None:
    _fund(cedar)
    cedar.as_(
        "dana_district", lambda a: export_credits.transact(a, "oak_elem", 10, "x", from_org="cedar_falls")
    )
    with pytest.raises(Forbidden, match="eli_educator is not a member of org:oak_elem"):
        cedar.as_(
            "dana_district", lambda a: export_credits.allocate(a, "eli_educator", 1, from_org="oak_elem")
        )
    got = cedar.as_(
        "dana_district", lambda a: export_credits.allocate(a, "eli_educator", 3, from_org="cedar_falls")
    )
    assert got.balance == 3


def test_allocating_to_an_invisible_account_is_not_found(cedar: Tenant) -> None:
    _fund(cedar)
    with pytest.raises(NotFound, match="there is no user 'sofia_student'"):
        cedar.as_(
            "priya_principal", lambda a: export_credits.allocate(a, "sofia_student", 1, from_org="oak_elem")
        )
    with pytest.raises(Forbidden):  # educators see students but allocate nothing
        cedar.as_(
            "emma_educator", lambda a: export_credits.allocate(a, "sam_student", 1, from_org="oak_elem")
        )
    assert _balances(cedar) == {"org:cedar_falls": 100}


def test_an_allocation_beyond_the_pool_changes_nothing(cedar: Tenant) -> None:
    _fund(cedar, 4)
    with pytest.raises(Conflict, match="org:cedar_falls has 4 export credits, 5 were asked for") as raised:
        cedar.as_(
            "dana_district", lambda a: export_credits.allocate(a, "sam_student", 5, from_org="cedar_falls")
        )
    assert raised.value.code == "insufficient_credits"
    assert _balances(cedar) == {"org:cedar_falls": 4}
    assert len(_ledger(cedar)) == 1


def test_exports_consume_the_account_credits(cedar: Tenant) -> None:
    _fund(cedar)
    cedar.as_(
        "dana_district", lambda a: export_credits.allocate(a, "emma_educator", 2, from_org="cedar_falls")
    )
    left = cedar.as_(
        "emma_educator", lambda a: export_credits.consume_credit(a, "emma_educator", 1, "export x")
    )
    assert left == 1
    with pytest.raises(Conflict, match="user:emma_educator has 1 export credits, 2 were asked for"):
        cedar.as_("emma_educator", lambda a: export_credits.consume_credit(a, "emma_educator", 2, "export y"))
    own = cedar.as_("emma_educator", lambda a: export_credits.user_statement(a, "emma_educator"))
    assert [(x.delta, x.reason) for x in own.entries] == [
        (-1, "export x"),
        (2, "allocated from org:cedar_falls"),
    ]
    assert ("export_credit.consume", True, "emma_educator") in [(a, ok, x) for a, ok, x, _ in _audit(cedar)]


def test_who_reads_a_pool(cedar: Tenant) -> None:
    _fund(cedar)
    assert cedar.as_("dana_district", lambda a: export_credits.org_statement(a, "oak_elem")).balance == 0
    assert (
        cedar.as_("priya_principal", lambda a: export_credits.org_statement(a, "oak_elem")).holder
        == "org:oak_elem"
    )
    with pytest.raises(Forbidden):
        cedar.as_("priya_principal", lambda a: export_credits.org_statement(a, "cedar_falls"))
    with pytest.raises(Forbidden):
        cedar.as_("emma_educator", lambda a: export_credits.org_statement(a, "oak_elem"))
    with pytest.raises(NotFound):
        cedar.as_("emma_educator", lambda a: export_credits.org_statement(a, "pine_high"))
    with pytest.raises(NotFound):
        cedar.as_("emma_educator", lambda a: export_credits.user_statement(a, "eli_educator"))


def test_the_ledger_pages_newest_first(cedar: Tenant) -> None:
    for _ in range(5):
        _fund(cedar, 1)
    first = cedar.as_("dana_district", lambda a: export_credits.org_statement(a, "cedar_falls", limit=2))
    assert [x.seq for x in first.entries] == [5, 4]
    assert first.next_before == 4
    rest = cedar.as_(
        "dana_district", lambda a: export_credits.org_statement(a, "cedar_falls", before=2, limit=2)
    )
    assert [x.seq for x in rest.entries] == [1]
    assert rest.next_before is None


# -- the hammer ---------------------------------------------------------------------------------------

THREADS = 8
ATTEMPTS = 15
FUNDS = 40
ACCOUNTS = ("sam_student", "priya_principal", "emma_educator")


def _hammer(
    cedar: Tenant, worker: int, results: dict[str, tuple[str, str, int]], failures: list[str]
) -> None:
    chooser = random.Random(worker)
    for attempt in range(ATTEMPTS):
        request_id = f"h{worker}-{attempt}"
        account, amount = chooser.choice(ACCOUNTS), chooser.randint(1, 3)
        op = "consume" if attempt % 3 == 2 else "allocate"  # spend from accounts while others fill them
        use_case = (
            partial(export_credits.consume_credit, user_id=account, n=amount, reason="export")
            if op == "consume"
            else partial(export_credits.allocate, user_id=account, amount=amount, from_org="cedar_falls")
        )
        try:
            cedar.app.work(acting_as(cedar.id, "dana_district"), use_case, request_id=request_id)
        except Conflict as error:
            failures.append(error.code)
        else:
            results[request_id] = (op, account, amount)


def test_concurrent_allocations_never_overspend(cedar: Tenant) -> None:
    cedar.app.work(
        acting_as(cedar.id, "dana_district"),
        lambda a: export_credits.transact(a, "cedar_falls", FUNDS, "PO-hammer"),
        request_id="fund",
    )
    results: dict[str, tuple[str, str, int]] = {}
    failures: list[str] = []
    threads = [threading.Thread(target=_hammer, args=(cedar, w, results, failures)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) + len(failures) == THREADS * ATTEMPTS  # every request either succeeded or conflicted
    assert set(failures) == {"insufficient_credits"}  # demand (about 240) exceeds the 40 credits
    _check_ledger(cedar, results)


def _check_ledger(cedar: Tenant, results: dict[str, tuple[str, str, int]]) -> None:
    balances, ledger = _balances(cedar), _ledger(cedar)
    assert all(balance >= 0 for balance in balances.values())
    assert all(row.balance_after >= 0 for row in ledger)
    by_holder: dict[str, list[t.CreditEntry]] = defaultdict(list)
    for row in ledger:
        by_holder[f"{row.holder_type}:{row.holder_id}"].append(row)
    for holder, rows in by_holder.items():
        assert sum(r.delta for r in rows) == balances[holder], holder
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1)), holder
        assert rows[-1].balance_after == balances[holder], holder
    assert {r.request_id for r in ledger} == {"fund", *results}
    by_request: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in ledger:
        by_request[row.request_id].append((f"{row.holder_type}:{row.holder_id}", row.delta))
    for request_id, (op, account, amount) in results.items():
        expected = [(f"user:{account}", -amount)]
        if op == "allocate":
            expected = [("org:cedar_falls", -amount), (f"user:{account}", amount)]
        assert sorted(by_request[request_id]) == sorted(expected), request_id
    allocated = sum(n for op, _, n in results.values() if op == "allocate")
    consumed = sum(n for op, _, n in results.values() if op == "consume")
    assert balances["org:cedar_falls"] == FUNDS - allocated
    assert sum(balances.values()) == FUNDS - consumed
