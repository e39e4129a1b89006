"""Small helpers shared by the integration tests: the scenario corpus and writing a world as a tenant."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from homeroom.policy.profiles import Profile
from homeroom.policy.world import World
from homeroom.store.worlds import write_world

SCENARIOS = Path(__file__).parents[1] / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS.rglob("*.policytest.yaml"))


def scenario_id(path: Path) -> str:
    return str(path.relative_to(SCENARIOS))


def store_world(session: Session, world: World, profile: Profile) -> int:
    """Write `world` as a new tenant and commit; return the tenant id."""
    tenant_id = write_world(session, world, profile, tenant=f"w-{uuid.uuid4().hex[:12]}")
    session.commit()
    return tenant_id
