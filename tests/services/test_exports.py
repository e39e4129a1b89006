"""Student data exports and disclosure records: exactly the students the per-student decisions allow within
the target, page by page; a stated purpose; formula-safe cells; every export and student view disclosed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import select
from tests.services.conftest import Tenant
from tests.services.test_cards import named

from homeroom.documents.exports import StudentCsv
from homeroom.errors import Forbidden, HomeroomError, InvalidInput, NotFound
from homeroom.policy.facts import Facts
from homeroom.policy.world import Check, Ref
from homeroom.services import accounts, disclosures, exports
from homeroom.services.access import Access
from homeroom.services.accounts import AccountChanges, NewAccount
from homeroom.services.authorization import evaluate
from homeroom.store import tables as t
from homeroom.store.facts import load_world
from homeroom.store.student_records import StudentRecord

pytestmark = pytest.mark.db
PERSONAS = (
    "carol_customer",
    "dana_district",
    "priya_principal",
    "tomas_teacher",
    "tara_teacher",
    "rosa_teacher",
)
TARGETS = (
    "org:northwind",
    "org:maple_valley",
    "org:lincoln_elem",
    "org:roosevelt_ms",
    "class:math_4a",
    "class:math_4b",
    "class:algebra_7",
    "user:sam_student",
    "user:omar_student",
)


@pytest.fixture
def maple(tenant_of: Callable[[str], Tenant]) -> Tenant:
    return named(tenant_of("math"))


class Collected:
    def __init__(self) -> None:
        self.pages: list[list[str]] = []

    def __call__(self, records: Sequence[StudentRecord]) -> None:
        self.pages.append([r.id for r in records])

    @property
    def ids(self) -> list[str]:
        return [i for page in self.pages for i in page]


def _within(facts: Facts, student: str, target: Ref) -> bool:
    user = facts.world.users[student]
    if target.type == "org":
        return facts.anchored_in(Ref("user", student), target.id)
    if target.type == "class":
        return target.id in user.enrolled_in
    return target.id == student


def _expected(access: Access, target: Ref) -> list[str] | None:
    """None when the export itself is denied, else the students every per-student decision allows."""
    if not evaluate(access, Check(access.actor, exports.EXPORT, target))[0].allowed:
        return None
    u = t.User
    students = list(
        access.session.scalars(select(u.id).where(u.tenant_id == access.tenant_id, u.kind == "student"))
    )
    facts = Facts(load_world(access.session, access.tenant_id, users=students), access.profile)
    return sorted(
        s
        for s in students
        if _within(facts, s, target)
        and all(
            evaluate(access, Check(access.actor, p, Ref("user", s)))[0].allowed
            for p in ("student.view", exports.EXPORT)
        )
    )


def _more_students(tenant: Tenant) -> None:
    """A student of another school enrolled in math_4a, and a deleted student of math_4b."""
    cross = NewAccount(
        "student", "kim", "Kim", "Cross", id="kim_cross", org="roosevelt_ms", classes=("math_4a",)
    )
    gone = NewAccount("student", "gone", "Gone", "Kid", id="gone_kid", classes=("math_4b",))
    for new in (cross, gone):
        tenant.as_("carol_customer", lambda a, new=new: accounts.create_account(a, new))
    inactive = AccountChanges(status="inactive")
    tenant.as_("carol_customer", lambda a: accounts.edit_account(a, "gone_kid", inactive, expected=1))
    tenant.as_("carol_customer", lambda a: accounts.delete_account(a, "gone_kid", expected=2))


def disclosure_rows(tenant: Tenant) -> list[tuple[str, str, str | None, str]]:
    d, s = t.Disclosure, t.DisclosedStudent
    query = (
        select(d.action, d.purpose, d.target_id, s.student_id)
        .join(s, (s.tenant_id == d.tenant_id) & (s.disclosure_id == d.id))
        .where(d.tenant_id == tenant.id)
        .order_by(d.id, s.student_id)
    )
    return tenant.read(lambda session: [tuple(r) for r in session.execute(query)])


def test_an_export_holds_exactly_the_students_the_decisions_allow(maple: Tenant) -> None:
    _more_students(maple)
    results: dict[tuple[str, str], list[str] | None] = {}
    for persona in PERSONAS:
        for text in (*TARGETS, "user:kim_cross", "user:gone_kid"):
            target = Ref(*text.split(":"))
            expected = maple.as_(persona, lambda a, target=target: _expected(a, target))
            results[persona, text] = expected
            sink = Collected()

            def run(a: Access, target: Ref = target, sink: Collected = sink) -> exports.ExportSummary:
                return exports.export_students(a, target, "audit", sink=sink, page_size=1)

            if expected is None:
                with pytest.raises((Forbidden, NotFound)):
                    maple.as_(persona, run)
                assert sink.ids == [], (persona, text)
                continue
            summary = maple.as_(persona, run)
            assert sink.ids == expected, (persona, text)
            assert all(len(page) == 1 for page in sink.pages)  # one page at a time
            assert summary.students == len(expected)
    # the corpus is not trivial: cross-school enrollments count, deleted students never do
    assert results["tomas_teacher", "class:math_4a"] == ["kim_cross", "sam_student"]
    assert results["carol_customer", "org:roosevelt_ms"] == ["kim_cross", "omar_student"]
    assert results["priya_principal", "org:lincoln_elem"] == ["kim_cross", "sam_student", "sofia_student"]
    assert results["tara_teacher", "class:math_4a"] is None
    assert all("gone_kid" not in (ids or ()) for ids in results.values())


def test_a_teacher_exports_his_class_but_not_his_school(maple: Tenant) -> None:
    sink = Collected()
    maple.as_(
        "tomas_teacher", lambda a: exports.export_students(a, Ref("class", "math_4a"), "grading", sink=sink)
    )
    assert sink.ids == ["sam_student"]
    with pytest.raises(Forbidden, match=r"report\.export_student_data"):
        maple.as_(
            "tomas_teacher",
            lambda a: exports.export_students(a, Ref("org", "lincoln_elem"), "grading", sink=sink),
        )
    assert disclosure_rows(maple) == [("report.export_student_data", "grading", "math_4a", "sam_student")]


def test_an_export_needs_a_stated_purpose(maple: Tenant) -> None:
    for purpose in ("", "   ", "x" * 201):
        with pytest.raises(InvalidInput) as raised:
            maple.as_(
                "carol_customer",
                lambda a, p=purpose: exports.export_students(a, Ref("org", "northwind"), p, sink=Collected()),
            )
        assert raised.value.code == "invalid_purpose"
    with pytest.raises(InvalidInput, match="not a role"):
        maple.as_(
            "carol_customer", lambda a: exports.export_students(a, Ref("role", "x"), "p", sink=Collected())
        )
    assert disclosure_rows(maple) == []


def test_formula_like_values_are_escaped_in_the_csv(maple: Tenant) -> None:
    evil = "=cmd|' /C calc'!A0"
    new = NewAccount("student", "evil.kid", evil, "@SUM(1+1)", email="-x@example.org", classes=("math_4a",))
    created = maple.as_("tomas_teacher", lambda a: accounts.create_account(a, new))
    out = io.StringIO()
    writer = StudentCsv(out)
    maple.as_(
        "tomas_teacher", lambda a: exports.export_students(a, Ref("class", "math_4a"), "p", sink=writer.write)
    )
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    row = rows[created.account.id]
    assert row["given_name"] == "'" + evil
    assert row["family_name"] == "'@SUM(1+1)"
    assert row["email"] == "'-x@example.org"
    assert row["school"] == "Lincoln Elementary"
    assert row["classes"] == "Math 4A"
    assert set(rows) == {"sam_student", created.account.id}


def test_every_export_and_student_view_is_disclosed(maple: Tenant) -> None:
    maple.as_(
        "priya_principal",
        lambda a: exports.export_students(a, Ref("org", "lincoln_elem"), "state report", sink=Collected()),
    )
    maple.as_("tomas_teacher", lambda a: accounts.get_account(a, "sam_student"))
    maple.as_("tomas_teacher", lambda a: accounts.get_account(a, "tomas_teacher"))  # staff: no student record
    assert disclosure_rows(maple) == [
        ("report.export_student_data", "state report", "lincoln_elem", "sam_student"),
        ("report.export_student_data", "state report", "lincoln_elem", "sofia_student"),
        ("student.view", disclosures.VIEW_PURPOSE, None, "sam_student"),
    ]
    page = maple.as_("tomas_teacher", lambda a: disclosures.list_disclosures(a, student="sam_student"))
    assert [(v.actor, v.action, v.students) for v in page.items] == [
        ("tomas_teacher", "student.view", 1),
        ("priya_principal", "report.export_student_data", 2),
    ]


def test_who_reads_disclosure_records(maple: Tenant) -> None:
    maple.as_(
        "priya_principal",
        lambda a: exports.export_students(a, Ref("org", "lincoln_elem"), "p", sink=Collected()),
    )
    everything = maple.as_("carol_customer", lambda a: disclosures.list_disclosures(a, student=None))
    assert [v.students for v in everything.items] == [2]
    with pytest.raises(Forbidden) as raised:  # not a top administrator of the tenant
        maple.as_("priya_principal", lambda a: disclosures.list_disclosures(a, student=None))
    assert raised.value.code == "disclosures_forbidden"
    with pytest.raises(NotFound):  # another teacher's student
        maple.as_("tomas_teacher", lambda a: disclosures.list_disclosures(a, student="sofia_student"))
    one = maple.as_(
        "tara_teacher", lambda a: disclosures.list_disclosures(a, student="sofia_student", limit=1)
    )
    assert one.next_before == one.items[0].id
    rest = maple.as_(
        "tara_teacher",
        lambda a: disclosures.list_disclosures(a, student="sofia_student", before=one.next_before),
    )
    assert rest.items == []


def test_a_denied_export_writes_only_its_audit_entry(maple: Tenant) -> None:
    def entries() -> list[tuple[str, bool]]:
        query = select(t.AuditEntry).where(t.AuditEntry.tenant_id == maple.id)
        return maple.read(lambda s: [(e.action, e.allowed) for e in s.scalars(query)])

    with pytest.raises(HomeroomError):
        maple.as_(
            "rosa_teacher",
            lambda a: exports.export_students(a, Ref("class", "math_4a"), "p", sink=Collected()),
        )
    assert disclosure_rows(maple) == []
    assert (
        maple.read(lambda s: s.scalars(select(t.Disclosure).where(t.Disclosure.tenant_id == maple.id)).all())
        == []
    )
    assert entries() == [("report.export_student_data", False)]
