"""The project's own rules, checked on every run: lint, types, layers, the README and generated docs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from homeroom.documents.charts import render_chart
from homeroom.policy import registry

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = _run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_point_one_way_and_policy_is_pure() -> None:
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def _readme_command(marker: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\n```sh\n(.+?)\n```", readme)
    assert match is not None, f"README has no {marker} block"
    return match.group(1)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_command("test-command") in ci.splitlines()


def test_readme_run_command_installs_then_starts_homeroom() -> None:
    command = _readme_command("run-command")
    assert command.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert command.split(" && ")[-1].startswith(".venv/bin/homeroom ")


@pytest.mark.parametrize("profile_id", registry.PROFILE_IDS)
def test_permission_docs_are_generated_from_the_profiles(profile_id: str) -> None:
    doc = ROOT / "docs" / "permissions" / f"{profile_id}.md"
    expected = render_chart(registry.profile(profile_id), "md")
    assert doc.read_text(encoding="utf-8") == expected, (
        f"{doc} drifted from the profile data: run `homeroom policy chart {profile_id} > {doc}`"
    )
