"""`homeroom audit verify|list`: the chain is checked entry by entry, tampering through SQL is caught."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from tests.cli.conftest import Invoke

from homeroom.store.database import engine_for

EDITED = ["entry 2 was changed, or an entry before it was removed or reordered"]
REMOVED = [
    "entry 2 is missing (the next stored entry is 3)",
    "entry 3 was changed, or an entry before it was removed or reordered",
]
REMOVED_LAST = ["the log ends at entry 3 but 4 were written: entries were removed"]
REORDERED = [f"entry {seq} was changed, or an entry before it was removed or reordered" for seq in (2, 3, 4)]
TAMPERING = {
    "edited": (["UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 2"], EDITED),
    "removed": (["DELETE FROM audit_log WHERE seq = 2"], REMOVED),
    "removed-last": (["DELETE FROM audit_log WHERE seq = 4"], REMOVED_LAST),
    "reordered": (
        [
            "UPDATE audit_log SET seq = -1 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = -1",
        ],
        REORDERED,
    ),
}


@pytest.fixture
def north(homeroom: Invoke) -> str:
    """A tenant with four audit entries: tenant.create, staff.create, two service tokens."""
    assert homeroom("tenant", "create", "North", "--profile", "math", "--admin", "ada").exit_code == 0
    assert homeroom("tenant", "token", "North").exit_code == 0
    assert homeroom("tenant", "token", "North", "--name", "scim").exit_code == 0
    return "North"


def _tamper(db: str, statements: list[str]) -> None:
    engine = engine_for(db)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def test_an_untouched_chain_is_intact(homeroom: Invoke, north: str) -> None:
    result = homeroom("audit", "verify", "--tenant", north)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "audit chain of tenant 'North' is intact: 4 entries checked"
    document = json.loads(homeroom("audit", "verify", "--tenant", north, "--json").stdout)
    assert document == {"tenant": "North", "entries": 4, "intact": True, "problems": []}


@pytest.mark.parametrize("case", TAMPERING)
def test_tampering_is_detected_and_each_problem_listed(
    homeroom: Invoke, north: str, db: str, case: str
) -> None:
    statements, problems = TAMPERING[case]
    _tamper(db, statements)
    result = homeroom("audit", "verify", "--tenant", north)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("audit chain of tenant 'North' is BROKEN: ")
    assert lines[1:] == [f"  - {problem}" for problem in problems]
    assert result.stderr.strip() == f"error [audit_chain_broken]: {len(problems)} problem(s) found"
    document = json.loads(homeroom("audit", "verify", "--tenant", north, "--json").stdout)
    assert document["intact"] is False
    assert document["problems"] == problems


def test_verify_an_unknown_tenant(homeroom: Invoke) -> None:
    result = homeroom("audit", "verify", "--tenant", "Nowhere")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error [tenant_not_found]: there is no tenant named 'Nowhere'"


def test_list_pages_through_the_entries_and_records_the_read(homeroom: Invoke, north: str) -> None:
    first = homeroom("audit", "list", "--tenant", north, "--limit", "2")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["1", "2"]
    assert lines[0].split()[2:5] == ["-", "tenant.create", "org:north"]
    assert lines[1].split()[3] == "staff.create"
    assert lines[2] == "more may follow: --after 2"
    rest = json.loads(homeroom("audit", "list", "--tenant", north, "--after", "2", "--json").stdout)
    assert [(e["seq"], e["action"]) for e in rest] == [
        (3, "tenant.issue_service_token"),
        (4, "tenant.issue_service_token"),
        (5, "audit.read"),  # the first listing, recorded by the operator
    ]
    assert rest[2]["actor"] is None
    assert homeroom("audit", "verify", "--tenant", north).exit_code == 0


@pytest.mark.usefixtures("demo_math")
def test_list_as_an_account_is_authorized(homeroom: Invoke) -> None:
    allowed = homeroom("audit", "list", "--tenant", "demo-math", "--as", "carol_customer", "--json")
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout) == []  # the demo world is written without audit entries
    denied = homeroom("audit", "list", "--tenant", "demo-math", "--as", "tomas_teacher")
    assert denied.exit_code == 1
    assert denied.stderr.startswith("error [audit_forbidden]: ")
    entries = json.loads(homeroom("audit", "list", "--tenant", "demo-math", "--json").stdout)
    assert [(e["actor"], e["action"]) for e in entries] == [("carol_customer", "audit.read")]


def test_list_usage_errors(homeroom: Invoke, north: str) -> None:
    assert homeroom("audit", "list", "--tenant", north, "--limit", "0").exit_code == 2
    assert homeroom("audit", "list", "--tenant", north, "--after", "-1").exit_code == 2
    assert homeroom("audit", "list").exit_code == 2  # --tenant is required
