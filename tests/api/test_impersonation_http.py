"""Partner impersonation through HTTP: acting as the partner's account, for a limited time, on the record.

Sal (sales administrator at acme) impersonates the partner Globex, whose account gus_globex is a key
creator at acme. Every audit entry made meanwhile names Sal as the impersonator; bulk exports, new
credentials and nested impersonations are refused; the impersonation ends when stopped, when it expires
on the application's clock, or at once when Sal loses `partner.impersonate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.api.conftest import DemoTenant
from tests.services.conftest import FAST_HASHING

from homeroom.api.app import create_app
from homeroom.api.deps import IMPERSONATION_COOKIE
from homeroom.config import Settings
from homeroom.policy import registry
from homeroom.services.access import acting_as
from homeroom.services.content_operators import OperatorObject, add_object
from homeroom.services.impersonating import is_bulk_export
from homeroom.services.runtime import Homeroom
from homeroom.store.tenants import find_tenant_id

pytestmark = pytest.mark.db
PROFILE = "assessment-platform"
API = "/api/v1"
PASSWORD = "gus has a password"


def _partner(tenant: DemoTenant, *, account: str | None = "gus_globex", partner_id: str = "globex") -> None:
    """Gus's account (a key creator at acme) and the partner that signs in with it."""
    ada = tenant.login("ada_admin")
    if account is not None:
        body = {
            "kind": "staff",
            "username": account,
            "role": "key_creator",
            "org": "acme",
            "password": PASSWORD,
        }
        assert ada.post(f"{API}/users", json=body).status_code == 201
    with tenant.homeroom.sessions.begin() as session:
        tenant_id = find_tenant_id(session, tenant.name)
    assert tenant_id is not None
    new = OperatorObject("partner", "Globex", org="acme", account=account, id=partner_id)
    tenant.homeroom.work(acting_as(tenant_id, None), lambda a: add_object(a, new))


def _audit(tenant: DemoTenant) -> list[dict[str, object]]:
    items: list[dict[str, object]] = (
        tenant.login("ada_admin").get(f"{API}/audit", params={"limit": 1000}).json()["items"]
    )
    return items


def _user_id(tenant: DemoTenant, username: str) -> str:
    found = (
        tenant.login("ada_admin").get(f"{API}/users", params={"kind": "staff", "limit": 500}).json()["items"]
    )
    return next(u["id"] for u in found if u["username"] == username)


def test_impersonating_acts_as_the_partner_and_every_entry_names_the_impersonator(
    demo: Callable[[str], DemoTenant],
) -> None:
    acme = demo(PROFILE)
    _partner(acme)
    gus = _user_id(acme, "gus_globex")
    sal = acme.login("sal_sales")
    started = sal.post(f"{API}/partners/globex/impersonate")
    assert started.status_code == 201, started.text
    assert (started.json()["account"], started.json()["impersonator"]) == (gus, "sal_sales")
    assert sal.get(f"{API}/auth/me").json()["id"] == gus
    made = sal.post(f"{API}/keys", json={"org": "acme", "count": 1})
    assert made.status_code == 201, made.text
    assert sal.post(f"{API}/products", json={"org": "acme", "name": "Nope"}).status_code == 403
    assert sal.get(f"{API}/impersonation").json()["partner"] == "globex"
    stopped = sal.post(f"{API}/impersonation/stop")
    assert stopped.status_code == 200, stopped.text
    assert sal.get(f"{API}/auth/me").json()["id"] == "sal_sales"
    assert sal.get(f"{API}/impersonation").json()["code"] == "not_impersonating"

    entries = _audit(acme)
    as_gus = [e for e in entries if e["actor"] == gus]
    assert {(e["action"], e["allowed"]) for e in as_gus} >= {
        ("key.create", True),
        ("product.create", False),
        ("partner.impersonate.stop", True),
    }
    assert all(e["impersonator"] == "sal_sales" for e in as_gus)
    start = next(e for e in entries if e["action"] == "partner.impersonate")
    assert (start["actor"], start["impersonator"], start["target"]) == ("sal_sales", None, "partner:globex")
    assert start["details"]["account"] == gus  # type: ignore[index]


def test_bulk_exports_credentials_and_nesting_are_refused_while_impersonating(
    demo: Callable[[str], DemoTenant],
) -> None:
    acme = demo(PROFILE)
    _partner(acme)
    report = f"{API}/orgs/acme/reports/orders.csv"
    assert acme.login("gus_globex", PASSWORD).get(report).status_code == 200  # gus himself may export it
    sal = acme.login("sal_sales")
    assert sal.post(f"{API}/partners/globex/impersonate").status_code == 201
    refused = sal.get(report)
    assert refused.status_code == 403
    assert refused.json()["code"] == "impersonation_export_refused"
    assert sal.get(f"{API}/tests/unit_test/export").json()["code"] == "impersonation_export_refused"
    for response in (
        sal.post(f"{API}/auth/tokens", json={"name": "keep me"}),
        sal.patch(
            f"{API}/users/{_user_id(acme, 'gus_globex')}",
            json={"password": "taken over!"},
            headers={"If-Match": '"1"'},
        ),
        sal.post(f"{API}/partners/globex/impersonate"),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "impersonation_refused"
    assert sal.get(f"{API}/auth/tokens").json() == []
    refusals = [e for e in _audit(acme) if not e["allowed"] and e["impersonator"] == "sal_sales"]
    assert {e["action"] for e in refusals} >= {"report.export_orders", "test.export", "auth.token"}
    assert all(e["details"]["rule"] == "impersonation" for e in refusals)  # type: ignore[index]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked(database_url: str) -> Iterator[tuple[Homeroom, FastAPI, Clock]]:
    """An application on the test database whose clock the test moves; impersonations last 20 minutes."""
    settings = Settings(database_url=database_url, impersonation_minutes=20, **FAST_HASHING)  # type: ignore[arg-type]
    app = Homeroom.open(settings)
    clock = Clock()
    app.clock = clock
    yield app, create_app(homeroom=app), clock
    app.close()


def test_an_impersonation_expires_on_the_applications_clock(clocked: tuple[Homeroom, FastAPI, Clock]) -> None:
    homeroom, api, clock = clocked
    acme = DemoTenant(api, homeroom, PROFILE)
    _partner(acme)
    sal = acme.login("sal_sales")
    started = sal.post(f"{API}/partners/globex/impersonate").json()
    assert datetime.fromisoformat(started["expires_at"]) == clock.now + timedelta(minutes=20)
    clock.now += timedelta(minutes=19, seconds=59)
    assert sal.get(f"{API}/auth/me").json()["username"] == "gus_globex"
    clock.now += timedelta(seconds=1)
    ended = sal.get(f"{API}/auth/me")
    assert ended.status_code == 401
    sal.cookies.delete(IMPERSONATION_COOKIE)
    assert sal.get(f"{API}/auth/me").json()["id"] == "sal_sales"  # the impersonator's own session lives on


def test_losing_the_permission_ends_the_impersonation_at_once(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    _partner(acme)
    sal = acme.login("sal_sales")
    assert sal.post(f"{API}/partners/globex/impersonate").status_code == 201
    assert sal.get(f"{API}/auth/me").status_code == 200
    revoked = acme.login("ada_admin").delete(f"{API}/users/sal_sales/roles/sales_administrator/acme")
    assert revoked.status_code == 200, revoked.text
    ended = sal.get(f"{API}/auth/me")
    assert ended.status_code == 401
    assert ended.json()["code"] == "impersonation_ended"


def test_who_may_impersonate_and_whom(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    _partner(acme)
    _partner(acme, account=None, partner_id="initech")
    carl = acme.login("carl_creator")
    assert carl.post(f"{API}/partners/globex/impersonate").status_code == 403  # no partner.impersonate
    assert carl.get(f"{API}/auth/me").json()["id"] == "carl_creator"
    sal = acme.login("sal_sales")
    assert sal.post(f"{API}/partners/nowhere/impersonate").status_code == 404
    no_account = sal.post(f"{API}/partners/initech/impersonate")
    assert no_account.status_code == 409
    assert no_account.json()["code"] == "partner_without_account"
    assert sal.get(f"{API}/partners", params={"limit": 10}).json()["items"][0]["id"] == "globex"


def test_a_bearer_token_client_impersonates_with_the_cookie(demo: Callable[[str], DemoTenant]) -> None:
    acme = demo(PROFILE)
    _partner(acme)
    token = acme.login("sal_sales").post(f"{API}/auth/tokens", json={"name": "portal"}).json()["token"]
    client = TestClient(acme.api)
    client.headers["Authorization"] = f"Bearer {token}"
    started = client.post(f"{API}/partners/globex/impersonate")
    assert started.status_code == 201, started.text
    client.headers["X-CSRF-Token"] = started.json()["csrf_token"]
    assert client.get(f"{API}/auth/me").json()["username"] == "gus_globex"
    assert client.post(f"{API}/impersonation/stop").status_code == 200
    assert client.get(f"{API}/auth/me").json()["id"] == "sal_sales"


def test_the_refused_exports_are_every_export_print_and_bulk_permission() -> None:
    refused = {p for p in registry.catalog().permissions if is_bulk_export(p)}
    assert refused == {
        "class.print_cards",
        "class.print_roster",
        "report.export_billing",
        "report.export_orders",
        "report.export_student_data",
        "report.export_usage",
        "roster.bulk_import",
        "staff.create_bulk",
        "student.print_card",
        "test.export",
    }
