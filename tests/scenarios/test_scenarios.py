"""Every policy test file of the corpus passes through decide()."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeroom.scenarios.reports import check_line
from homeroom.scenarios.runner import run_file

HERE = Path(__file__).parent
FILES = sorted(HERE.rglob("*.policytest.yaml"))


def test_the_corpus_is_not_empty() -> None:
    assert len(FILES) >= 5


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(HERE)))
def test_scenario_file(path: Path) -> None:
    result = run_file(path)
    assert result.error is None, result.error.problems
    failures = [check_line(path.name, r) for r in result.results if not r.passed]
    assert not failures, "\n".join(failures)
    assert result.passed == len(result.results) > 0
