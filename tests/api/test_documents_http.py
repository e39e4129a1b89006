"""Cards, rosters, exports and disclosures through HTTP, with the PDFs read back: the text a person would read
on them, a page that is not blank, and a secret that really signs the student in (a code exactly once)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from tests.api.conftest import DemoTenant

from homeroom.store import tables as t

pytestmark = pytest.mark.db


def read_pdf(content: bytes) -> list[tuple[str, float]]:
    """Each page's text, and the share of its pixels that are not white."""
    document = pdfium.PdfDocument(content)
    try:
        found = []
        for index in range(len(document)):
            page = document[index]
            text = page.get_textpage().get_text_range()
            image = page.render(scale=1).to_pil().convert("L")
            histogram = image.histogram()
            inked = sum(histogram[:200]) / (image.width * image.height)
            found.append((text, inked))
        return found
    finally:
        document.close()


def tenant_rows(demo: DemoTenant, model: type[t.Disclosure | t.SigninCode]) -> list[object]:
    with demo.homeroom.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == demo.name))
        return list(session.scalars(select(model).where(model.tenant_id == tenant_id)))


def audit_trail(demo: DemoTenant) -> list[tuple[str, bool]]:
    with demo.homeroom.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == demo.name))
        query = select(t.AuditEntry).where(t.AuditEntry.tenant_id == tenant_id).order_by(t.AuditEntry.seq)
        return [(e.action, e.allowed) for e in session.scalars(query)]


def code_on(text: str) -> str:
    lines = text.splitlines()
    return lines[lines.index("Sign-in code") + 1].strip()


def test_a_card_shows_the_student_and_a_code_that_signs_in_once(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    response = tomas.post("/api/v1/users/sam_student/card")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    ((text, inked),) = read_pdf(response.content)
    for expected in (
        "START CARD",
        "Sam Student",
        "sam_student",
        "School: lincoln_elem",
        "Class: math_4a",
        math.name,
    ):
        assert expected in text
    assert inked > 0.005
    code = code_on(text)
    student = math.anonymous()
    login = {"tenant": math.name, "username": "sam_student", "code": code}
    first = student.post("/api/v1/auth/code-login", json=login)
    assert first.status_code == 200, first.text
    assert first.json()["user_id"] == "sam_student"
    assert student.get("/api/v1/auth/me").json()["id"] == "sam_student"
    second = math.anonymous().post("/api/v1/auth/code-login", json=login)
    assert second.status_code == 401
    assert second.json()["code"] == "unauthenticated"


def test_class_cards_with_passwords_that_sign_in(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    priya = math.login("priya_principal")
    response = priya.post(
        "/api/v1/classes/math_4b/cards", json={"secret": "password", "students": ["sofia_student"]}
    )
    assert response.status_code == 200, response.text
    ((text, inked),) = read_pdf(response.content)
    assert "Sofia Student" in text
    assert "Class: math_4b" in text
    assert inked > 0.005
    lines = text.splitlines()
    password = lines[lines.index("Password") + 1].strip()
    assert (
        math.login("sofia_student", password=password).get("/api/v1/auth/me").json()["id"] == "sofia_student"
    )
    assert tenant_rows(math, t.SigninCode) == []


def test_a_denied_card_is_not_found_and_writes_only_its_audit_entry(
    demo: Callable[[str], DemoTenant],
) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    hidden = tomas.post("/api/v1/users/sofia_student/card")
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"
    forbidden = tomas.post("/api/v1/classes/math_4b/cards")
    assert forbidden.status_code == 403
    assert tenant_rows(math, t.SigninCode) == []
    assert tenant_rows(math, t.Disclosure) == []
    assert audit_trail(math)[-2:] == [("student.print_card", False), ("class.print_cards", False)]


def test_card_requests_are_validated(demo: Callable[[str], DemoTenant]) -> None:
    tomas = demo("math").login("tomas_teacher")
    unknown = tomas.post("/api/v1/users/sam_student/card", json={"secret": "code", "pin": "1234"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["location"] == "body.pin"
    assert tomas.post("/api/v1/users/sam_student/card", json={"secret": "birthday"}).status_code == 422
    assert tomas.post("/api/v1/users/sam_student/card", json={"valid_days": 91}).status_code == 422
    del tomas.headers["X-CSRF-Token"]
    assert tomas.post("/api/v1/users/sam_student/card").json()["code"] == "csrf_failed"


def test_literacy_login_cards_and_a_roster(demo: Callable[[str], DemoTenant]) -> None:
    literacy = demo("literacy")
    tomas = literacy.login("tomas_teacher")
    cards = tomas.post("/api/v1/classes/bluebirds/cards", json={})
    assert cards.status_code == 200, cards.text
    assert "LOGIN CARD" in read_pdf(cards.content)[0][0]
    roster = tomas.post("/api/v1/classes/bluebirds/roster", json={"purpose": "substitute teacher"})
    assert roster.status_code == 200, roster.text
    ((text, inked),) = read_pdf(roster.content)
    for expected in ("Class roster: bluebirds", "hill_school", "Tomas Teacher", "Sam Student", "sam_student"):
        assert expected in text
    assert "sofia_student" not in text
    assert inked > 0.005
    purposes = [d.purpose for d in tenant_rows(literacy, t.Disclosure)]
    assert purposes == ["sign-in cards for students", "substitute teacher"]
    denied = tomas.post("/api/v1/classes/robins/roster")
    assert denied.status_code in (403, 404)
    assert len(tenant_rows(literacy, t.Disclosure)) == 2
    assert audit_trail(literacy)[-1] == ("class.print_roster", False)


def test_the_export_is_a_formula_safe_csv_of_visible_students(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    evil = "=cmd|' /C calc'!A0"
    created = tomas.post(
        "/api/v1/users",
        json={"kind": "student", "username": "evil.kid", "given_name": evil, "classes": ["math_4a"]},
    )
    assert created.status_code == 201, created.text
    params = {"target": "class:math_4a", "purpose": "grading"}
    response = tomas.get("/api/v1/reports/students.csv", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "id",
        "username",
        "given_name",
        "family_name",
        "email",
        "school",
        "classes",
        "status",
    ]
    by_username = {r["username"]: r for r in rows}
    assert set(by_username) == {"sam_student", "evil.kid"}
    assert by_username["evil.kid"]["given_name"] == "'" + evil
    assert by_username["sam_student"]["school"] == "lincoln_elem"
    oneroster = tomas.get("/api/v1/reports/students.csv", params={**params, "format": "oneroster"})
    assert oneroster.headers["content-disposition"] == 'attachment; filename="users.csv"'
    assert next(csv.reader(io.StringIO(oneroster.text)))[:3] == ["sourcedId", "status", "dateLastModified"]


def test_export_requests_need_a_purpose_and_a_target_in_scope(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    tomas = math.login("tomas_teacher")
    url = "/api/v1/reports/students.csv"
    assert tomas.get(url, params={"target": "class:math_4a"}).status_code == 422
    assert tomas.get(url, params={"target": "class:math_4a", "purpose": " "}).status_code == 422
    assert tomas.get(url, params={"target": "class:math_4a", "purpose": "x" * 201}).status_code == 422
    assert tomas.get(url, params={"target": "role:x", "purpose": "p"}).status_code == 422
    school = tomas.get(url, params={"target": "org:lincoln_elem", "purpose": "p"})
    assert school.status_code == 403
    assert school.json()["details"]["permission"] == "report.export_student_data"
    assert tomas.get(url, params={"target": "class:algebra_7", "purpose": "p"}).status_code == 404
    assert tenant_rows(math, t.Disclosure) == []
    assert audit_trail(math)[-2:] == [("report.export_student_data", False)] * 2


def test_disclosures_through_http(demo: Callable[[str], DemoTenant]) -> None:
    math = demo("math")
    priya = math.login("priya_principal")
    export = priya.get(
        "/api/v1/reports/students.csv", params={"target": "org:lincoln_elem", "purpose": "state report"}
    )
    assert export.status_code == 200
    assert priya.get("/api/v1/users/sofia_student").status_code == 200
    mine = priya.get("/api/v1/disclosures", params={"student": "sofia_student"}).json()["items"]
    assert [(d["action"], d["purpose"], d["students"]) for d in mine] == [
        ("student.view", "view", 1),
        ("report.export_student_data", "state report", 2),
    ]
    assert mine[1]["target"] == "org:lincoln_elem"
    assert mine[0]["at"].endswith("Z")
    assert priya.get("/api/v1/disclosures").status_code == 403
    assert (
        math.login("tomas_teacher")
        .get("/api/v1/disclosures", params={"student": "sofia_student"})
        .status_code
        == 404
    )
    everything = math.login("carol_customer").get("/api/v1/disclosures", params={"limit": 1}).json()
    assert len(everything["items"]) == 1
    assert everything["next_before"] == everything["items"][0]["id"]
