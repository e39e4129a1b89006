"""How the commands answer: JSON documents, readable lines, and errors with their exit codes.

Exit codes: 0 on success, 1 on a domain error (its stable code and message are printed: on stderr, or as
`{"error": {...}}` on stdout with `--json`), 2 on a usage error (a bad or missing option).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import NoReturn

import typer

from homeroom.errors import HomeroomError
from homeroom.services.accounts import AccountView
from homeroom.services.logins import IssuedInvitation

EXIT_ERROR = 1
EXIT_USAGE = 2


def emit_json(document: object) -> None:
    typer.echo(json.dumps(document, indent=2, default=str))


def fail(error: HomeroomError, *, as_json: bool) -> NoReturn:
    fail_with(error.code, error.message, as_json=as_json, details=error.details)


def fail_with(
    code: str, message: str, *, as_json: bool, details: Mapping[str, object] | None = None
) -> NoReturn:
    if as_json:
        emit_json({"error": {"code": code, "message": message, "details": dict(details or {})}})
    else:
        typer.echo(f"error [{code}]: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def usage_error(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def account_document(view: AccountView) -> dict[str, object]:
    """An account as JSON, in the shape the API answers."""
    return {
        "id": view.id,
        "kind": view.kind,
        "username": view.username,
        "given_name": view.given_name,
        "family_name": view.family_name,
        "email": view.email,
        "status": view.status,
        "deleted": view.deleted != "none",
        "orgs": list(view.orgs),
        "roles": [{"role": a.role, "org": a.org} for a in view.roles],
        "teaches": list(view.teaches),
        "enrolled_in": list(view.enrolled_in),
        "created_by": view.created_by,
        "version": view.version,
    }


def invitation_document(invitation: IssuedInvitation | None) -> dict[str, object] | None:
    if invitation is None:
        return None
    return {"token": invitation.token, "expires_at": invitation.expires_at.isoformat()}


def account_lines(view: AccountView) -> list[str]:
    """An account for people: one line naming it, then one line per field that has a value."""
    name = " ".join(part for part in (view.given_name, view.family_name) if part)
    status = view.status if view.deleted == "none" else f"{view.status}, deleted ({view.deleted})"
    fields = {
        "name": name,
        "email": view.email or "",
        "status": status,
        "roles": ", ".join(str(a) for a in view.roles),
        "orgs": ", ".join(view.orgs),
        "teaches": ", ".join(view.teaches),
        "enrolled in": ", ".join(view.enrolled_in),
        "created by": view.created_by or "",
        "version": str(view.version),
    }
    return [
        f"{view.kind} account {view.id} (username {view.username or '-'})",
        *(f"  {label + ':':<13}{value}" for label, value in fields.items() if value),
    ]


def invitation_lines(invitation: IssuedInvitation | None) -> list[str]:
    if invitation is None:
        return []
    return [
        f"invitation token (shown once, valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):",
        f"  {invitation.token}",
        "  the account sets its password with POST /api/v1/auth/invitations/accept {token, password}",
    ]
