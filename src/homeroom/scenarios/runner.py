"""Run policy test files through an engine and collect results.

An engine turns a scenario's world into a function answering checks. The in-memory engine is `decide`
over indexed facts; the store provides the SQL twin as another engine, so the same files judge both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from homeroom.policy.decisions import Decision
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.profiles import Profile
from homeroom.policy.world import Check, World
from homeroom.scenarios.files import ExpectedCheck, ScenarioFileError, load_scenario

Answer = Callable[[Check], Decision]
Engine = Callable[[World, Profile], Answer]


def memory_engine(world: World, profile: Profile) -> Answer:
    """decide() over the world indexed once."""
    facts = Facts(world, profile)
    return lambda check: decide(check, facts)


@dataclass(frozen=True, slots=True)
class CheckResult:
    expected: ExpectedCheck
    got: Decision

    @property
    def passed(self) -> bool:
        return self.got.effect == self.expected.expect


@dataclass(frozen=True, slots=True)
class FileResult:
    file: str
    name: str | None
    profile: str | None
    results: tuple[CheckResult, ...] = ()
    error: ScenarioFileError | None = None

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def run_file(path: Path, engine: Engine = memory_engine) -> FileResult:
    """Load one file and answer each of its checks; a broken file gives a result with `error` set."""
    try:
        scenario = load_scenario(path)
    except ScenarioFileError as error:
        return FileResult(str(path), None, None, error=error)
    answer = engine(scenario.world, scenario.profile)
    results = tuple(CheckResult(expected, answer(expected.check)) for expected in scenario.checks)
    return FileResult(scenario.file, scenario.name, scenario.profile.id, results)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders become their `*.policytest.yaml` files, sorted."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.policytest.yaml")) if path.is_dir() else [path])
    return found
