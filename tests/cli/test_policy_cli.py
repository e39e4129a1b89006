"""The `homeroom` command as a user runs it: output lines, exit codes, JSON, charts, demos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from homeroom.cli.main import app
from homeroom.scenarios.demo import demo_profiles

SPEC = Path(__file__).parents[1] / "scenarios" / "spec"
runner = CliRunner()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.policytest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


WORLD = """version: 1
profile: math
world:
  orgs: [{id: s1, kind: school}]
  classes: [{id: c1, school: s1}]
  users:
    - {id: t1, kind: staff, roles: [teacher@s1], teaches: [c1]}
    - {id: st1, kind: student, orgs: [s1], enrolled_in: [c1]}
checks:
"""


def test_passing_files_exit_zero_with_one_line_per_check() -> None:
    result = runner.invoke(app, ["policy", "test", str(SPEC / "math.policytest.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "55 passed, 0 failed"
    assert lines[0].endswith("t1 student.delete_inactive user:stA -> allow teacher@s1:assigned")
    assert len(lines) == 56


def test_a_failing_check_exits_one_and_says_why(tmp_path: Path) -> None:
    path = _write(tmp_path, WORLD + '  - {as: t1, can: student.edit, target: "user:st1", expect: deny}\n')
    result = runner.invoke(app, ["policy", "test", str(path)])
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert "-> allow teacher@s1:assigned (expected deny)" in result.output
    assert result.output.strip().endswith("0 passed, 1 failed")


def test_a_broken_file_exits_two_with_the_path_in_the_document(tmp_path: Path) -> None:
    path = _write(tmp_path, WORLD + '  - {as: t1, can: student.edit, target: "user:st9", expect: deny}\n')
    result = runner.invoke(app, ["policy", "test", str(path)])
    assert result.exit_code == 2
    assert "checks[0]: target: user:st9 does not name an object of this world" in result.output
    assert "1 file error" in result.output


def test_no_files_is_an_error(tmp_path: Path) -> None:
    assert runner.invoke(app, ["policy", "test", str(tmp_path)]).exit_code == 2


def test_json_output_is_machine_readable(tmp_path: Path) -> None:
    path = _write(tmp_path, WORLD + '  - {as: t1, can: staff.edit, target: "user:t1", expect: allow}\n')
    broken = tmp_path / "broken.policytest.yaml"
    broken.write_text("version: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["policy", "test", "--json", str(path), str(broken)])
    document = json.loads(result.output)
    assert (document["passed"], document["failed"], document["file_errors"]) == (1, 0, 1)
    check = document["files"][0]["checks"][0]
    assert (check["got"], check["code"], check["rule"]) == ("allow", "teacher@s1:self", "grant")
    assert document["files"][1]["error"]["code"] == "invalid_scenario_file"


def test_quiet_prints_only_failures() -> None:
    result = runner.invoke(app, ["policy", "test", "-q", str(SPEC)])
    assert result.exit_code == 0
    assert result.output.strip() == "212 passed, 0 failed"


def test_explain_lists_every_assignment() -> None:
    args = ["--world", str(SPEC / "math.policytest.yaml"), "--as", "sa1", "--can", "staff.edit"]
    result = runner.invoke(app, ["policy", "explain", *args, "--target", "user:sa1b"])
    assert result.exit_code == 0
    assert "deny R1: sa1b does not rank strictly below school_admin@s1" in result.output
    assert "  school_admin@s1: R1:" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "user sa1b"], "is not a reference"),
        (["--target", "user:zz"], "does not name an object"),
    ],
)
def test_explain_rejects_bad_checks(extra: list[str], message: str) -> None:
    args = [
        "policy",
        "explain",
        "--world",
        str(SPEC / "math.policytest.yaml"),
        "--as",
        "sa1",
        "--can",
        "staff.edit",
    ]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 2
    assert message in result.output


def test_charts_are_markdown_or_html() -> None:
    markdown = runner.invoke(app, ["policy", "chart", "literacy"])
    assert "| 18 | `class.delete` | Delete a group | subtree | assigned, created |" in markdown.output
    html = runner.invoke(app, ["policy", "chart", "math", "--format", "html"])
    assert '<th title="Customer Administrator">customer_admin</th>' in html.output
    assert runner.invoke(app, ["policy", "chart", "chess"]).exit_code == 2
    assert runner.invoke(app, ["policy", "chart", "math", "--format", "pdf"]).exit_code == 2


@pytest.mark.parametrize("profile_id", demo_profiles())
def test_every_demo_runs_and_its_decisions_match_their_notes(profile_id: str) -> None:
    result = runner.invoke(app, ["demo", "--profile", profile_id])
    assert result.exit_code == 0, result.output
    path = (
        Path(__file__).parents[2]
        / "src"
        / "homeroom"
        / "scenarios"
        / "demo"
        / f"{profile_id}.policytest.yaml"
    )
    verdict = runner.invoke(app, ["policy", "test", "-q", str(path)])
    assert verdict.exit_code == 0, verdict.output


def test_demo_for_an_unknown_profile_fails_clearly() -> None:
    result = runner.invoke(app, ["demo", "--profile", "chess"])
    assert result.exit_code == 2
    assert (
        "no demo for profile 'chess'; demos exist for assessment-platform, district-license" in result.output
    )
