"""Documents as pure rendering: cards and rosters read back from the PDF, CSV cells safe in spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest

from homeroom.documents.cards import render_cards
from homeroom.documents.exports import COLUMNS, ONEROSTER_USERS, StudentCsv, escape_cell
from homeroom.documents.pdf import printable
from homeroom.documents.rosters import render_roster
from homeroom.services.cards import Card, CardSheet
from homeroom.services.class_rosters import ClassRoster
from homeroom.store.student_records import Named, Person, StudentRecord

WHEN = datetime(2030, 5, 17, 8, 30, tzinfo=UTC)


def pages(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def card(number: int, **changes: object) -> Card:
    values: dict[str, object] = {
        "student_id": f"s{number}",
        "name": f"Student {number}",
        "username": f"student{number}",
        "school": "Lincoln Elementary",
        "class_name": "Math 4A",
        "secret_kind": "code",
        "secret": f"ABCD-EFGH-{number:04d}",
        "expires_at": WHEN,
    }
    return Card(**{**values, **changes})


def record(number: int, **changes: object) -> StudentRecord:
    values: dict[str, object] = {
        "id": f"s{number:03d}",
        "username": f"student{number}",
        "given_name": "Student",
        "family_name": str(number),
        "email": None,
        "status": "active",
        "schools": (Named("lincoln", "Lincoln Elementary"),),
        "classes": (Named("math_4a", "Math 4A"), Named("art", "Art")),
    }
    return StudentRecord(**{**values, **changes})


def test_eight_cards_to_a_page_in_order() -> None:
    sheet = CardSheet("Start card", "maple-valley", tuple(card(n) for n in range(1, 10)))
    text = pages(render_cards(sheet))
    assert len(text) == 2
    assert all(f"ABCD-EFGH-{n:04d}" in text[0] for n in range(1, 9))
    assert "ABCD-EFGH-0009" in text[1]
    assert "ABCD-EFGH-0009" not in text[0]
    for expected in ("START CARD", "Student 1", "student1", "Lincoln Elementary", "Math 4A", "maple-valley"):
        assert expected in text[0]
    assert "Valid until 2030-05-17" in text[0]


def test_a_password_card_says_password_and_has_no_expiry() -> None:
    sheet = CardSheet(
        "Login card", "riverbend", (card(1, secret_kind="password", secret="k3mn8pq2rs", expires_at=None),)
    )
    (text,) = pages(render_cards(sheet))
    assert "LOGIN CARD" in text
    assert "Password" in text
    assert "k3mn8pq2rs" in text
    assert "Valid until" not in text


def test_names_outside_latin_1_still_print() -> None:
    assert printable("Zoë Łukasz Őrs") == "Zoë ?ukasz Ors"
    assert printable("\u201cMia\u201d \u2014 O\u2019Neil\n") == '"Mia" - O\'Neil '
    sheet = CardSheet("Start card", "site", (card(1, name="Łukasz 李"),))
    assert "?ukasz ?" in pages(render_cards(sheet))[0]


def test_a_long_name_is_shortened_to_fit_its_card() -> None:
    sheet = CardSheet("Start card", "site", (card(1, name="Maximiliana " * 8),))
    (text,) = pages(render_cards(sheet))
    assert "Maximiliana Maximiliana" in text
    assert "..." in text
    assert text.count("Maximiliana") < 8


def test_a_long_roster_continues_with_its_header() -> None:
    roster = ClassRoster(
        "math_4a",
        "Math 4A",
        "Lincoln Elementary",
        (Person("t1", "tomas", "Tomas Teacher"), Person("t2", None, "Tara Teacher")),
        tuple(record(n) for n in range(1, 61)),
        "maple-valley",
        WHEN,
    )
    text = pages(render_roster(roster))
    assert len(text) >= 2
    assert "Class roster: Math 4A" in text[0]
    assert "Lincoln Elementary" in text[0]
    assert "Tomas Teacher, Tara Teacher" in text[0]
    assert "2030-05-17 08:30 UTC" in text[0]
    assert "(continued)" in text[1]
    assert "Username" in text[1]
    everything = "\n".join(text)
    assert all(f"student{n}\r\n" in everything or f"student{n} " in everything for n in range(1, 61))


def test_an_empty_roster_says_so() -> None:
    roster = ClassRoster("c", "Empty", "School", (), (), "site", WHEN)
    (text,) = pages(render_roster(roster))
    assert "No students are enrolled" in text
    assert "none assigned" in text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Anna", "Anna"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_cells_get_a_leading_quote(value: str, written: str) -> None:
    assert escape_cell(value) == written


def test_the_csv_has_its_columns_and_escapes_every_cell() -> None:
    out = io.StringIO()
    writer = StudentCsv(out)
    writer.write([record(1, given_name='=HYPERLINK("x")', email="@evil")])
    writer.write([record(2)])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1] == [
        "s001",
        "student1",
        '\'=HYPERLINK("x")',
        "1",
        "'@evil",
        "Lincoln Elementary",
        "Math 4A; Art",
        "active",
    ]
    assert rows[2][0] == "s002"
    assert writer.rows == 2


def test_the_oneroster_shape_is_a_users_file_of_students() -> None:
    out = io.StringIO()
    StudentCsv(out, shape="oneroster").write([record(1, status="inactive")])
    header, row = csv.reader(io.StringIO(out.getvalue()))
    assert tuple(header) == ONEROSTER_USERS
    values = dict(zip(header, row, strict=True))
    assert values["sourcedId"] == "s001"
    assert values["enabledUser"] == "false"
    assert values["orgSourcedIds"] == "lincoln"
    assert values["role"] == "student"
    assert values["username"] == "student1"
    assert values["givenName"] == "Student"
    assert values["password"] == ""
