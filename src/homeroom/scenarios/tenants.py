"""Demo tenants: each profile's demo world as a tenant whose personas can sign in.

Usernames are the persona ids (`tomas_teacher`), display names come from them (`Tomas Teacher`), and
every active persona gets the same demo password. Invited personas keep no password: they set one up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeroom.policy import registry
from homeroom.policy.world import ACTIVE
from homeroom.scenarios.demo import demo_scenario
from homeroom.services.passwords import hash_password
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t
from homeroom.store.worlds import write_world

DEMO_PASSWORD = "homeroom-demo"  # noqa: S105 - printed for the demo on purpose; demo tenants only


@dataclass(frozen=True)
class Persona:
    username: str
    roles: str
    status: str


@dataclass(frozen=True)
class DemoTenant:
    name: str
    profile: str
    personas: list[Persona]


def demo_tenant_name(profile: str) -> str:
    return f"demo-{profile}"


def ensure_demo_tenant(app: Homeroom, profile: str, *, name: str | None = None) -> DemoTenant:
    """The profile's demo tenant, created with sign-in details on first use."""
    name = name or demo_tenant_name(profile)
    scenario = demo_scenario(profile)
    with app.sessions.begin() as session:
        tenant_id = session.scalar(select(t.Tenant.id).where(t.Tenant.name == name))
        if tenant_id is None:
            tenant_id = write_world(session, scenario.world, registry.profile(profile), tenant=name)
            _sign_in_details(app, session, tenant_id, [u.id for u in scenario.world.users.values()])
    personas = [
        Persona(
            u.id,
            ", ".join(str(a) for a in u.roles) or ("student" if u.kind == "student" else "staff"),
            u.status if u.deleted == "none" else "deleted",
        )
        for u in scenario.world.users.values()
    ]
    return DemoTenant(name, profile, personas)


def _sign_in_details(app: Homeroom, session: Session, tenant_id: int, user_ids: list[str]) -> None:
    shared_hash = hash_password(app.passwords, DEMO_PASSWORD)
    for user_id in user_ids:
        given, _, family = user_id.replace("_", " ").title().partition(" ")
        values = {"username": user_id, "given_name": given, "family_name": family}
        session.execute(
            update(t.User).where(t.User.tenant_id == tenant_id, t.User.id == user_id).values(**values)
        )
    session.execute(
        update(t.User)
        .where(t.User.tenant_id == tenant_id, t.User.status == ACTIVE)
        .values(password_hash=shared_hash)
    )
