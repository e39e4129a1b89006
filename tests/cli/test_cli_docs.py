"""The command's documentation stays true: docs/cli.md is generated, the README's examples run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from tests.cli.conftest import Invoke

from homeroom.cli import serve
from homeroom.cli.main import app
from homeroom.cli.reference import render_reference
from homeroom.config import Settings

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_command_reference_is_generated_from_the_app() -> None:
    doc = ROOT / "docs" / "cli.md"
    assert doc.read_text(encoding="utf-8") == render_reference(app), (
        f"{doc} drifted from the command's help: run `.venv/bin/python -m homeroom.cli.reference > {doc}`"
    )


def test_the_reference_names_every_command_and_option() -> None:
    reference = render_reference(app)
    for heading in ("## `homeroom serve`", "## `homeroom tenant create`", "## `homeroom audit verify`"):
        assert heading in reference
    assert "| `--demo/--no-demo` | Create the demo tenants and print their logins. | on |" in reference
    assert "| `--tenant NAME` | The tenant's name. | required |" in reference


def test_the_readme_runs_homeroom_serve() -> None:
    match = re.search(r"<!-- run-command -->\n```sh\n(.+?)\n```", README)
    assert match is not None
    assert match.group(1).split(" && ")[-1] == ".venv/bin/homeroom serve"


def test_the_readme_login_example_is_what_serve_prints(db: str) -> None:
    startup = serve.prepare(Settings(database_url=db), demo=True)
    startup.homeroom.close()
    command = serve.login_command(startup)
    assert command is not None
    assert f"```sh\n{command}\n```" in README


def _start_examples() -> list[list[str]]:
    start = README[README.index("<!-- run-command -->") : README.index("<!-- test-command -->")]
    lines = [line.split("  #")[0] for line in start.splitlines() if line.startswith(".venv/bin/homeroom ")]
    return [shlex.split(line)[1:] for line in lines]


def test_the_readme_has_command_line_examples() -> None:
    commands = [" ".join(words[:2]) for words in _start_examples()]
    assert commands == [
        "tenant create",
        "tenant token",
        "staff add",
        "student add",
        "user deactivate",
        "audit verify",
    ]


@pytest.mark.usefixtures("demo_math")
def test_the_readme_command_line_examples_run(homeroom: Invoke) -> None:
    for words in _start_examples():
        result = homeroom(*words)
        assert result.exit_code == 0, f"{shlex.join(words)}\n{result.output}"
