"""`homeroom demo`: load a profile's demo world and print decisions with their reasons."""

from __future__ import annotations

from typing import Annotated

import typer

from homeroom.errors import HomeroomError
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.scenarios.demo import demo_scenario


def demo(
    profile_id: Annotated[str, typer.Option("--profile", help="Which product profile to show.")] = "math",
) -> None:
    """Show who may do what in a small demo district, and why."""
    try:
        scenario = demo_scenario(profile_id)
    except HomeroomError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    facts = Facts(scenario.world, scenario.profile)
    typer.echo(f"Homeroom demo: profile {scenario.profile.id} ({scenario.profile.name})")
    typer.echo(
        f"World: {len(scenario.world.orgs)} orgs, {len(scenario.world.classes)} classes, "
        f"{len(scenario.world.users)} users\n"
    )
    for expected in scenario.checks:
        decision = decide(expected.check, facts)
        note = f"  # {expected.note}" if expected.note else ""
        typer.echo(f"{expected.check}\n    -> {decision.explain()}{note}")
