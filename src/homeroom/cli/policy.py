"""`homeroom policy ...`: run policy test files, explain one check, print a profile's chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from homeroom.documents.charts import render_chart
from homeroom.errors import HomeroomError
from homeroom.policy import registry
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.validation import check_problems
from homeroom.policy.world import Check
from homeroom.scenarios.files import ScenarioFileError, load_scenario, parse_ref
from homeroom.scenarios.reports import file_as_json, file_lines, summary_line
from homeroom.scenarios.runner import expand, run_file
from homeroom.store.scenario_engines import SqlEngine

app = typer.Typer(help="Decide, test and chart permissions.", no_args_is_help=True)

EXIT_FAILED = 1
EXIT_FILE_ERROR = 2


@app.command("test")
def run_policy_tests(
    files: Annotated[list[Path], typer.Argument(help="Policy test files, or folders of *.policytest.yaml.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable results.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only failures and the summary.")
    ] = False,
    engine: Annotated[
        str, typer.Option("--engine", help="memory: decide() in memory; sql: the SQL twin on a database.")
    ] = "memory",
    db: Annotated[
        str | None,
        typer.Option("--db", help="sql engine: a PostgreSQL server URL (default: a temporary SQLite file)."),
    ] = None,
) -> None:
    """Run policy test files: one line per check, then `N passed, M failed`.

    With `--engine sql` each file's world is written into a fresh database and every check is answered
    by the store's SQL twin. Exit 0 when every check passes, 1 when any fails, 2 when a file is broken.
    """
    if engine not in ("memory", "sql"):
        typer.echo("error: --engine must be memory or sql", err=True)
        raise typer.Exit(EXIT_FILE_ERROR)
    if engine == "memory":
        results = [run_file(path) for path in expand(files)]
    else:
        with SqlEngine(db) as sql:
            results = [run_file(path, sql) for path in expand(files)]
    if as_json:
        passed = sum(r.passed for r in results)
        failed = sum(r.failed for r in results)
        errors = sum(r.error is not None for r in results)
        document = {
            "files": [file_as_json(r) for r in results],
            "passed": passed,
            "failed": failed,
            "file_errors": errors,
        }
        typer.echo(json.dumps(document, indent=2))
    else:
        for result in results:
            for line in file_lines(result, quiet=quiet):
                typer.echo(line)
        typer.echo(summary_line(results))
    if any(r.error is not None for r in results) or not results:
        raise typer.Exit(EXIT_FILE_ERROR)
    if any(r.failed for r in results):
        raise typer.Exit(EXIT_FAILED)


@app.command("explain")
def explain(
    world: Annotated[Path, typer.Option("--world", help="A policy test file whose world to use.")],
    actor: Annotated[str, typer.Option("--as", help="The acting user id.")],
    can: Annotated[str, typer.Option("--can", help="The permission id, e.g. student.edit.")],
    target: Annotated[str, typer.Option("--target", help="TYPE:ID, e.g. user:st1.")],
    to: Annotated[str | None, typer.Option("--to", help="TYPE:ID")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="TYPE:ID")] = None,
    role: Annotated[str | None, typer.Option("--role", help="A role id.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="TYPE:ID of an org.")] = None,
) -> None:
    """Decide one check against a file's world and print the decision with every assignment's reason."""
    try:
        scenario = load_scenario(world)
        refs = {
            name: parse_ref(value) if value else None
            for name, value in (("to", to), ("from", from_), ("at", at))
        }
        check = Check(actor, can, parse_ref(target), refs["to"], refs["from"], role, refs["at"])
    except HomeroomError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(EXIT_FILE_ERROR) from None
    problems = check_problems(check, scenario.world, scenario.profile)
    if problems:
        typer.echo("error: " + "; ".join(problems), err=True)
        raise typer.Exit(EXIT_FILE_ERROR)
    decision = decide(check, Facts(scenario.world, scenario.profile))
    typer.echo(f"{check}: {decision.explain()}")
    for reason in decision.considered:
        typer.echo(f"  {reason.assignment or '-'}: {reason.rule}: {reason.message}")


@app.command("chart")
def chart(
    profile_id: Annotated[str, typer.Argument(metavar="PROFILE", help=", ".join(registry.PROFILE_IDS))],
    fmt: Annotated[str, typer.Option("--format", help="md or html")] = "md",
) -> None:
    """Print a profile's permission chart, generated from its data file."""
    if fmt not in ("md", "html"):
        typer.echo("error: --format must be md or html", err=True)
        raise typer.Exit(EXIT_FILE_ERROR)
    try:
        profile = registry.profile(profile_id)
    except HomeroomError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(EXIT_FILE_ERROR) from None
    typer.echo(render_chart(profile, fmt), nl=False)


__all__ = ["ScenarioFileError", "app"]
