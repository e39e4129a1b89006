"""`homeroom staff|student|user ...`: account use cases, run as an account of the tenant (`--as`).

Each command is one unit of work through the same use case the API calls: authorized by the policy as
the `--as` account, validated, written and audited, or rolled back with the error's code (exit 1).
"""

from __future__ import annotations

from typing import Annotated

import typer

from homeroom.cli.options import (
    AsOption,
    DbOption,
    JsonOption,
    PasswordStdinOption,
    TenantOption,
    read_password,
    running,
)
from homeroom.cli.outputs import (
    account_document,
    account_lines,
    emit_json,
    invitation_document,
    invitation_lines,
    usage_error,
)
from homeroom.policy.world import STAFF, STUDENT
from homeroom.services import accounts
from homeroom.services.access import Access
from homeroom.services.accounts import AccountChanges, AccountView, Created, NewAccount
from homeroom.services.operators import as_account

staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
student_app = typer.Typer(help="Student accounts.", no_args_is_help=True)
user_app = typer.Typer(help="Any account: show, deactivate.", no_args_is_help=True)

UsernameOption = Annotated[str, typer.Option("--username", help="The new account's sign-in name.")]
GivenOption = Annotated[str, typer.Option("--given", help="Given name.")]
FamilyOption = Annotated[str, typer.Option("--family", help="Family name.")]
IdOption = Annotated[str | None, typer.Option("--id", help="The account id (default: generated).")]
UserId = Annotated[str, typer.Argument(metavar="ID", help="The account id.")]


@staff_app.command("add")
def add_staff(
    tenant: TenantOption,
    actor: AsOption,
    username: UsernameOption,
    role: Annotated[str, typer.Option("--role", help="The role the account holds at --org.")],
    org: Annotated[str, typer.Option("--org", help="The org (id) where the role is held.")],
    given: GivenOption = "",
    family: FamilyOption = "",
    email: Annotated[str | None, typer.Option("--email", help="Email address.")] = None,
    password_stdin: PasswordStdinOption = False,
    invite: Annotated[
        bool, typer.Option("--invite", help="Invite the account: print a one-time set-up token.")
    ] = False,
    account_id: IdOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a staff account holding ROLE at ORG (`staff.create`), as the --as account."""
    if password_stdin and invite:
        usage_error("give either --password-stdin or --invite, not both")
    new = NewAccount(
        STAFF,
        username,
        given,
        family,
        email,
        password=read_password(from_stdin=password_stdin),
        id=account_id,
        role=role,
        org=org,
        invite=invite,
    )
    with running(db, as_json=as_json) as homeroom:
        created = homeroom.work(as_account(tenant, actor), lambda a: accounts.create_account(a, new))
    _print_created(created, as_json=as_json)


@student_app.command("add")
def add_student(
    tenant: TenantOption,
    actor: AsOption,
    username: UsernameOption,
    classes: Annotated[
        list[str] | None,
        typer.Option("--class", metavar="CLASS", help="A class (id) to enrol in; repeat for several."),
    ] = None,
    school: Annotated[
        str | None, typer.Option("--school", help="The home school (default: the first class's school).")
    ] = None,
    given: GivenOption = "",
    family: FamilyOption = "",
    password_stdin: PasswordStdinOption = False,
    account_id: IdOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a student account in classes or a school (`student.create`), as the --as account."""
    if not classes and school is None:
        usage_error("give --class (one or more) or --school")
    new = NewAccount(
        STUDENT,
        username,
        given,
        family,
        password=read_password(from_stdin=password_stdin),
        id=account_id,
        org=school,
        classes=tuple(classes or ()),
    )
    with running(db, as_json=as_json) as homeroom:
        created = homeroom.work(as_account(tenant, actor), lambda a: accounts.create_account(a, new))
    _print_created(created, as_json=as_json)


def _print_created(created: Created, *, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "account": account_document(created.account),
                "invitation": invitation_document(created.invitation),
            }
        )
        return
    typer.echo("created " + account_lines(created.account)[0])
    for line in [*account_lines(created.account)[1:], *invitation_lines(created.invitation)]:
        typer.echo(line)


@user_app.command("show")
def show(
    user_id: UserId, tenant: TenantOption, actor: AsOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Show an account, if the --as account may see it."""
    with running(db, as_json=as_json) as homeroom:
        view = homeroom.work(as_account(tenant, actor), lambda a: accounts.get_account(a, user_id))
    _print_account(view, as_json=as_json)


@user_app.command("deactivate")
def deactivate(
    user_id: UserId, tenant: TenantOption, actor: AsOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Deactivate an account (it can no longer sign in; its sessions end), as the --as account."""
    with running(db, as_json=as_json) as homeroom:
        view = homeroom.work(as_account(tenant, actor), lambda a: _deactivate(a, user_id))
    _print_account(view, as_json=as_json)


def _deactivate(access: Access, user_id: str) -> AccountView:
    """Read the version and edit with it in one unit of work, so no concurrent edit is overwritten."""
    current = accounts.get_account(access, user_id)
    return accounts.edit_account(access, user_id, AccountChanges(status="inactive"), expected=current.version)


def _print_account(view: AccountView, *, as_json: bool) -> None:
    if as_json:
        emit_json(account_document(view))
        return
    for line in account_lines(view):
        typer.echo(line)
