"""The assessment platform's objects through HTTP, beyond the chart: versions, the trash, purging, test
documents, launching, key codes, approved sales, notifications, lists and bad input (Acme personas)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.api.conftest import DemoTenant
from tests.api.test_chart_assessment_platform import setup_objects

from homeroom.store import tables as t

pytestmark = pytest.mark.db
PROFILE = "assessment-platform"
API = "/api/v1"
Q = f"{API}/questions"


@pytest.fixture
def acme(demo: Callable[[str], DemoTenant]) -> DemoTenant:
    tenant = demo(PROFILE)
    setup_objects(tenant)
    return tenant


def _row(tenant: DemoTenant, object_id: str) -> t.Thing:
    with tenant.homeroom.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == tenant.name))
        row = session.get(t.Thing, (tenant_id, object_id))
        assert row is not None
        session.expunge(row)
        return row


def _ids(client: TestClient, path: str, **params: object) -> list[str]:
    return [x["id"] for x in client.get(path, params={"limit": 500, **params}).json()["items"]]


def test_edits_name_their_version_and_the_trash_keeps_deleted_objects(acme: DemoTenant) -> None:
    carl = acme.login("carl_creator")
    created = carl.post(Q, json={"org": "acme", "name": "3 x 4?", "body": {"answer": 12}})
    assert (created.status_code, created.headers["ETag"]) == (201, '"1"')
    question = created.json()["id"]
    assert created.headers["Location"] == f"/api/v1/questions/{question}"
    assert carl.patch(f"{Q}/{question}", json={"name": "4 x 3?"}).status_code == 428
    assert (
        carl.patch(f"{Q}/{question}", json={"name": "4 x 3?"}, headers={"If-Match": '"9"'}).status_code == 412
    )
    edited = carl.patch(f"{Q}/{question}", json={"name": "4 x 3?"}, headers={"If-Match": '"1"'})
    assert (edited.json()["name"], edited.json()["body"]["answer"], edited.headers["ETag"]) == (
        "4 x 3?",
        12,
        '"2"',
    )
    assert carl.delete(f"{Q}/{question}", headers={"If-Match": '"2"'}).status_code == 204
    assert question not in _ids(carl, Q)
    assert question in _ids(carl, Q, deleted="true")
    assert carl.get(f"{Q}/{question}").status_code == 404
    assert carl.patch(f"{Q}/{question}", json={"name": "x"}, headers={"If-Match": '"3"'}).status_code == 404
    assert carl.post(f"{Q}/{question}/recover").json()["deleted"] is False
    assert question in _ids(carl, Q)
    assert carl.post(f"{Q}/{question}/purge").status_code == 204
    purged = _row(acme, question)
    assert (purged.deleted, purged.name, purged.body) == ("purged", "", "{}")  # the content is gone
    assert carl.post(f"{Q}/{question}/recover").status_code == 404


def test_question_status_kind_and_workflow_have_their_own_permissions(acme: DemoTenant) -> None:
    rita = acme.login("rita_reviewer")  # technical reviewer: edit, not edit_status
    assert (
        rita.patch(f"{Q}/fractions_q1", json={"status": "approved"}, headers={"If-Match": '"1"'}).status_code
        == 403
    )
    carl = acme.login("carl_creator")
    assert (
        carl.patch(f"{Q}/fractions_q1", json={"workflow": "wf_live"}, headers={"If-Match": '"1"'}).status_code
        == 403
    )
    simulation = carl.post(Q, json={"org": "acme", "name": "Lab", "kind": "simulation"}).json()
    changed_kind = carl.patch(
        f"{Q}/{simulation['id']}", json={"body": {"kind": "standard"}}, headers={"If-Match": '"1"'}
    )
    assert (changed_kind.status_code, changed_kind.json()["code"]) == (422, "kind_fixed")
    ada = acme.login("ada_admin")
    foreign = ada.patch(f"{Q}/fractions_q1", json={"workflow": "nowhere"}, headers={"If-Match": '"1"'})
    assert (foreign.status_code, foreign.json()["code"]) == (422, "invalid_workflow")
    assigned = ada.patch(f"{Q}/fractions_q1", json={"workflow": "wf_live"}, headers={"If-Match": '"1"'})
    assert assigned.json()["workflow"] == "wf_live"
    removed = ada.patch(f"{Q}/fractions_q1", json={"workflow": None}, headers={"If-Match": '"2"'})
    assert removed.json()["workflow"] is None


def test_a_test_is_launched_only_when_published_and_its_document_round_trips(acme: DemoTenant) -> None:
    carl = acme.login("carl_creator")
    missing = carl.patch(
        f"{API}/tests/t_draft", json={"body": {"questions": ["q_soft"]}}, headers={"If-Match": '"1"'}
    )
    assert (missing.status_code, missing.json()["code"]) == (422, "invalid_questions")  # deleted questions
    body = {"questions": ["fractions_q1"], "minutes": 20}
    assert (
        carl.patch(f"{API}/tests/t_draft", json={"body": body}, headers={"If-Match": '"1"'}).status_code
        == 200
    )
    stu = acme.login("stu_student")
    assert stu.post(f"{API}/tests/t_draft/launch").status_code == 403  # P-PUBLISHED
    assert "t_draft" not in _ids(stu, f"{API}/tests", launchable="true")
    assert carl.post(f"{API}/tests/t_draft/publish", json={}).json()["published"] is True
    assert "t_draft" in _ids(stu, f"{API}/tests", launchable="true")
    launched = stu.post(f"{API}/tests/t_draft/launch")
    assert launched.status_code == 201, launched.text
    assert [q["id"] for q in launched.json()["questions"]] == ["fractions_q1"]
    usage = acme.login("ada_admin").get(f"{API}/orgs/acme/reports/usage.csv").text
    assert "t_draft" in usage
    assert "stu_student" in usage

    document = carl.get(f"{API}/tests/t_draft/export").json()
    assert document["format"] == "homeroom.test/1"
    assert document["body"] == {"minutes": 20}
    imported = carl.post(f"{API}/tests/import", json={"org": "acme", "document": document})
    assert imported.status_code == 201, imported.text
    copy = imported.json()
    assert (copy["published"], copy["body"]["minutes"], len(copy["body"]["questions"])) == (False, 20, 1)
    assert copy["body"]["questions"] != ["fractions_q1"]  # a new copy of the question
    other_format = {**document, "format": "homeroom.test/2"}
    assert carl.post(f"{API}/tests/import", json={"org": "acme", "document": other_format}).status_code == 422


def test_exporting_a_test_needs_view_on_each_question(acme: DemoTenant) -> None:
    ada = acme.login("ada_admin")
    role = {"id": "exporter", "org": "acme", "name": "Exporter", "grants": [{"permission": "test.export"}]}
    assert ada.post(f"{API}/roles", json=role).status_code == 201
    assert (
        ada.post(f"{API}/users/rita_reviewer/roles", json={"role": "exporter", "at": "acme"}).status_code
        == 200
    )
    assert (
        ada.patch(
            f"{API}/tests/t_draft",
            json={"body": {"questions": ["fractions_q1"]}},
            headers={"If-Match": '"1"'},
        ).status_code
        == 200
    )
    rita = acme.login("rita_reviewer")  # she holds question.view: the export goes through
    assert rita.get(f"{API}/tests/t_draft/export").status_code == 200
    revoke = ada.delete(f"{API}/users/rita_reviewer/roles/technical_reviewer/acme")
    assert revoke.status_code == 200
    assert rita.get(f"{API}/tests/t_draft/export").status_code in (403, 404)
    assert rita.get(f"{API}/tests/unit_test/export").status_code == 200  # no questions to read


def test_keys_are_shown_once_and_stored_as_sha256(acme: DemoTenant) -> None:
    sal = acme.login("sal_sales")
    made = sal.post(f"{API}/keys", json={"org": "acme", "count": 3, "name": "Spring"})
    assert made.status_code == 201, made.text
    codes = [k["code"] for k in made.json()["keys"]]
    assert len(set(codes)) == 3
    assert all(re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{5}-){3}[0-9A-HJKMNP-TV-Z]{5}", c) for c in codes)
    for generated in made.json()["keys"]:
        row = _row(acme, generated["key"]["id"])
        code = generated["code"]
        assert row.secret_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
        assert code not in (row.name + row.body)
        assert generated["key"]["body"]["hint"] == code[-4:]
    listed = sal.get(f"{API}/keys").text
    assert not any(code in listed for code in codes)
    assert sal.post(f"{API}/keys", json={"org": "acme", "count": 501}).status_code == 422


def test_an_approved_sale_is_final_and_products_are_disabled_and_enabled(acme: DemoTenant) -> None:
    ada = acme.login("ada_admin")
    assert ada.post(f"{API}/sales/s_live/approve").json()["status"] == "approved"
    again = ada.post(f"{API}/sales/s_live/approve")
    assert (again.status_code, again.json()["code"]) == (409, "sale_approved")
    edit = acme.login("sal_sales").patch(
        f"{API}/sales/s_live", json={"name": "x"}, headers={"If-Match": '"2"'}
    )
    assert (edit.status_code, edit.json()["code"]) == (409, "sale_approved")
    assert "s_live" in ada.get(f"{API}/orgs/acme/reports/billing.csv").text
    assert ada.post(f"{API}/products/p_live/disable").json()["status"] == "disabled"
    assert ada.post(f"{API}/products/p_live/enable").json()["status"] == "active"


def test_notifications_are_their_recipients_own(acme: DemoTenant) -> None:
    stu = acme.login("stu_student")
    assert _ids(stu, f"{API}/notifications") == ["note_stu"]
    assert stu.post(f"{API}/notifications/note_stu/read").json()["status"] == "read"
    ada = acme.login("ada_admin")  # holds notification.view, at scope self
    assert _ids(ada, f"{API}/notifications") == []
    assert ada.get(f"{API}/notifications/note_stu").status_code == 403


def test_lists_page_with_a_cursor_and_narrow_to_an_org(acme: DemoTenant) -> None:
    carl = acme.login("carl_creator")
    for n in range(3):
        assert carl.post(Q, json={"org": "acme", "name": f"Q{n}", "id": f"q{n}"}).status_code == 201
    first = carl.get(Q, params={"limit": 2}).json()
    second = carl.get(Q, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [x["id"] for x in first["items"] + second["items"]] == ["fractions_q1", "q0", "q1", "q2"]
    assert second["next_cursor"] is None
    assert _ids(carl, Q, org="acme_europe") == []
    assert carl.post(Q, json={"org": "acme", "name": "again", "id": "q0"}).status_code == 409
    assert acme.login("sal_sales").get(Q).json()["items"] == []  # sales hold no question.view


def test_bad_bodies_are_refused(acme: DemoTenant) -> None:
    carl = acme.login("carl_creator")
    not_finite = b'{"org": "acme", "name": "n", "body": {"x": NaN}}'
    response = carl.post(Q, content=not_finite, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    huge = carl.post(Q, json={"org": "acme", "name": "n", "body": {"x": "y" * 70_000}})
    assert (huge.status_code, huge.json()["code"]) == (422, "body_too_large")
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    too_deep = carl.post(Q, json={"org": "acme", "name": "n", "body": {"x": deep}})
    assert (too_deep.status_code, too_deep.json()["code"]) == (422, "body_too_deep")
    assert carl.post(Q, json={"org": "acme", "name": "n", "extra": 1}).status_code == 422
    assert carl.post(Q, json={"org": "acme", "name": ""}).status_code == 422
    assert carl.post(Q, json={"org": "nowhere", "name": "n"}).status_code == 404
    assert acme.login("stu_student").post(Q, json={"org": "acme", "name": "n"}).status_code == 403
