"""`homeroom roster ...`: import and export OneRoster CSV packages, show and change the import settings.

Without --as the command runs as the operator (who holds the database); with --as USERNAME it runs as
that account, and the policy decides (`roster.bulk_import` at the org).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from homeroom.cli.options import DbOption, JsonOption, TenantOption, running
from homeroom.cli.outputs import EXIT_ERROR, emit_json
from homeroom.services import roster_settings as settings_service
from homeroom.services.operators import as_account, as_operator
from homeroom.services.runtime import Authenticate
from homeroom.sync.exports import export_package
from homeroom.sync.imports import ImportOptions, ImportOutcome, import_package

app = typer.Typer(help="Import and export OneRoster CSV packages.", no_args_is_help=True)

ActAs = Annotated[
    str | None,
    typer.Option("--as", metavar="USERNAME", help="Act as this account (default: the operator)."),
]
OrgOption = Annotated[
    str | None,
    typer.Option("--org", metavar="ORG", help="The org the package is for (default: the tenant's root org)."),
]
EXIT_HELD = 3
STAGES = {"validate": "Validating", "users": "Staging users", "roles": "Staging roles",
          "enrollments": "Staging enrollments", "plan": "Planning", "apply": "Applying"}  # fmt: skip


def _who(tenant: str, actor: str | None) -> Authenticate:
    return as_account(tenant, actor) if actor else as_operator(tenant)


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A OneRoster package: a .zip or a folder with manifest.csv.")],
    tenant: TenantOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan and report; write nothing.")] = False,
    approve: Annotated[
        bool, typer.Option("--approve", help="Apply a plan that is held (large removals, administrators).")
    ] = False,
    org: OrgOption = None,
    actor: ActAs = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a package: validate, plan, then apply all of it or nothing. Exit 1 if rejected, 3 if held."""
    if not path.exists():
        typer.echo(f"error [package_not_found]: there is no file or folder {str(path)!r}", err=True)
        raise typer.Exit(EXIT_ERROR)
    options = ImportOptions(dry_run=dry_run, approve=approve, anchor=org)
    with running(db, as_json=as_json) as homeroom:
        if as_json:
            outcome = import_package(homeroom, _who(tenant, actor), path, options)
        else:
            outcome = _with_progress(
                lambda tick: import_package(homeroom, _who(tenant, actor), path, options, tick)
            )
    if as_json:
        emit_json(outcome.as_json())
    else:
        _summary(outcome)
    if outcome.status == "rejected":
        raise typer.Exit(EXIT_ERROR)
    if outcome.status == "held":
        raise typer.Exit(EXIT_HELD)


def _with_progress(run: Any) -> ImportOutcome:
    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.fields[rows]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Starting", rows="")

        def tick(stage: str, rows: int) -> None:
            label = STAGES.get(stage, stage)
            progress.update(task, description=label, rows=f"{rows:,} rows" if rows else "")

        result: ImportOutcome = run(tick)
        return result


def _summary(outcome: ImportOutcome) -> None:
    report = outcome.as_json()
    typer.echo(
        f"import {report['status']} (OneRoster {report['version'] or '?'}, anchored at {report['anchor']})"
    )
    for f in report["files"]:
        typer.echo(f"  {f['file']:<22} {f['mode']:<6} {f['rows']:>9,} rows, {f['rejected']:,} rejected")
    plan = report["plan"]
    if plan is not None:
        typer.echo("  plan:")
        for kind, counts in plan["counts"].items():
            typer.echo(
                f"    {kind:<12} +{counts['created']:<8,} ~{counts['updated']:<8,} -{counts['removed']:,}"
            )
        for reason, n in plan["skipped"].items():
            typer.echo(f"  skipped: {n:,} {reason}")
        for reason in plan["held"]:
            typer.echo(f"  HELD: {reason}")
    for p in report["problems"][:50]:
        where = f"{p['file']}:{p['line']}" if p["line"] is not None else p["file"]
        column = f" {p['column']}" if p["column"] else ""
        typer.echo(f"  {where}{column}: [{p['code']}] {p['value']!r}, expected {p['expected']}")
    hidden = len(report["problems"]) - 50 + report["omitted_problems"]
    if hidden > 0:
        typer.echo(
            f"  ... and {hidden:,} more problem(s) (use --json for the first {len(report['problems'])})"
        )
    if report["status"] == "held":
        typer.echo("nothing was written: run again with --approve to apply this plan")
    elif report["status"] in ("rejected", "planned", "unchanged"):
        typer.echo("nothing was written")
    else:
        typer.echo(f"applied: {report['rows_written']:,} changes")


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="The .zip file to write.")],
    tenant: TenantOption,
    org: OrgOption = None,
    actor: ActAs = None,
    db: DbOption = None,
) -> None:
    """Write the tenant (or the subtree of --org) as a OneRoster 1.2 bulk package."""
    partial = out.with_name(out.name + ".partial")
    with running(db) as homeroom, partial.open("wb") as stream:
        export_package(homeroom, _who(tenant, actor), stream, anchor=org)
    partial.replace(out)
    typer.echo(f"wrote {out} ({out.stat().st_size:,} bytes)")


@app.command("settings")
def settings_command(
    tenant: TenantOption,
    set_file: Annotated[
        Path | None,
        typer.Option(
            "--set", metavar="FILE", help="A JSON file of settings to change (see docs/rostering.md)."
        ),
    ] = None,
    actor: ActAs = None,
    db: DbOption = None,
) -> None:
    """Show the import settings (role and org type mapping, removal rules); with --set, change them."""
    with running(db, as_json=True) as homeroom:
        if set_file is None:
            view = settings_service.read_settings(homeroom, _who(tenant, actor))
        else:
            changes = json.loads(set_file.read_text(encoding="utf-8"))
            view = settings_service.change_settings(homeroom, _who(tenant, actor), changes, expected=None)
    emit_json(view)
