"""`homeroom content add` (operators) and `homeroom key generate` (as an account): the assessment platform.

Partners, workflows and notifications have no create permission in the chart, so operators add them, and
link a partner to the account an impersonation acts as. Keys are generated as an account holding
`key.create`, through the same use case as `POST /api/v1/keys`; their codes are printed once.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from homeroom.cli.options import AsOption, DbOption, JsonOption, TenantOption, running
from homeroom.cli.outputs import emit_json, usage_error
from homeroom.services import content_operators, keys
from homeroom.services.content import ContentView
from homeroom.services.content_operators import OperatorObject
from homeroom.services.operators import as_account, as_operator

content_app = typer.Typer(help="Assessment-platform objects only operators add.", no_args_is_help=True)
key_app = typer.Typer(help="Access keys.", no_args_is_help=True)

OrgOption = Annotated[str | None, typer.Option("--org", help="The org (id) the object belongs to.")]


def _document(view: ContentView) -> dict[str, object]:
    document = asdict(view)
    document["deleted"] = view.deleted != "none"
    return document


@content_app.command("add")
def add_content(
    kind: Annotated[str, typer.Argument(metavar="TYPE", help="partner, workflow or notification.")],
    tenant: TenantOption,
    name: Annotated[str, typer.Option("--name", help="Its name (a notification's title).")],
    org: OrgOption = None,
    account: Annotated[
        str | None, typer.Option("--account", metavar="USERNAME", help="Partners: the account acted as.")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", metavar="USERNAME", help="Notifications: the recipient.")
    ] = None,
    object_id: Annotated[str | None, typer.Option("--id", help="The id (default: generated).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a partner (with --org and --account), a workflow (--org) or a notification (--to)."""
    if kind not in content_operators.OPERATOR_TYPES:
        usage_error(f"TYPE must be one of {', '.join(content_operators.OPERATOR_TYPES)}")
    new = OperatorObject(kind, name, org=org, account=account, recipient=to, id=object_id)
    with running(db, as_json=as_json) as homeroom:
        view = homeroom.work(as_operator(tenant), lambda a: content_operators.add_object(a, new))
    if as_json:
        emit_json(_document(view))
        return
    typer.echo(f"{view.type} {view.id}: {view.name}")


@key_app.command("generate")
def generate_keys(
    tenant: TenantOption,
    actor: AsOption,
    org: Annotated[str, typer.Option("--org", help="The org (id) the keys belong to.")],
    count: Annotated[int, typer.Option("--count", min=1, max=keys.MAX_BATCH, help="How many keys.")] = 1,
    name: Annotated[str, typer.Option("--name", help="A label for the keys.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate access keys at ORG (`key.create`), as the --as account; each code is printed only now."""
    batch = keys.KeyBatch(org, count, name)
    with running(db, as_json=as_json) as homeroom:
        made = homeroom.work(as_account(tenant, actor), lambda a: keys.generate_keys(a, batch))
    if as_json:
        emit_json({"keys": [{"id": k.key.id, "code": k.code, "org": k.key.org} for k in made]})
        return
    for key in made:
        typer.echo(f"{key.code}  ({key.key.id})")
