"""Cards and rosters as the demo personas: authorized, secrets issued once and stored only as digests,
disclosed and audited; a denial writes nothing but its audit entry."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from datetime import timedelta
from types import MappingProxyType

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.services.conftest import Tenant

from homeroom.errors import Forbidden, InvalidInput, NotFound, Throttled, Unauthenticated
from homeroom.policy import registry
from homeroom.policy.profiles import Profile
from homeroom.services import cards, class_rosters, logins, signin_codes
from homeroom.services.cards import CardOptions
from homeroom.store import tables as t
from homeroom.store.signin_codes import codes_of

pytestmark = pytest.mark.db
CODE = r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$"


def named(tenant: Tenant) -> Tenant:
    """Give the demo world's accounts usernames and names, and its schools and classes names."""

    def update(session: Session) -> None:
        rows = session.scalars(select(t.User).where(t.User.tenant_id == tenant.id))
        for row in rows:
            given, _, family = row.id.replace("_", " ").title().partition(" ")
            row.username, row.given_name, row.family_name = row.id, given, family
        for model, names in (
            (t.Org, {"lincoln_elem": "Lincoln Elementary"}),
            (t.SchoolClass, {"math_4a": "Math 4A"}),
        ):
            for object_id, name in names.items():
                found = session.get(model, (tenant.id, object_id))
                if found is not None:
                    found.name = name

    tenant.read(update)
    return tenant


@pytest.fixture
def maple(tenant_of: Callable[[str], Tenant]) -> Tenant:
    return named(tenant_of("math"))


@pytest.fixture
def riverbend(tenant_of: Callable[[str], Tenant]) -> Tenant:
    return named(tenant_of("literacy"))


def audit_rows(tenant: Tenant) -> list[t.AuditEntry]:
    query = select(t.AuditEntry).where(t.AuditEntry.tenant_id == tenant.id).order_by(t.AuditEntry.seq)
    return tenant.read(lambda s: list(s.scalars(query)))


def disclosure_rows(tenant: Tenant) -> list[tuple[str, str, str]]:
    d, s = t.Disclosure, t.DisclosedStudent
    query = (
        select(d.action, d.purpose, s.student_id)
        .join(s, (s.tenant_id == d.tenant_id) & (s.disclosure_id == d.id))
        .where(d.tenant_id == tenant.id)
        .order_by(d.id, s.student_id)
    )
    return tenant.read(lambda session: [tuple(r) for r in session.execute(query)])


def stored_codes(tenant: Tenant, user_id: str) -> list[t.SigninCode]:
    return tenant.read(lambda s: codes_of(s, tenant.id, user_id))


def version_of(tenant: Tenant, user_id: str) -> int:
    return tenant.read(lambda s: s.get(t.User, (tenant.id, user_id)).version)


def test_a_teacher_prints_his_students_card_with_a_one_time_code(maple: Tenant) -> None:
    sheet = maple.as_("tomas_teacher", lambda a: cards.print_student_card(a, "sam_student", CardOptions()))
    assert sheet.title == "Start card"
    assert sheet.site == maple.name
    (card,) = sheet.cards
    assert (card.name, card.username, card.school, card.class_name) == (
        "Sam Student",
        "sam_student",
        "Lincoln Elementary",
        "Math 4A",
    )
    assert card.secret_kind == "code"
    assert card.expires_at is not None
    assert re.match(CODE, card.secret)
    (stored,) = stored_codes(maple, "sam_student")
    assert stored.id == signin_codes.code_digest(maple.id, "sam_student", card.secret) != card.secret
    assert stored.used_at is None
    assert stored.issued_by == "tomas_teacher"
    entry = next(e for e in audit_rows(maple) if e.action == "student.print_card")
    details = json.loads(entry.details)
    assert details["students"] == ["sam_student"]
    assert details["secret"] == "code"
    assert all(card.secret not in e.details + e.reason for e in audit_rows(maple))
    assert disclosure_rows(maple) == [("student.print_card", cards.DEFAULT_PURPOSE, "sam_student")]


def test_the_code_signs_in_once(maple: Tenant) -> None:
    (card,) = maple.as_(
        "priya_principal", lambda a: cards.print_student_card(a, "sam_student", CardOptions())
    ).cards
    typed = card.secret.lower().replace("-", " ")  # how a child might type it
    started = signin_codes.code_login(maple.app, maple.name, "sam_student", typed, address="10.0.0.1")
    assert started.user_id == "sam_student"
    assert stored_codes(maple, "sam_student")[0].used_at is not None
    with pytest.raises(Unauthenticated):
        signin_codes.code_login(maple.app, maple.name, "sam_student", card.secret, address="10.0.0.1")
    with pytest.raises(Unauthenticated):  # another student's username with this code
        signin_codes.code_login(maple.app, maple.name, "sofia_student", card.secret, address="10.0.0.1")
    logins_audited = [(e.action, e.allowed) for e in audit_rows(maple) if e.action == "auth.code_login"]
    assert logins_audited == [
        ("auth.code_login", True),
        ("auth.code_login", False),
        ("auth.code_login", False),
    ]


def test_an_expired_code_and_a_replaced_code_do_not_sign_in(maple: Tenant) -> None:
    def print_card() -> str:
        options = CardOptions(valid_days=1)
        sheet = maple.as_("tomas_teacher", lambda a: cards.print_student_card(a, "sam_student", options))
        return sheet.cards[0].secret

    first, second = print_card(), print_card()
    assert len(stored_codes(maple, "sam_student")) == 1  # the reprint retired the first card's code
    with pytest.raises(Unauthenticated):
        signin_codes.code_login(maple.app, maple.name, "sam_student", first, address="a")
    later = dataclasses.replace(maple.app, clock=lambda: maple.app.clock() + timedelta(days=1, seconds=1))
    with pytest.raises(Unauthenticated):
        signin_codes.code_login(later, maple.name, "sam_student", second, address="a")
    assert signin_codes.code_login(maple.app, maple.name, "sam_student", second, address="a").user_id


def test_wrong_codes_are_throttled_with_password_failures(maple: Tenant) -> None:
    (card,) = maple.as_(
        "tomas_teacher", lambda a: cards.print_student_card(a, "sam_student", CardOptions())
    ).cards
    for _ in range(maple.app.settings.login_account_limit):
        with pytest.raises(Unauthenticated):
            signin_codes.code_login(maple.app, maple.name, "sam_student", "AAAA-AAAA-AAAA", address="b")
    with pytest.raises(Throttled):
        signin_codes.code_login(maple.app, maple.name, "sam_student", card.secret, address="b")
    assert stored_codes(maple, "sam_student")[0].used_at is None


def test_another_teachers_student_is_not_found_and_nothing_is_written(maple: Tenant) -> None:
    before = version_of(maple, "sofia_student")
    with pytest.raises(NotFound, match="no user 'sofia_student'"):
        maple.as_("tomas_teacher", lambda a: cards.print_student_card(a, "sofia_student", CardOptions()))
    assert stored_codes(maple, "sofia_student") == []
    assert disclosure_rows(maple) == []
    assert version_of(maple, "sofia_student") == before
    assert [(e.action, e.allowed) for e in audit_rows(maple)] == [("student.print_card", False)]


def test_a_password_card_sets_a_password_that_signs_in(maple: Tenant) -> None:
    before = version_of(maple, "sam_student")
    options = CardOptions(kind="password")
    (card,) = maple.as_("tomas_teacher", lambda a: cards.print_student_card(a, "sam_student", options)).cards
    assert card.secret_kind == "password"
    assert card.expires_at is None
    assert version_of(maple, "sam_student") == before + 1
    started = logins.login(maple.app, maple.name, "sam_student", card.secret, address="c")
    assert started.user_id == "sam_student"
    assert stored_codes(maple, "sam_student") == []
    actions = [(e.action, e.target_id) for e in audit_rows(maple) if e.allowed]
    assert ("student.edit", "sam_student") in actions
    assert ("student.print_card", "sam_student") in actions
    assert all(card.secret not in e.details + e.reason for e in audit_rows(maple))
    printed = next(e for e in audit_rows(maple) if e.action == "student.print_card")
    assert json.loads(printed.details)["secret"] == "password"


def _without(profile: Profile, permission: str, role: str) -> Profile:
    cells = {p: dict(roles) for p, roles in profile.cells.items()}
    del cells[permission][role]
    return dataclasses.replace(
        profile, cells=MappingProxyType({p: MappingProxyType(r) for p, r in cells.items()})
    )


def test_a_password_card_also_needs_student_edit(maple: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    original = registry.profile
    narrowed = _without(original("math"), "student.edit", "teacher")
    monkeypatch.setattr(registry, "profile", lambda pid: narrowed if pid == "math" else original(pid))
    before = version_of(maple, "sam_student")
    with pytest.raises(Forbidden, match=r"student\.edit"):
        maple.as_(
            "tomas_teacher",
            lambda a: cards.print_student_card(a, "sam_student", CardOptions(kind="password")),
        )
    assert version_of(maple, "sam_student") == before
    assert disclosure_rows(maple) == []
    assert [(e.action, e.allowed) for e in audit_rows(maple)] == [("student.edit", False)]
    sheet = maple.as_("tomas_teacher", lambda a: cards.print_student_card(a, "sam_student", CardOptions()))
    assert sheet.cards[0].secret_kind == "code"  # a code needs no edit permission


def test_class_cards_cover_the_active_students_of_the_class(maple: Tenant) -> None:
    sheet = maple.as_("priya_principal", lambda a: cards.print_class_cards(a, "math_4a", CardOptions()))
    assert [c.student_id for c in sheet.cards] == ["sam_student"]
    assert sheet.cards[0].class_name == "Math 4A"
    assert disclosure_rows(maple) == [("class.print_cards", cards.DEFAULT_PURPOSE, "sam_student")]
    with pytest.raises(InvalidInput, match="no active students") as raised:  # omar is inactive
        maple.as_("dana_district", lambda a: cards.print_class_cards(a, "algebra_7", CardOptions()))
    assert raised.value.code == "empty_class"


def test_a_selection_may_only_name_students_of_the_class(maple: Tenant) -> None:
    with pytest.raises(InvalidInput, match="sofia_student") as raised:
        maple.as_(
            "priya_principal",
            lambda a: cards.print_class_cards(
                a, "math_4a", CardOptions(), students=["sam_student", "sofia_student"]
            ),
        )
    assert raised.value.code == "not_in_class"
    assert stored_codes(maple, "sam_student") == []
    sheet = maple.as_(
        "priya_principal",
        lambda a: cards.print_class_cards(a, "math_4a", CardOptions(), students=["sam_student"]),
    )
    assert [c.username for c in sheet.cards] == ["sam_student"]


def test_a_teacher_cannot_print_cards_for_another_teachers_class(maple: Tenant) -> None:
    with pytest.raises(Forbidden):  # tara's class in his own school: visible, not his
        maple.as_("tomas_teacher", lambda a: cards.print_class_cards(a, "math_4b", CardOptions()))
    with pytest.raises(NotFound):  # another school's class
        maple.as_("tomas_teacher", lambda a: cards.print_class_cards(a, "algebra_7", CardOptions()))
    assert stored_codes(maple, "sofia_student") == []
    assert disclosure_rows(maple) == []
    assert all(not e.allowed for e in audit_rows(maple))


def test_students_without_a_username_get_no_card(tenant_of: Callable[[str], Tenant]) -> None:
    bare = tenant_of("math")  # the demo world as written: no usernames
    with pytest.raises(InvalidInput, match="without a username") as raised:
        bare.as_("tomas_teacher", lambda a: cards.print_student_card(a, "sam_student", CardOptions()))
    assert raised.value.code == "no_username"
    assert stored_codes(bare, "sam_student") == []


def test_literacy_login_cards_and_rosters(riverbend: Tenant) -> None:
    sheet = riverbend.as_("tomas_teacher", lambda a: cards.print_class_cards(a, "bluebirds", CardOptions()))
    assert sheet.title == "Login card"
    assert [c.student_id for c in sheet.cards] == ["sam_student"]
    roster = riverbend.as_("tomas_teacher", lambda a: class_rosters.print_roster(a, "bluebirds"))
    assert (roster.class_name, roster.school) == ("bluebirds", "hill_school")
    assert [p.name for p in roster.teachers] == ["Tomas Teacher"]
    assert [(s.name, s.username) for s in roster.students] == [("Sam Student", "sam_student")]
    assert ("class.print_roster", class_rosters.DEFAULT_PURPOSE, "sam_student") in disclosure_rows(riverbend)


def test_a_roster_of_another_group_is_denied_and_writes_nothing(riverbend: Tenant) -> None:
    with pytest.raises((Forbidden, NotFound)):
        riverbend.as_("tomas_teacher", lambda a: class_rosters.print_roster(a, "robins"))
    assert disclosure_rows(riverbend) == []
    assert [(e.action, e.allowed) for e in audit_rows(riverbend)] == [("class.print_roster", False)]


def test_the_math_products_print_no_rosters(maple: Tenant) -> None:
    with pytest.raises(Forbidden, match=r"class\.print_roster"):
        maple.as_("carol_customer", lambda a: class_rosters.print_roster(a, "math_4a"))
    assert disclosure_rows(maple) == []
