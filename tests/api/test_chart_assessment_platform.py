"""Every row of the assessment-platform chart through HTTP, as the Acme personas.

The allowed persona's call succeeds and changes what an administrator reads back; the denied persona's
call answers 403 or 404 and changes nothing. What the rows act on besides the demo world (a draft test,
soft-deleted objects, a workflow, a partner with its account, a notification, a product, a sale) is
written by `_setup`; partners, workflows and notifications have no create permission in the chart.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.api.chart_cases import (
    Case,
    allowed_succeeds,
    delete,
    denied_changes_nothing,
    field,
    get,
    patch,
    post,
    users_named,
)
from tests.api.conftest import DemoTenant

from homeroom.policy import registry
from homeroom.policy.world import User
from homeroom.store import content
from homeroom.store import tables as t
from homeroom.store.rosters import add_user

pytestmark = pytest.mark.db
PROFILE = "assessment-platform"
ADMIN = "ada_admin"
U = "/api/v1/users"
API = "/api/v1"
DOCUMENT = {
    "format": "homeroom.test/1",
    "name": "Fractions check",
    "questions": [{"name": "Half of 8?", "body": {"answer": 4}}],
}


def count(path: str) -> Callable[[TestClient], object]:
    return lambda c: len(c.get(path, params={"limit": 500}).json()["items"])


def audited(action: str) -> Callable[[TestClient], object]:
    """How many allowed audit entries name `action`."""

    def read(c: TestClient) -> object:
        items = c.get(f"{API}/audit", params={"limit": 1000}).json()["items"]
        return sum(1 for e in items if e["action"] == action and e["allowed"])

    return read


def _created(
    kind: str, body: dict[str, object], denied: str = "rita_reviewer", allowed: str = "carl_creator"
) -> Case:
    return Case(
        f"{kind}.create", allowed, denied, post(f"{API}/{_path(kind)}", body), count(f"{API}/{_path(kind)}")
    )


def _path(kind: str) -> str:
    return {"category": "categories", "media": "media"}.get(kind, f"{kind}s")


def _lifecycle(kind: str, live: str, soft: str, *, denied: str = "rita_reviewer") -> list[Case]:
    """Edit, soft-delete and purge `live`, recover `soft`: the content creator may, `denied` may not."""
    path = f"{API}/{_path(kind)}"
    calls = {
        "edit": (patch(f"{path}/{live}", {"name": "Renamed"}), field(f"{path}/{live}", "name")),
        "delete": (delete(f"{path}/{live}"), field(f"{path}/{live}", "deleted")),
        "purge": (post(f"{path}/{live}/purge", {}), field(f"{path}/{live}", "id")),
        "recover": (post(f"{path}/{soft}/recover", {}), field(f"{path}/{soft}", "deleted")),
    }
    return [
        Case(f"{kind}.{verb}", "carl_creator", denied, call, effect) for verb, (call, effect) in calls.items()
    ]


CASES = [
    Case(
        "role.grant",
        "sal_sales",
        "carl_creator",
        post(f"{U}/quinn_qa/roles", {"role": "sales_representative", "at": "acme"}),
        field(f"{U}/quinn_qa", "roles"),
    ),
    Case(
        "role.create",
        ADMIN,
        "sal_sales",
        post(
            f"{API}/roles", {"org": "acme", "name": "Reviewers", "grants": [{"permission": "question.view"}]}
        ),
        count(f"{API}/roles"),
    ),
    Case("role.view", ADMIN, "carl_creator", get(f"{API}/orgs/acme/roles"), shows="qa_lead"),
    Case(
        "test.launch",
        "stu_student",
        "carl_creator",
        post(f"{API}/tests/unit_test/launch", {}),
        field(f"{API}/tests/unit_test", "launches"),
    ),
    Case(
        "notification.view",
        "stu_student",
        "carl_creator",
        get(f"{API}/notifications/note_stu"),
        shows="note_stu",
    ),
    Case("user.view", ADMIN, "carl_creator", get(f"{U}/rita_reviewer"), shows="rita_reviewer"),
    Case(
        "user.change_org",
        ADMIN,
        "sal_sales",
        post(f"{U}/rita_reviewer/move", {"to": "org:acme_europe"}, versioned=f"{U}/rita_reviewer"),
        field(f"{U}/rita_reviewer", "roles"),
    ),
    _created("question", {"org": "acme", "name": "2 + 2?", "body": {"answer": 4}}, denied="sal_sales"),
    Case(
        "question.view",
        "rita_reviewer",
        "sal_sales",
        get(f"{API}/questions/fractions_q1"),
        shows="fractions_q1",
    ),
    Case(
        "question.edit",
        "rita_reviewer",
        "sal_sales",
        patch(f"{API}/questions/fractions_q1", {"body": {"prompt": "1/2 + 1/4?"}}),
        field(f"{API}/questions/fractions_q1", "body"),
    ),
    Case(
        "question.delete",
        "rita_reviewer",
        "sal_sales",
        delete(f"{API}/questions/fractions_q1"),
        field(f"{API}/questions/fractions_q1", "deleted"),
    ),
    Case(
        "question.purge",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/questions/fractions_q1/purge", {}),
        field(f"{API}/questions/fractions_q1", "id"),
    ),
    Case(
        "question.recover",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/questions/q_soft/recover", {}),
        field(f"{API}/questions/q_soft", "deleted"),
    ),
    Case(
        "question.create_simulation",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/questions", {"org": "acme", "name": "Lab", "kind": "simulation"}),
        count(f"{API}/questions"),
    ),
    Case(
        "question.edit_status",
        "carl_creator",
        "rita_reviewer",
        patch(f"{API}/questions/fractions_q1", {"status": "approved"}),
        field(f"{API}/questions/fractions_q1", "status"),
    ),
    _created("test", {"org": "acme", "name": "Unit 2", "body": {"questions": ["fractions_q1"]}}),
    Case("test.view", "rita_reviewer", "sal_sales", get(f"{API}/tests/unit_test"), shows="unit_test"),
    Case(
        "test.edit",
        "carl_creator",
        "rita_reviewer",
        patch(f"{API}/tests/t_draft", {"body": {"questions": ["fractions_q1"]}}),
        field(f"{API}/tests/t_draft", "body"),
    ),
    Case(
        "test.publish",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/tests/t_draft/publish", {}),
        field(f"{API}/tests/t_draft", "published"),
    ),
    Case(
        "test.import",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/tests/import", {"org": "acme", "document": DOCUMENT}),
        count(f"{API}/tests"),
    ),
    Case(
        "test.export",
        "carl_creator",
        "rita_reviewer",
        get(f"{API}/tests/unit_test/export"),
        shows="homeroom.test/1",
    ),
    Case(
        "test.delete",
        "carl_creator",
        "rita_reviewer",
        delete(f"{API}/tests/t_draft"),
        field(f"{API}/tests/t_draft", "deleted"),
    ),
    Case(
        "test.purge",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/tests/t_draft/purge", {}),
        field(f"{API}/tests/t_draft", "id"),
    ),
    Case(
        "test.recover",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/tests/t_soft/recover", {}),
        field(f"{API}/tests/t_soft", "deleted"),
    ),
    _created("media", {"org": "acme", "name": "diagram.png", "body": {"url": "https://cdn.example/d.png"}}),
    Case("media.view", "carl_creator", "rita_reviewer", get(f"{API}/media/m_live"), shows="m_live"),
    *_lifecycle("media", "m_live", "m_soft"),
    _created("category", {"org": "acme", "name": "Fractions"}),
    Case("category.view", "carl_creator", "sal_sales", get(f"{API}/categories/c_live"), shows="c_live"),
    *_lifecycle("category", "c_live", "c_soft"),
    Case(
        "workflow.edit",
        "carl_creator",
        "rita_reviewer",
        patch(f"{API}/workflows/wf_live", {"name": "Two reviewers"}),
        field(f"{API}/workflows/wf_live", "name"),
    ),
    Case(
        "workflow.recover",
        "carl_creator",
        "rita_reviewer",
        post(f"{API}/workflows/wf_soft/recover", {}),
        field(f"{API}/workflows/wf_soft", "deleted"),
    ),
    _created(
        "article", {"org": "acme", "name": "How to launch a test"}, allowed=ADMIN, denied="carl_creator"
    ),
    _created("product", {"org": "acme", "name": "Algebra pack"}, allowed=ADMIN, denied="carl_creator"),
    Case(
        "product.edit",
        ADMIN,
        "carl_creator",
        patch(f"{API}/products/p_live", {"name": "Geometry pack"}),
        field(f"{API}/products/p_live", "name"),
    ),
    Case(
        "product.disable",
        ADMIN,
        "carl_creator",
        post(f"{API}/products/p_live/disable", {}),
        field(f"{API}/products/p_live", "status"),
    ),
    Case(
        "question.assign_workflow",
        ADMIN,
        "carl_creator",
        patch(f"{API}/questions/fractions_q1", {"workflow": "wf_live"}),
        field(f"{API}/questions/fractions_q1", "workflow"),
    ),
    Case("report.access", "sal_sales", "carl_creator", get(f"{API}/orgs/acme/reports"), shows="billing.csv"),
    Case(
        "report.export_billing",
        "sal_sales",
        "carl_creator",
        get(f"{API}/orgs/acme/reports/billing.csv"),
        shows="amount",
    ),
    Case(
        "report.export_orders",
        "sal_sales",
        "carl_creator",
        get(f"{API}/orgs/acme/reports/orders.csv"),
        shows="s_live",
    ),
    Case(
        "report.export_usage",
        ADMIN,
        "sal_sales",
        get(f"{API}/orgs/acme/reports/usage.csv"),
        shows="test_name",
    ),
    Case(
        "key.create",
        "sal_sales",
        "carl_creator",
        post(f"{API}/keys", {"org": "acme", "count": 3}),
        count(f"{API}/keys"),
    ),
    Case(
        "partner.impersonate",
        "sal_sales",
        "carl_creator",
        post(f"{API}/partners/globex/impersonate", {}),
        audited("partner.impersonate"),
    ),
    _created(
        "sale",
        {"org": "acme", "name": "Spring order", "body": {"amount": 1200}},
        allowed="sal_sales",
        denied="carl_creator",
    ),
    Case(
        "sale.edit",
        "sal_sales",
        "carl_creator",
        patch(f"{API}/sales/s_live", {"body": {"amount": 900}}),
        field(f"{API}/sales/s_live", "body"),
    ),
    Case(
        "sale.approve",
        ADMIN,
        "sal_sales",
        post(f"{API}/sales/s_live/approve", {}),
        field(f"{API}/sales/s_live", "status"),
    ),
    Case(
        "user.create",
        "sal_sales",
        "carl_creator",
        post(
            U,
            {
                "kind": "staff",
                "username": "rep",
                "role": "sales_representative",
                "org": "acme",
                "password": "p" * 12,
            },
        ),
        users_named("rep"),
    ),
    Case(
        "user.edit",
        "sal_sales",
        "carl_creator",
        patch(f"{U}/gus_globex", {"given_name": "Gustav"}),
        field(f"{U}/gus_globex", "given_name"),
    ),
    Case(
        "user.delete",
        "sal_sales",
        "carl_creator",
        delete(f"{U}/gus_globex"),
        field(f"{U}/gus_globex", "deleted"),
    ),
    Case(
        "org.create",
        ADMIN,
        "sal_sales",
        post(f"{API}/orgs", {"kind": "organization", "name": "Acme Asia", "parent": "acme"}),
        field(f"{API}/orgs", "items"),
    ),
]


def test_every_row_has_a_case() -> None:
    rows = {pid for row in registry.profile(PROFILE).rows for pid in row.ids}
    covered = [c.permission for c in CASES]
    assert sorted(covered) == sorted(rows)


def setup_objects(tenant: DemoTenant) -> None:
    """What the rows act on besides the demo world."""
    with tenant.homeroom.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant.name))
        assert tenant_id is not None
        # a partner's account: a staff account at acme holding no role
        add_user(
            session,
            tenant_id,
            User("gus_globex", "staff", orgs=("acme",), roles=()),
            registry.profile(PROFILE),
        )
        session.execute(
            t.User.__table__.update()
            .where(t.User.tenant_id == tenant_id, t.User.id == "gus_globex")
            .values(username="gus_globex", given_name="Gus")
        )
        objects = [
            ("t_draft", "test", "none", {}),
            ("t_soft", "test", "soft", {}),
            ("q_soft", "question", "soft", {}),
            ("m_live", "media", "none", {}),
            ("m_soft", "media", "soft", {}),
            ("c_live", "category", "none", {}),
            ("c_soft", "category", "soft", {}),
            ("wf_live", "workflow", "none", {}),
            ("wf_soft", "workflow", "soft", {}),
            ("p_live", "product", "none", {}),
            ("s_live", "sale", "none", {}),
            ("globex", "partner", "none", {"account": "gus_globex"}),
            ("note_stu", "notification", "none", {"recipient": "stu_student"}),
        ]
        for object_id, type_, deleted, links in objects:
            org = None if type_ == "notification" else "acme"
            content.add(
                session,
                tenant_id,
                content.NewThing(object_id, type_, org, object_id.replace("_", " ").title(), "{}", **links),  # type: ignore[arg-type]
            )
            if deleted != "none":
                content.change(session, tenant_id, object_id, expected=None, values={"deleted": deleted})


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.permission)
def test_allowed_succeeds_and_changes_the_data(demo: Callable[[str], DemoTenant], case: Case) -> None:
    tenant = demo(PROFILE)
    setup_objects(tenant)
    allowed_succeeds(tenant, case, ADMIN)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.permission)
def test_denied_answers_403_or_404_and_changes_nothing(demo: Callable[[str], DemoTenant], case: Case) -> None:
    tenant = demo(PROFILE)
    setup_objects(tenant)
    denied_changes_nothing(tenant, case, ADMIN)
