"""What the commands share: common options, settings built from them, and the running application.

Settings come from `HOMEROOM_*` environment variables; an option given on the command line wins. Every
command that touches the database opens it (migrating it first) through `running`, which also turns
domain errors into exit code 1 with their stable code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError

from homeroom.cli.outputs import fail, fail_with, usage_error
from homeroom.config import Settings
from homeroom.errors import HomeroomError
from homeroom.services.runtime import Homeroom

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Database URL: sqlite:///FILE or postgresql://... "
        "(default: HOMEROOM_DATABASE_URL, else sqlite:///homeroom.db in the current directory).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
TenantOption = Annotated[str, typer.Option("--tenant", metavar="NAME", help="The tenant's name.")]
AsOption = Annotated[
    str,
    typer.Option(
        "--as", metavar="USERNAME", help="Act as this account of the tenant: its permissions apply."
    ),
]
PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the account's password from the first line of stdin.")
]


def build_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with every option that was given (not None) taking precedence."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)
        )
        usage_error(f"invalid settings: {problems}")


def open_homeroom(settings: Settings, *, as_json: bool = False) -> Homeroom:
    """The application on the configured database, migrated; a bad or unreachable database exits."""
    try:
        return Homeroom.open(settings)
    except ArgumentError as error:
        usage_error(f"--db: {error}")
    except OperationalError as error:
        fail_with("database_unavailable", f"cannot open the database: {error.orig}", as_json=as_json)


@contextmanager
def running(db: str | None, *, as_json: bool = False) -> Iterator[Homeroom]:
    """The application for one command, closed afterwards; a domain error exits 1 with its code."""
    app = open_homeroom(build_settings(database_url=db), as_json=as_json)
    try:
        yield app
    except HomeroomError as error:
        fail(error, as_json=as_json)
    finally:
        app.close()


def read_password(*, from_stdin: bool) -> str | None:
    """The first line of stdin when `--password-stdin` is given (without its line ending)."""
    if not from_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        usage_error("--password-stdin: stdin holds no password")
    return password
