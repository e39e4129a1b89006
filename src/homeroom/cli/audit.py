"""`homeroom audit ...`: verify a tenant's hash chain, list its entries."""

from __future__ import annotations

from typing import Annotated

import typer

from homeroom.cli.options import DbOption, JsonOption, TenantOption, running
from homeroom.cli.outputs import EXIT_ERROR, emit_json
from homeroom.services import audit, operators
from homeroom.services.operators import as_account

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify(tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Check every entry's hash and sequence number; exit 1 listing each problem when the chain is broken."""
    with running(db, as_json=as_json) as homeroom:
        result = operators.verify_audit(homeroom, tenant)
    if as_json:
        emit_json(
            {
                "tenant": tenant,
                "entries": result.entries,
                "intact": result.intact,
                "problems": result.problems,
            }
        )
    elif result.intact:
        typer.echo(f"audit chain of tenant {tenant!r} is intact: {result.entries} entries checked")
    else:
        typer.echo(f"audit chain of tenant {tenant!r} is BROKEN: {result.entries} entries checked")
        for problem in result.problems:
            typer.echo(f"  - {problem}")
        typer.echo(f"error [audit_chain_broken]: {len(result.problems)} problem(s) found", err=True)
    if not result.intact:
        raise typer.Exit(EXIT_ERROR)


@app.command("list")
def list_entries(
    tenant: TenantOption,
    after: Annotated[int, typer.Option("--after", min=0, help="Start after this sequence number.")] = 0,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many entries.")] = 50,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as", metavar="USERNAME", help="Read as this account (it must hold the top role at the root)."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List audit entries in order (the read is itself audited); without --as, as the operator."""
    with running(db, as_json=as_json) as homeroom:
        if actor is None:
            entries = operators.read_audit(homeroom, tenant, after=after, limit=limit)
        else:
            entries = homeroom.work(
                as_account(tenant, actor),
                lambda a: [audit.as_dict(row) for row in audit.read_entries(a, after=after, limit=limit)],
            )
    if as_json:
        emit_json(entries)
        return
    for entry in entries:
        verdict = "allow" if entry["allowed"] else "DENY"
        typer.echo(
            f"{entry['seq']:>6}  {entry['at']}  {entry['actor'] or '-'}  {entry['action']}  "
            f"{entry['target'] or '-'}  {verdict}  {entry['reason']}".rstrip()
        )
    if len(entries) == limit:
        typer.echo(f"more may follow: --after {entries[-1]['seq']}")
    elif not entries:
        typer.echo(f"no entries after {after}")
