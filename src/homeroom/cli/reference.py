"""The command reference (`docs/cli.md`), generated from the Typer app so it cannot drift from `--help`.

Regenerate with `.venv/bin/python -m homeroom.cli.reference > docs/cli.md`; a test compares the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

HEADER = """# The `homeroom` command

Generated from the command's own help by `python -m homeroom.cli.reference > docs/cli.md`; a test fails
when the two differ. Every command that touches a database takes `--db URL` (default: the environment
variable `HOMEROOM_DATABASE_URL`, else the SQLite file `homeroom.db` in the current directory) and migrates
it first. Exit codes: 0 on success, 1 on a domain error (its stable code and message are printed; with
`--json` as `{"error": {"code", "message", "details"}}` on stdout), 2 on a usage error.
"""


Parameter = TyperArgument | TyperOption


def commands(group: TyperGroup, parent: typer.Context) -> Iterator[tuple[typer.Context, Any]]:
    """Every leaf command under `group`, depth first, in the order `--help` lists them."""
    for name in group.list_commands(parent):
        command = group.get_command(parent, name)
        if command is None or command.hidden:
            continue
        context = typer.Context(command, info_name=name, parent=parent)
        if isinstance(command, TyperGroup):
            yield from commands(command, context)
        else:
            yield context, command


def _metavar(param: Parameter) -> str:
    if isinstance(param, TyperArgument):
        name = param.metavar or (param.name or "").upper()
        return f"{name}..." if param.nargs == -1 else name
    if isinstance(param, TyperOption) and param.is_flag:
        return ""
    long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
    return param.metavar or long.lstrip("-").replace("-", "_").upper()


def _names(param: Parameter) -> str:
    if isinstance(param, TyperArgument):
        return f"`{_metavar(param)}`"
    names = ", ".join(param.opts) + "".join(f"/{o}" for o in param.secondary_opts)
    metavar = _metavar(param)
    return f"`{names} {metavar}`" if metavar else f"`{names}`"


def _default(param: Parameter) -> str:
    default = param.default
    if param.required:
        return "required"
    if default is None or default is False or default in ((), [], ""):
        return ""
    if default is True:
        return "on"
    return f"`{default}`"


def _row(param: Parameter) -> str:
    text = (getattr(param, "help", None) or "").replace("|", "\\|")
    return f"| {_names(param)} | {text} | {_default(param)} |"


def _usage(context: typer.Context, command: Any) -> str:
    arguments = [
        _metavar(p) if p.required else f"[{_metavar(p)}]"
        for p in command.params
        if isinstance(p, TyperArgument)
    ]
    return " ".join([context.command_path, "[OPTIONS]", *arguments])


def render_reference(app: typer.Typer) -> str:
    """The Markdown reference of every command of `app`."""
    root = typer.main.get_command(app)
    if not isinstance(root, TyperGroup):  # pragma: no cover - the homeroom app has sub-commands
        raise TypeError("the app has no sub-commands")
    top = typer.Context(root, info_name="homeroom")
    found = list(commands(root, top))
    lines = [HEADER, "| command | what it does |", "|---|---|"]
    lines += [f"| `{c.command_path}` | {cmd.get_short_help_str(200)} |" for c, cmd in found]
    for context, command in found:
        params = [p for p in command.params if p.name != "help"]
        lines += ["", f"## `{context.command_path}`", "", (command.help or "").strip(), ""]
        lines += ["```", _usage(context, command), "```"]
        if params:
            lines += ["", "| argument or option | description | default |", "|---|---|---|"]
            lines += [_row(p) for p in params]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the generator's entry point
    from homeroom.cli.main import app

    typer.echo(render_reference(app), nl=False)
