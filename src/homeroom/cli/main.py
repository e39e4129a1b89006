"""The `homeroom` command."""

from __future__ import annotations

import typer

from homeroom.cli import accounts, audit, content, demo, policy, roster, serve, tenants

app = typer.Typer(
    name="homeroom",
    help="Homeroom: the access manager for K-12 education software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command(name="serve")(serve.serve)
app.add_typer(tenants.app, name="tenant")
app.add_typer(accounts.staff_app, name="staff")
app.add_typer(accounts.student_app, name="student")
app.add_typer(accounts.user_app, name="user")
app.add_typer(content.content_app, name="content")
app.add_typer(content.key_app, name="key")
app.add_typer(audit.app, name="audit")
app.add_typer(policy.app, name="policy")
app.add_typer(roster.app, name="roster")
app.command(name="demo")(demo.demo)


if __name__ == "__main__":  # pragma: no cover - `python -m homeroom.cli.main`
    app()
