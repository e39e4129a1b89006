"""The demo worlds that ship with Homeroom: named personas per profile."""

from __future__ import annotations

from importlib import resources

from homeroom.errors import NotFound
from homeroom.scenarios.files import Scenario, parse_scenario


def demo_profiles() -> list[str]:
    folder = resources.files("homeroom.scenarios").joinpath("demo")
    return sorted(
        p.name.removesuffix(".policytest.yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def demo_scenario(profile_id: str) -> Scenario:
    """The demo world and sample checks of a profile; raises NotFound when there is none."""
    if profile_id not in demo_profiles():
        raise NotFound(f"no demo for profile {profile_id!r}; demos exist for {', '.join(demo_profiles())}")
    name = f"demo/{profile_id}.policytest.yaml"
    text = resources.files("homeroom.scenarios").joinpath(name).read_text(encoding="utf-8")
    return parse_scenario(text, name)
