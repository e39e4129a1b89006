"""`homeroom tenant create|list|token`: operator commands on a fresh SQLite file."""

from __future__ import annotations

import json

import pytest
from tests.cli.conftest import Invoke
from typer.testing import CliRunner

from homeroom.cli.main import app
from homeroom.config import Settings
from homeroom.policy import registry
from homeroom.services import accounts, logins
from homeroom.services.access import acting_as
from homeroom.services.runtime import Homeroom


def _open(db: str) -> Homeroom:
    return Homeroom.open(Settings(database_url=db))


def test_create_makes_the_tenant_its_root_district_and_an_administrator_who_can_act(
    homeroom: Invoke, db: str
) -> None:
    result = homeroom(
        "tenant",
        "create",
        "Maple Valley",
        "--profile",
        "math",
        "--admin",
        "ada",
        "--password-stdin",
        stdin="correct-horse\n",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("created tenant 'Maple Valley' (id ")
    assert lines[0].endswith(", profile math)")
    assert lines[1] == "root org: maple-valley (district, 'Maple Valley')"
    assert "(username ada)" in lines[3]
    assert "    roles:       district_admin@maple-valley" in lines

    staff = homeroom(
        "staff",
        "add",
        "--tenant",
        "Maple Valley",
        "--as",
        "ada",
        "--username",
        "lee",
        "--role",
        "district_admin",
        "--org",
        "maple-valley",
    )
    assert staff.exit_code == 0, staff.output
    runtime = _open(db)
    try:
        session = logins.login(runtime, "Maple Valley", "ada", "correct-horse", address="test")
        me = runtime.work(
            acting_as(session.tenant_id, session.user_id), lambda a: accounts.read_account(a, a.actor)
        )
    finally:
        runtime.close()
    assert me.username == "ada"


def test_create_as_json_with_an_invited_administrator(homeroom: Invoke) -> None:
    result = homeroom(
        "tenant", "create", "North", "--profile", "math", "--admin", "boss", "--invite", "--json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["tenant"]["name"] == "North"
    assert document["root"] == {"id": "north", "kind": "district", "name": "North"}
    assert document["admin"]["status"] == "invited"
    assert document["admin"]["roles"] == [{"role": "district_admin", "org": "north"}]
    assert len(document["invitation"]["token"]) >= 40


def test_the_assessment_platform_starts_with_an_organization_and_its_administrator(homeroom: Invoke) -> None:
    result = homeroom(
        "tenant", "create", "Acme Tests", "--profile", "assessment-platform", "--admin", "root", "--json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["root"] == {"id": "acme-tests", "kind": "organization", "name": "Acme Tests"}
    assert document["admin"]["roles"] == [{"role": "administrator", "org": "acme-tests"}]


def test_root_options_are_used(homeroom: Invoke) -> None:
    result = homeroom(
        "tenant",
        "create",
        "Northwind",
        "--profile",
        "math",
        "--root-id",
        "nw",
        "--root-kind",
        "customer",
        "--root-name",
        "Northwind Schools",
        "--admin",
        "carol",
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["root"] == {"id": "nw", "kind": "customer", "name": "Northwind Schools"}
    assert document["admin"]["roles"] == [{"role": "customer_admin", "org": "nw"}]


def test_a_taken_name_is_a_domain_error_and_writes_nothing(homeroom: Invoke) -> None:
    assert homeroom("tenant", "create", "North", "--profile", "math").exit_code == 0
    again = homeroom("tenant", "create", "North", "--profile", "literacy")
    assert again.exit_code == 1
    assert again.stderr.strip() == "error [tenant_exists]: tenant 'North' already exists"
    listed = json.loads(homeroom("tenant", "list", "--json").stdout)
    assert [(t["name"], t["profile"]) for t in listed] == [("North", "math")]


def test_a_failing_administrator_rolls_the_tenant_back(homeroom: Invoke) -> None:
    result = homeroom(
        "tenant",
        "create",
        "North",
        "--profile",
        "math",
        "--admin",
        "a",
        "--password-stdin",
        "--json",
        stdin="short\n",
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "weak_password"
    assert json.loads(homeroom("tenant", "list", "--json").stdout) == []


def test_a_role_that_cannot_be_held_at_the_root_is_refused(homeroom: Invoke) -> None:
    result = homeroom(
        "tenant", "create", "North", "--profile", "math", "--admin", "a", "--admin-role", "teacher"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error [invalid_user]: ")


def test_usage_errors_exit_two(homeroom: Invoke) -> None:
    unknown = homeroom("tenant", "create", "North", "--profile", "chess")
    assert unknown.exit_code == 2
    assert "--profile must be one of district-license, math" in unknown.stderr
    both = homeroom(
        "tenant", "create", "North", "--profile", "math", "--admin", "a", "--invite", "--password-stdin"
    )
    assert both.exit_code == 2
    assert "either --password-stdin or --invite" in both.stderr
    lonely = homeroom("tenant", "create", "North", "--profile", "math", "--invite")
    assert lonely.exit_code == 2
    assert "need --admin" in lonely.stderr
    kind = homeroom("tenant", "create", "North", "--profile", "math", "--root-kind", "galaxy")
    assert kind.exit_code == 2
    assert homeroom("tenant", "create", "North").exit_code == 2  # --profile is required


def test_list_is_readable_and_json(homeroom: Invoke) -> None:
    assert homeroom("tenant", "list").stdout.startswith("no tenants yet")
    homeroom("tenant", "create", "Zeta", "--profile", "math")
    homeroom("tenant", "create", "Alpha", "--profile", "literacy")
    lines = homeroom("tenant", "list").stdout.splitlines()
    assert lines[0].split() == ["name", "profile", "id"]
    assert [line.split()[:2] for line in lines[1:]] == [["Alpha", "literacy"], ["Zeta", "math"]]
    listed = json.loads(homeroom("tenant", "list", "--json").stdout)
    assert [t["name"] for t in listed] == ["Alpha", "Zeta"]


def test_token_prints_a_working_service_token_once(homeroom: Invoke, db: str) -> None:
    homeroom("tenant", "create", "North", "--profile", "math")
    result = homeroom("tenant", "token", "North", "--name", "scim")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("service token 'scim' (id ")
    secret = lines[1]
    assert secret.startswith("hr_")
    runtime = _open(db)
    try:
        with runtime.sessions.begin() as session:
            principal = logins.token_principal(session, runtime, secret=secret)
    finally:
        runtime.close()
    assert principal.user_id is None
    assert principal.via == "service"
    document = json.loads(homeroom("tenant", "token", "North", "--json").stdout)
    assert document["name"] == "service"
    assert document["token"].startswith("hr_")
    assert document["token"] != secret


def test_token_for_an_unknown_tenant_is_not_found(homeroom: Invoke) -> None:
    result = homeroom("tenant", "token", "Nowhere")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error [tenant_not_found]: there is no tenant named 'Nowhere'"
    as_json = homeroom("tenant", "token", "Nowhere", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["error"] == {
        "code": "tenant_not_found",
        "message": "there is no tenant named 'Nowhere'",
        "details": {"name": "Nowhere"},
    }


@pytest.mark.usefixtures("db")
def test_a_bad_database_url_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["tenant", "list", "--db", "nonsense://"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --db: ")


@pytest.mark.parametrize("profile", registry.PROFILE_IDS)
def test_every_profile_opens_with_its_default_root_and_administrator(homeroom: Invoke, profile: str) -> None:
    result = homeroom("tenant", "create", "Blue Lake", "--profile", profile, "--admin", "boss", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected_kind = "organization" if profile == "assessment-platform" else "district"
    assert document["root"] == {"id": "blue-lake", "kind": expected_kind, "name": "Blue Lake"}
    [assignment] = document["admin"]["roles"]
    top = max(
        (r for r in registry.profile(profile).roles.values() if expected_kind in r.assignable_at),
        key=lambda r: r.rank or 0,
    )
    assert assignment == {"role": top.id, "org": "blue-lake"}
    audit = homeroom("audit", "list", "--tenant", "Blue Lake", "--json")
    assert [e["action"] for e in json.loads(audit.stdout)] == ["tenant.create", "staff.create"]
