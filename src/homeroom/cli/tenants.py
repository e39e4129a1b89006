"""`homeroom tenant ...`: open a tenant (root org, first administrator), list tenants, issue service tokens.

These are operator commands: they act with the database in hand, not as an account, and are audited
with no actor (see `services/operators.py`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from homeroom.cli.options import DbOption, JsonOption, PasswordStdinOption, read_password, running
from homeroom.cli.outputs import (
    account_document,
    account_lines,
    emit_json,
    invitation_document,
    invitation_lines,
    usage_error,
)
from homeroom.policy import registry
from homeroom.policy.world import ORG_KINDS
from homeroom.services import operators
from homeroom.services.operators import FirstAdmin, Root

app = typer.Typer(help="Create and list tenants; issue their service tokens.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The tenant's name, unique in the database.")],
    profile: Annotated[
        str,
        typer.Option("--profile", metavar="PROFILE", help=f"The product: {', '.join(registry.PROFILE_IDS)}."),
    ],
    root_id: Annotated[
        str | None, typer.Option("--root-id", help="The root org's id (default: made from NAME).")
    ] = None,
    root_kind: Annotated[
        str | None,
        typer.Option(
            "--root-kind",
            metavar="KIND",
            help="The root org's kind (default: district, or organization for the assessment platform).",
        ),
    ] = None,
    root_name: Annotated[
        str | None, typer.Option("--root-name", help="The root org's display name (default: NAME).")
    ] = None,
    admin: Annotated[
        str | None,
        typer.Option(
            "--admin", metavar="USERNAME", help="Also create a first administrator at the root org."
        ),
    ] = None,
    admin_role: Annotated[
        str | None,
        typer.Option(
            "--admin-role", metavar="ROLE", help="Their role (default: the highest one held there)."
        ),
    ] = None,
    password_stdin: PasswordStdinOption = False,
    invite: Annotated[
        bool, typer.Option("--invite", help="Invite the administrator: print a one-time set-up token.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a tenant with its root org and, with --admin, a first administrator to act as."""
    if profile not in registry.PROFILE_IDS:
        usage_error(f"--profile must be one of {', '.join(registry.PROFILE_IDS)}")
    if root_kind is not None and root_kind not in ORG_KINDS:
        usage_error(f"--root-kind must be one of {', '.join(ORG_KINDS)}")
    if admin is None and (admin_role or password_stdin or invite):
        usage_error("--admin-role, --password-stdin and --invite need --admin")
    if password_stdin and invite:
        usage_error("give either --password-stdin or --invite, not both")
    password = read_password(from_stdin=password_stdin)
    first = FirstAdmin(admin, admin_role, password=password, invite=invite) if admin else None
    profile_value = registry.profile(profile)
    root = Root(
        root_id or operators.root_id_for(name),
        root_kind or operators.root_kind(profile_value),
        root_name or name,
    )
    with running(db, as_json=as_json) as homeroom:
        opened = operators.open_tenant(homeroom, name, profile, root=root, admin=first)
    if as_json:
        emit_json(
            {
                "tenant": {"id": opened.id, "name": opened.name, "profile": opened.profile},
                "root": {"id": root.id, "kind": root.kind, "name": root.name},
                "admin": account_document(opened.admin) if opened.admin else None,
                "invitation": invitation_document(opened.invitation),
            }
        )
        return
    typer.echo(f"created tenant {opened.name!r} (id {opened.id}, profile {opened.profile})")
    typer.echo(f"root org: {root.id} ({root.kind}, {root.name!r})")
    if opened.admin is not None:
        typer.echo("first administrator:")
        for line in [*account_lines(opened.admin), *invitation_lines(opened.invitation)]:
            typer.echo(f"  {line}")


@app.command("list")
def list_tenants(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the database's tenants with their profiles."""
    with running(db, as_json=as_json) as homeroom:
        found = operators.list_tenants(homeroom)
    if as_json:
        emit_json([{"id": t.id, "name": t.name, "profile": t.profile} for t in found])
        return
    if not found:
        typer.echo("no tenants yet: create one with `homeroom tenant create NAME --profile P`")
        return
    width = max(len("name"), *(len(t.name) for t in found))
    typer.echo(f"{'name':<{width}}  {'profile':<20}  id")
    for tenant in found:
        typer.echo(f"{tenant.name:<{width}}  {tenant.profile:<20}  {tenant.id}")


@app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="The tenant's name.")],
    token_name: Annotated[str, typer.Option("--name", help="A label for the token.")] = "service",  # noqa: S107 - a label
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a service token for the tenant (SCIM, the authorization service); it is shown only once."""
    with running(db, as_json=as_json) as homeroom:
        issued = operators.issue_token(homeroom, name, token_name)
    if as_json:
        emit_json(
            {
                "tenant": name,
                "id": issued.id,
                "name": issued.name,
                "token": issued.token,
                "created_at": issued.created_at.isoformat(),
            }
        )
        return
    typer.echo(f"service token {issued.name!r} (id {issued.id}) of tenant {name!r}, shown only this once:")
    typer.echo(issued.token)
    typer.echo("send it as `Authorization: Bearer <token>`")
