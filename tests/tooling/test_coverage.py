"""The policy core is covered branch by branch by its own tests (unit and scenario corpus)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_policy_has_full_branch_coverage() -> None:
    command = [
        sys.executable, "-m", "pytest", "tests/unit", "tests/scenarios", "-q", "-p", "no:cacheprovider",
        "--cov=homeroom.policy", "--cov-branch", "--cov-fail-under=100",
        "--cov-report=term-missing:skip-covered",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
