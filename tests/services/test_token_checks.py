"""Checks asked with an API token (services/checks.py, `check_by_token`): the token, the tenant's revision
and the users read in one statement (store/bearers.py) in a unit of work without a transaction
(`Homeroom.read`), with the same decisions and errors as the same checks through `Homeroom.work`, on both
databases; and a read-only unit of work refuses to write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from tests.services.conftest import Tenant

from homeroom.errors import Forbidden, HomeroomError, Unauthenticated
from homeroom.policy.world import INACTIVE, Check
from homeroom.scenarios.demo import demo_scenario
from homeroom.services import checks
from homeroom.services.access import Principal
from homeroom.services.logins import digest, issue_service_token, issue_token, token_principal
from homeroom.store import tables as t
from homeroom.store.bearers import bearer_and_people
from homeroom.store.credentials import token_holder
from homeroom.store.facts import load_world

pytestmark = pytest.mark.db


def _service_token(math: Tenant) -> str:
    return math.read(lambda s: issue_service_token(s, math.id, "checks", datetime.now(UTC)).token)


def _through_work(math: Tenant, secret: str, questions: list[Check]) -> object:
    def authenticate(session: Session, _app: object) -> Principal:
        return token_principal(session, math.app, secret=secret)

    try:
        return math.app.work(authenticate, lambda a: checks.check_many(a, questions))
    except HomeroomError as error:
        return (type(error), error.code, str(error))


def _by_token(math: Tenant, secret: str, questions: list[Check]) -> object:
    try:
        return checks.check_by_token(math.app, secret, questions)
    except HomeroomError as error:
        return (type(error), error.code, str(error))


def _user_token(math: Tenant, persona: str) -> str:
    return math.as_(persona, lambda a: issue_token(a, "checks")).token


def test_every_demo_check_is_decided_as_through_a_unit_of_work(math: Tenant) -> None:
    questions = [case.check for case in demo_scenario("math").checks]
    secret = _service_token(math)
    for question in questions:
        assert _by_token(math, secret, [question]) == _through_work(math, secret, [question])
    together = _by_token(math, secret, questions)
    assert together == _through_work(math, secret, questions)
    assert isinstance(together, list)
    assert {d.allowed for d in together} == {True, False}


def test_tokens_fail_as_through_a_unit_of_work(math: Tenant) -> None:
    question = demo_scenario("math").checks[0].check
    own = _user_token(math, "tomas_teacher")
    mine = Check("tomas_teacher", question.permission, question.target)
    theirs = Check("sam_student", question.permission, question.target)
    revoked = _service_token(math)
    math.read(
        lambda s: s.execute(
            update(t.ApiToken)
            .where(t.ApiToken.secret_hash == digest(revoked))
            .values(revoked_at=datetime.now(UTC))
        )
    )
    cases = [
        (own, [mine]),
        (own, [theirs]),  # an account asks only about itself
        ("hr_unknown", [mine]),
        (revoked, [mine]),
    ]
    answers = [_by_token(math, secret, asked) for secret, asked in cases]
    assert answers == [_through_work(math, secret, asked) for secret, asked in cases]
    assert isinstance(answers[0], list)
    assert answers[1][:2] == (Forbidden, "not_your_account")  # type: ignore[index]
    assert answers[2][0] is Unauthenticated  # type: ignore[index]
    assert answers[3][0] is Unauthenticated  # type: ignore[index]
    math.read(
        lambda s: s.execute(
            update(t.User)
            .where(t.User.tenant_id == math.id, t.User.id == "tomas_teacher")
            .values(status=INACTIVE)
        )
    )
    assert _by_token(math, own, [mine]) == _through_work(math, own, [mine])
    assert _by_token(math, own, [mine])[0] is Unauthenticated  # type: ignore[index]


def test_the_statement_reads_the_holder_and_the_users_as_apart(math: Tenant) -> None:
    secret = _service_token(math)
    named = {"tomas_teacher", "sam_student", "pat_principal", "nobody_here"}

    def read(session: Session) -> None:
        found = bearer_and_people(session, digest(secret), named)
        assert found.holder == token_holder(session, digest(secret))
        world = load_world(session, math.id, users=named, classes_in_order=False)
        assert {i: u for i, u in found.users.items() if u is not None} == dict(world.users)
        assert found.users["nobody_here"] is None
        assert len(world.users) >= 2
        unknown = bearer_and_people(session, digest("hr_unknown"), named)
        assert unknown.holder is None
        assert set(unknown.users.values()) == {None}

    math.read(read)


def test_a_read_only_unit_of_work_refuses_to_write(math: Tenant) -> None:
    secret = _service_token(math)

    def authenticate(session: Session) -> tuple[Principal, None]:
        return token_principal(session, math.app, secret=secret), None

    def write_by_flush(access: object, _read: None) -> None:
        access.session.add(t.Org(tenant_id=math.id, id="new_school", kind="school"))  # type: ignore[attr-defined]
        access.session.flush()  # type: ignore[attr-defined]

    def write_by_statement(access: object, _read: None) -> None:
        access.session.execute(update(t.Tenant).where(t.Tenant.id == math.id).values(revision=99))  # type: ignore[attr-defined]

    for use_case in (write_by_flush, write_by_statement):
        with pytest.raises(RuntimeError, match="read-only"):
            math.app.read(authenticate, use_case)
    assert (
        math.read(
            lambda s: s.scalar(select(t.Org.id).where(t.Org.tenant_id == math.id, t.Org.id == "new_school"))
        )
        is None
    )
    assert math.read(lambda s: s.scalar(select(t.Tenant.revision).where(t.Tenant.id == math.id))) != 99


def test_read_only_units_of_work_plan_generically_on_postgresql(math: Tenant) -> None:
    engine = math.app.readers or math.app.engine
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert math.app.readers is None
            return
        assert connection.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
    with math.app.engine.connect() as connection:
        assert connection.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
