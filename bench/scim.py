"""The SCIM benchmark: what an identity provider's sync costs on a generated tenant, end to end over HTTP.

For one generated tenant (`bench.generate`, usernames set to the ids) on SQLite and PostgreSQL, as a
school administrator and a district administrator (an API token each), through the ASGI app in process:

* **lookup**: `GET /Users?filter=userName eq "..."`, what identity providers send before every create;
* **first page**: `GET /Users?count=50` with its `totalResults` (a COUNT over the accessible set);
* **read**: `GET /Users/{id}` of a student (audited and disclosed);
* **patch**: `PATCH /Users/{id}` renaming that student (authorized, versioned, audited).

Run: `.venv/bin/python -m bench.scim M` (sizes of bench.generate; `--reps N`). Prints milliseconds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from bench.checks import percentile
from bench.generate import generate
from bench.lists import run_database
from bench.load import Loaded
from homeroom.api.app import create_app
from homeroom.config import Settings
from homeroom.services.access import acting_as
from homeroom.services.logins import issue_token
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t

FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}


def _timed(call: Callable[[], Any], reps: int) -> tuple[float, float]:
    spent = []
    for _ in range(reps):
        started = time.perf_counter_ns()
        response = call()
        spent.append(time.perf_counter_ns() - started)
        if response.status_code >= 400:
            raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
    ordered = sorted(spent)
    return percentile(ordered, 0.5) / 1e3, percentile(ordered, 0.99) / 1e3  # microseconds to ms


def measure(engine: Engine, loaded: Loaded, personas: dict[str, tuple[str, str]], reps: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(t.User).where(t.User.tenant_id == loaded.tenant_id).values(username=t.User.id)
        )
    url = engine.url.render_as_string(hide_password=False)
    homeroom = Homeroom.open(Settings(database_url=url, **FAST_HASHING), migrate=False)  # type: ignore[arg-type]
    try:
        api = create_app(homeroom=homeroom)
        for name, (actor, student) in personas.items():
            token = homeroom.work(
                acting_as(loaded.tenant_id, actor, via="token"), lambda a: issue_token(a, "bench")
            )
            client = TestClient(
                api, base_url="http://bench/scim/v2", headers={"Authorization": f"Bearer {token.token}"}
            )
            rename = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                {"op": "replace", "path": "name.givenName", "value": "Bench"}]}  # fmt: skip
            calls = {
                "lookup": lambda c=client, s=student: c.get(
                    "/Users", params={"filter": f'userName eq "{s}"'}
                ),
                "first page": lambda c=client: c.get("/Users", params={"count": 50}),
                "read": lambda c=client, s=student: c.get(f"/Users/{s}"),
                "patch": lambda c=client, s=student, r=rename: c.patch(f"/Users/{s}", json=r),
            }
            total = client.get("/Users", params={"count": 0}).json()["totalResults"]
            for label, call in calls.items():
                p50, p99 = _timed(call, reps)
                where = f"{engine.dialect.name:10} {name:15} {label:10}"
                print(f"  {where} p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  ({total} visible)")
    finally:
        homeroom.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("size", nargs="?", default="S")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    arguments = parser.parse_args(argv)
    tenant = generate(arguments.size)
    school = tenant.schools[0]
    student = next(s for s in tenant.students_by_school[school] if tenant.world.users[s].status == "active"
                   and tenant.world.users[s].deleted == "none")  # fmt: skip
    personas = {
        "school admin": (tenant.school_admins[0], student),
        "district admin": (tenant.district_admins[0], student),
    }
    print(f"SCIM over HTTP, size {arguments.size} ({tenant.size.students} students), {arguments.reps} reps")
    for database in arguments.databases.split(","):
        run = run_database(
            tenant,
            database,
            None,
            also=lambda engine, loaded: measure(engine, loaded, personas, arguments.reps),
        )
        if run.skipped:
            print(f"  {run.skipped}")


if __name__ == "__main__":
    main()
