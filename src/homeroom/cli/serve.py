"""`homeroom serve`: the API on a database, with demo tenants whose named personas can sign in.

Start-up is split so it can be tested without a server: `prepare` opens (and migrates) the database and
ensures the demo tenants, `print_startup` shows their logins and the URLs, `run` hands the app to
uvicorn, which stops cleanly on Ctrl-C.

One worker serves the app object built here. Several workers are separate processes: each builds its own
app through the factory `homeroom.api.app:create_app`, with these settings passed in `HOMEROOM_*`
environment variables. SQLite works with several workers (WAL, a busy timeout) but still has one writer
at a time, so more workers add read throughput only; PostgreSQL is the database for real load.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import make_url

from homeroom.cli.options import DbOption, build_settings, open_homeroom
from homeroom.cli.outputs import fail
from homeroom.config import Settings
from homeroom.errors import HomeroomError
from homeroom.policy import registry
from homeroom.scenarios.demo import demo_profiles
from homeroom.scenarios.tenants import DEMO_PASSWORD, DemoTenant, Persona, ensure_demo_tenant
from homeroom.services.runtime import Homeroom

APP_FACTORY: Final = "homeroom.api.app:create_app"
LOGIN_PATH: Final = "/api/v1/auth/login"
EXIT_INTERRUPTED: Final = 130
ANY_ADDRESS: Final = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - display only


@dataclass(frozen=True)
class Startup:
    settings: Settings
    homeroom: Homeroom
    tenants: list[DemoTenant]

    @property
    def base_url(self) -> str:
        host = ANY_ADDRESS.get(self.settings.host, self.settings.host)
        return f"http://{f'[{host}]' if ':' in host else host}:{self.settings.port}"


def prepare(settings: Settings, *, demo: bool) -> Startup:
    """Open and migrate the database; with `demo`, ensure one demo tenant per demo profile."""
    homeroom = open_homeroom(settings)
    profiles = sorted(demo_profiles(), key=lambda p: (p != "math", p)) if demo else []
    try:
        tenants = [ensure_demo_tenant(homeroom, profile) for profile in profiles]
    except BaseException:
        homeroom.close()
        raise
    return Startup(settings, homeroom, tenants)


def can_sign_in(persona: Persona) -> bool:
    """Demo personas get the demo password only while active (invited ones set up their own)."""
    return persona.status == "active"


def login_command(startup: Startup) -> str | None:
    """A curl command that signs in as the first persona who can, or None without demo tenants."""
    for tenant in startup.tenants:
        persona = next((p for p in tenant.personas if can_sign_in(p)), None)
        if persona is not None:
            body = json.dumps(
                {"tenant": tenant.name, "username": persona.username, "password": DEMO_PASSWORD}
            )
            return (
                f"curl -i -X POST {startup.base_url}{LOGIN_PATH} "
                f"-H 'Content-Type: application/json' -d '{body}'"
            )
    return None


def tenant_table(tenant: DemoTenant) -> Table:
    profile = registry.profile(tenant.profile)
    table = Table(title=f"tenant {tenant.name}  ({profile.name})", title_justify="left", expand=False)
    for column in ("username", "role(s)", "status", "password"):
        table.add_column(column, no_wrap=True)
    for persona in tenant.personas:
        password = DEMO_PASSWORD if can_sign_in(persona) else "(cannot sign in)"
        table.add_row(persona.username, persona.roles, persona.status, password)
    return table


def describe_database(url: str) -> str:
    """The database for people: a SQLite file's absolute path, any other URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return f"SQLite file {Path(parsed.database or '').resolve()}"
    return parsed.render_as_string(hide_password=True)


def print_startup(console: Console, startup: Startup) -> None:
    """What a newcomer needs: the database, every demo login, where the docs are, how to sign in."""
    settings = startup.settings

    def say(text: str = "") -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(f"Homeroom on {describe_database(settings.database_url)}")
    for tenant in startup.tenants:
        say()
        console.print(tenant_table(tenant))
    if startup.tenants:
        say()
        say(
            f"Every active persona signs in with the password {DEMO_PASSWORD!r} "
            "(the tenant, the username and the password)."
        )
    say()
    say(f"API docs:  {startup.base_url}/docs")
    say(f"OpenAPI:   {startup.base_url}/openapi.json")
    command = login_command(startup)
    if command is not None:
        say(f"Log in:    {command}")
    else:
        say(f"Log in:    POST {startup.base_url}{LOGIN_PATH} with JSON {{tenant, username, password}}")
    if settings.workers > 1 and describe_database(settings.database_url).startswith("SQLite"):
        say(f"{settings.workers} workers on SQLite: reads run in parallel, writes one at a time.")
    say("Press Ctrl-C to stop.")


def settings_environment(settings: Settings) -> dict[str, str]:
    """`HOMEROOM_*` variables from which `Settings()` rebuilds exactly these settings (for workers)."""
    return {
        f"HOMEROOM_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in settings.model_dump().items()
    }


def run(startup: Startup) -> None:
    """Serve until Ctrl-C (uvicorn shuts down gracefully), then close the database."""
    # The API and uvicorn load only here: importing them costs every other command about a second.
    import uvicorn  # noqa: PLC0415

    from homeroom.api.app import create_app  # noqa: PLC0415

    settings = startup.settings
    if settings.workers == 1:
        try:
            uvicorn.run(create_app(homeroom=startup.homeroom), host=settings.host, port=settings.port)
        finally:
            startup.homeroom.close()
        return
    startup.homeroom.close()  # each worker process opens its own
    os.environ.update(settings_environment(settings))
    uvicorn.run(APP_FACTORY, factory=True, workers=settings.workers, host=settings.host, port=settings.port)


def serve(
    db: DbOption = None,
    host: Annotated[
        str | None,
        typer.Option("--host", help="Address to listen on (default: HOMEROOM_HOST, else 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="Port (default: HOMEROOM_PORT, else 8000)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (default: HOMEROOM_WORKERS, else 1)."),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Create the demo tenants and print their logins.")
    ] = True,
) -> None:
    """Serve the API; by default with one demo tenant per demo profile and their logins printed."""
    settings = build_settings(database_url=db, host=host, port=port, workers=workers)
    try:
        startup = prepare(settings, demo=demo)
        print_startup(Console(), startup)
        run(startup)
    except HomeroomError as error:
        fail(error, as_json=False)
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
