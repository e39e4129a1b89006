"""Every row of the district-license chart through HTTP, as the Cedar Falls personas."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.api.chart_cases import (
    Case,
    allowed_succeeds,
    delete,
    denied_changes_nothing,
    field,
    get,
    patch,
    post,
    put,
    users_named,
)
from tests.api.conftest import DemoTenant

from homeroom.policy import registry

pytestmark = pytest.mark.db
PROFILE = "district-license"
ADMIN = "dana_district"
U = "/api/v1/users"

CASES = [
    Case("student.view", "emma_educator", "eli_educator", get(f"{U}/sam_student"), shows="sam_student"),
    Case("staff.view", "priya_principal", "eli_educator", get(f"{U}/emma_educator"), shows="emma_educator"),
    Case(
        "student.edit",
        "emma_educator",
        "eli_educator",
        patch(f"{U}/sam_student", {"given_name": "Samuel"}),
        field(f"{U}/sam_student", "given_name"),
    ),
    Case(
        "staff.edit",
        "priya_principal",
        "eli_educator",
        patch(f"{U}/emma_educator", {"family_name": "E."}),
        field(f"{U}/emma_educator", "family_name"),
    ),
    Case(
        "org.edit_settings",
        "priya_principal",
        "emma_educator",
        put("/api/v1/orgs/oak_elem/settings/homework_reminders", {"value": True}),
        field("/api/v1/orgs/oak_elem/settings"),
    ),
    Case(
        "billing.transact",
        ADMIN,
        "priya_principal",
        post("/api/v1/orgs/cedar_falls/credits", {"amount": 100, "note": "purchase order 17"}),
        field("/api/v1/orgs/cedar_falls/credits", "balance"),
    ),
    Case(
        "staff.create",
        "priya_principal",
        "emma_educator",
        post(
            U,
            {
                "kind": "staff",
                "username": "new_educator",
                "role": "educator",
                "org": "oak_elem",
                "password": "a long password",
            },
        ),
        users_named("new_educator"),
    ),
    Case(
        "role.grant",
        "priya_principal",
        "emma_educator",
        post(f"{U}/emma_educator/roles", {"role": "school_admin", "at": "oak_elem"}),
        field(f"{U}/emma_educator", "roles"),
    ),
    Case(
        "student.move",
        ADMIN,
        "priya_principal",
        post(f"{U}/sam_student/move", {"to": "org:pine_high"}, versioned=f"{U}/sam_student"),
        field(f"{U}/sam_student", "orgs"),
    ),
    Case(
        "staff.move",
        ADMIN,
        "priya_principal",
        post(f"{U}/emma_educator/move", {"to": "org:pine_high"}, versioned=f"{U}/emma_educator"),
        field(f"{U}/emma_educator", "roles"),
    ),
    Case(
        "student.delete",
        ADMIN,
        "priya_principal",
        delete(f"{U}/sam_student"),
        field(f"{U}/sam_student", "deleted"),
    ),
    Case(
        "staff.delete",
        ADMIN,
        "priya_principal",
        delete(f"{U}/emma_educator"),
        field(f"{U}/emma_educator", "deleted"),
    ),
    Case(
        "student.create",
        "priya_principal",
        "emma_educator",
        post(U, {"kind": "student", "username": "new_student", "org": "oak_elem", "password": "abcd"}),
        users_named("new_student"),
    ),
    Case(
        "export_credit.allocate",
        "priya_principal",
        "emma_educator",
        post(f"{U}/sam_student/credits", {"amount": 5, "from_org": "oak_elem"}),
        field(f"{U}/sam_student/credits", "balance"),
    ),
    Case("manager.access", "emma_educator", "sam_student", get(f"{U}/emma_educator"), shows="emma_educator"),
    Case(
        "class.create",
        "emma_educator",
        "eli_educator",
        post("/api/v1/classes", {"school": "oak_elem", "name": "Chess club"}),
        field("/api/v1/classes", "items"),
    ),
]


def test_every_row_has_a_case() -> None:
    rows = {pid for row in registry.profile(PROFILE).rows for pid in row.ids}
    assert rows == {c.permission for c in CASES}


def _setup(tenant: DemoTenant) -> None:
    """Credits in the pools the allocation rows draw from: bought by the district, passed to a school."""
    dana = tenant.login(ADMIN)
    bought = dana.post("/api/v1/orgs/cedar_falls/credits", json={"amount": 50, "note": "setup"})
    passed = dana.post(
        "/api/v1/orgs/oak_elem/credits", json={"amount": 20, "note": "setup", "from_org": "cedar_falls"}
    )
    assert (bought.status_code, passed.status_code) == (201, 201), passed.text


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.permission)
def test_allowed_succeeds_and_changes_the_data(demo: Callable[[str], DemoTenant], case: Case) -> None:
    tenant = demo(PROFILE)
    _setup(tenant)
    allowed_succeeds(tenant, case, ADMIN)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.permission)
def test_denied_answers_403_or_404_and_changes_nothing(demo: Callable[[str], DemoTenant], case: Case) -> None:
    tenant = demo(PROFILE)
    _setup(tenant)
    denied_changes_nothing(tenant, case, ADMIN)
