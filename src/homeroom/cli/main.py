"""The `homeroom` command."""

from __future__ import annotations

import typer

from homeroom.cli import demo, policy

app = typer.Typer(
    name="homeroom",
    help="Homeroom: the access manager for K-12 education software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(policy.app, name="policy")
app.command(name="demo")(demo.demo)


if __name__ == "__main__":  # pragma: no cover - `python -m homeroom.cli.main`
    app()
