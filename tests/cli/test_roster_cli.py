"""`homeroom roster ...` end to end on a SQLite file: import with a readable summary and exit codes,
--dry-run, --json, a held plan and --approve, export, settings."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke
from tests.unit.rostering.roster_packages import package_1_1, with_rows, write_folder

STUDENTS = [f"s{i},,,true,s1,student,stu{i},,Stu,Dent{i},,,,,,,07," for i in range(3, 13)]


def _tenant(homeroom: Invoke) -> str:
    result = homeroom("tenant", "create", "Lakeside", "--profile", "math")
    assert result.exit_code == 0, result.output
    return "Lakeside"


def test_import_prints_a_summary_and_a_second_run_changes_nothing(homeroom: Invoke, tmp_path: Path) -> None:
    tenant = _tenant(homeroom)
    package = str(write_folder(tmp_path / "pkg", package_1_1()))
    first = homeroom("roster", "import", package, "--tenant", tenant)
    assert first.exit_code == 0, first.output
    assert "import applied (OneRoster 1.1" in first.output
    assert "students     +1" in first.output
    second = homeroom("roster", "import", package, "--tenant", tenant, "--json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["status"] == "unchanged"


def test_a_dry_run_writes_nothing(homeroom: Invoke, tmp_path: Path) -> None:
    tenant = _tenant(homeroom)
    package = str(write_folder(tmp_path / "pkg", package_1_1()))
    dry = homeroom("roster", "import", package, "--tenant", tenant, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "nothing was written" in dry.output
    again = homeroom("roster", "import", package, "--tenant", tenant, "--dry-run", "--json")
    assert json.loads(again.stdout)["plan"]["counts"]["students"]["created"] == 1


def test_a_rejected_package_exits_1_with_each_problem(homeroom: Invoke, tmp_path: Path) -> None:
    tenant = _tenant(homeroom)
    broken = package_1_1()
    broken["users.csv"] = str(broken["users.csv"]).replace("u2,,,true", "u2,,,maybe")
    result = homeroom("roster", "import", str(write_folder(tmp_path / "bad", broken)), "--tenant", tenant)
    assert result.exit_code == 1
    assert "users.csv:3 enabledUser: [bad_boolean] 'maybe'" in result.output


def test_a_held_plan_exits_3_until_approved(homeroom: Invoke, tmp_path: Path) -> None:
    tenant = _tenant(homeroom)
    full = write_folder(tmp_path / "full", with_rows(package_1_1(), "users.csv", *STUDENTS))
    assert homeroom("roster", "import", str(full), "--tenant", tenant).exit_code == 0
    smaller = str(write_folder(tmp_path / "smaller", with_rows(package_1_1(), "users.csv", *STUDENTS[:5])))
    held = homeroom("roster", "import", smaller, "--tenant", tenant)
    assert held.exit_code == 3, held.output
    assert "HELD: 5 of 11 students" in held.output
    approved = homeroom("roster", "import", smaller, "--tenant", tenant, "--approve", "--json")
    assert approved.exit_code == 0, approved.output
    assert json.loads(approved.stdout)["plan"]["counts"]["students"]["removed"] == 5


def test_export_writes_a_package_that_imports_unchanged(homeroom: Invoke, tmp_path: Path) -> None:
    tenant = _tenant(homeroom)
    homeroom("roster", "import", str(write_folder(tmp_path / "pkg", package_1_1())), "--tenant", tenant)
    out = tmp_path / "export.zip"
    result = homeroom("roster", "export", str(out), "--tenant", tenant)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    again = homeroom("roster", "import", str(out), "--tenant", tenant, "--json")
    assert json.loads(again.stdout)["status"] == "unchanged"


def test_settings_show_and_change(homeroom: Invoke, tmp_path: Path) -> None:
    tenant = _tenant(homeroom)
    shown = homeroom("roster", "settings", "--tenant", tenant)
    assert json.loads(shown.stdout)["settings"]["absent"] == "deactivate"
    changes = tmp_path / "changes.json"
    changes.write_text('{"absent": "keep"}', encoding="utf-8")
    changed = homeroom("roster", "settings", "--tenant", tenant, "--set", str(changes))
    assert changed.exit_code == 0, changed.output
    assert json.loads(changed.stdout)["settings"]["absent"] == "keep"
    assert json.loads(changed.stdout)["version"] == 1


def test_a_missing_package_is_a_clear_error(homeroom: Invoke, tmp_path: Path) -> None:
    tenant = _tenant(homeroom)
    result = homeroom("roster", "import", str(tmp_path / "nope.zip"), "--tenant", tenant)
    assert result.exit_code == 1
    assert "package_not_found" in result.output
