"""The one registry of the catalog and the five profiles, read once from the package's own data files.

Reading these immutable files that ship inside the package is the only input the policy core takes;
it happens once per process and never touches the world, the database or the environment.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Final

import yaml

from homeroom.errors import NotFound
from homeroom.policy.catalog import Catalog, build_catalog
from homeroom.policy.profiles import Profile, build_profile

PROFILE_IDS: Final = ("district-license", "math", "math-prek2", "literacy", "assessment-platform")


def _read(name: str) -> Any:
    text = resources.files("homeroom.policy").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def catalog() -> Catalog:
    """The permission catalog (catalog.yaml)."""
    return build_catalog(_read("catalog.yaml"))


@cache
def profile(profile_id: str) -> Profile:
    """The profile with this id; raises NotFound for an unknown id."""
    if profile_id not in PROFILE_IDS:
        raise NotFound(
            f"unknown profile {profile_id!r}; expected one of {', '.join(PROFILE_IDS)}",
            code="profile_not_found",
        )
    return build_profile(_read(f"profiles/{profile_id}.yaml"), catalog())
