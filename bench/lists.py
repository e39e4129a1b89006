"""The list benchmark: "students I can edit" through the SQL twin, on SQLite and PostgreSQL.

For one generated tenant and one database: a fresh database (a SQLite file in a temporary folder, or
a new PostgreSQL database made with `create_database` and dropped after), migrated with Alembic,
loaded with `bench.load` and analyzed. Then for a teacher, a school administrator and a district
administrator (all at the first school and district, which hold the most students):

* **first page**: `store.twin.page(..., limit=50)` for `student.edit` on users, end to end as the
  service runs it (reading the tenant's revision, its snapshot, the facts the twin loads, building the
  statement, running it), timed one call at a time;
* **full walk**: every page of 50 after the previous page's last id (keyset pagination) until the end;
  timed per walk and per page.

A first page whose p99 exceeds its target (5 ms teacher, 10 ms school administrator, 20 ms district
administrator) gets its plan printed: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on
PostgreSQL.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bench.checks import percentile
from bench.generate import Tenant
from bench.load import Loaded, load_world
from homeroom.policy import profile
from homeroom.policy.world import ACTIVE, NOT_DELETED
from homeroom.store.constraints import Request
from homeroom.store.database import create_database, drop_database, engine_for
from homeroom.store.migrations import upgrade
from homeroom.store.snapshots import Snapshots
from homeroom.store.tenants import require_head
from homeroom.store.twin import Page, page, page_statement

PAGE = 50
PERMISSION = "student.edit"
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    actor: str
    target_ms: float


@dataclass(frozen=True, slots=True)
class Reps:
    first: int  # timed first-page calls
    walks: int  # timed full walks


@dataclass(slots=True)
class PersonaTiming:
    persona: Persona
    rows: int
    pages: int
    first_ns: list[int]
    walk_ns: list[int]
    page_ns: list[int]  # every page of every walk
    plan: list[str] = field(default_factory=list)

    def first(self, fraction: float) -> float:
        return percentile(sorted(self.first_ns), fraction) / 1_000

    def walk(self, fraction: float) -> float:
        return percentile(sorted(self.walk_ns), fraction) / 1_000

    def page(self, fraction: float) -> float:
        return percentile(sorted(self.page_ns), fraction) / 1_000

    @property
    def verdict(self) -> str:
        if self.first(0.99) <= self.persona.target_ms:
            return "met"
        return "p50 only" if self.first(0.5) <= self.persona.target_ms else "missed"


@dataclass(slots=True)
class DatabaseRun:
    database: str  # "sqlite" or "postgresql"
    size: str
    loaded: Loaded | None = None
    analyze_seconds: float = 0.0
    timings: list[PersonaTiming] = field(default_factory=list)
    skipped: str = ""


def personas(tenant: Tenant) -> list[Persona]:
    """A teacher with four or more classes, a school administrator and a district administrator."""
    users = tenant.world.users
    school = tenant.schools[0]
    teacher = next(
        t
        for t in tenant.teachers_by_school[school]
        if users[t].status == ACTIVE and users[t].deleted == NOT_DELETED and len(users[t].teaches) >= 4
    )
    return [
        Persona("teacher", teacher, 5.0),
        Persona("school admin", tenant.school_admins[0], 10.0),
        Persona("district admin", tenant.district_admins[0], 20.0),
    ]


def run_database(
    tenant: Tenant,
    database: str,
    reps: Reps | None,
    *,
    postgres_server: str = POSTGRES_SERVER,
    also: Callable[[Engine, Loaded], None] | None = None,
) -> DatabaseRun:
    """Load `tenant` into a fresh database of kind `database`, time every persona (unless `reps` is
    None), run `also` on the loaded database (the HTTP benchmark), drop the database."""
    run = DatabaseRun(database, tenant.size.name)
    try:
        with _fresh_database(database, postgres_server) as engine:
            run.loaded = load_world(engine, tenant.world, profile("math"), tenant="bench")
            started = time.perf_counter()
            analyze(engine)
            run.analyze_seconds = time.perf_counter() - started
            for persona in personas(tenant) if reps is not None else ():
                run.timings.append(time_persona(engine, run.loaded.tenant_id, persona, reps))
            if also is not None:
                also(engine, run.loaded)
    except OperationalError as error:
        if run.loaded is not None:
            raise
        run.skipped = f"{database} unavailable: {str(error.orig).strip().splitlines()[0]}"
    return run


def analyze(engine: Engine) -> None:
    """Planner statistics after the bulk load: VACUUM ANALYZE on PostgreSQL (the state autovacuum reaches
    soon after a load; without it index-only scans still visit the heap), ANALYZE on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        return
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


@contextmanager
def _fresh_database(database: str, postgres_server: str) -> Iterator[Engine]:
    if database == "sqlite":
        with tempfile.TemporaryDirectory(prefix="homeroom-bench-") as folder:
            engine = engine_for(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                upgrade(engine)
                yield engine
            finally:
                engine.dispose()
        return
    url = create_database(postgres_server, prefix="homeroom_bench")
    engine = engine_for(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_database(url)


def time_persona(engine: Engine, tenant_id: int, persona: Persona, reps: Reps) -> PersonaTiming:
    """First-page latencies, then full walks; the plan of the first page if it misses its target."""
    request = Request(persona.actor, PERMISSION, "user")
    snapshots = Snapshots()
    with Session(engine) as session:

        def first() -> None:
            service_page(session, snapshots, tenant_id, request, None)

        for _ in range(3):  # warm: compiled statement caches, database pages
            first()
        first_ns = _timed(first, reps.first)
        walk_ns: list[int] = []
        page_ns: list[int] = []
        rows = pages = 0
        for _ in range(reps.walks):
            started = time.perf_counter_ns()
            rows, pages = _walk(session, snapshots, tenant_id, request, page_ns)
            walk_ns.append(time.perf_counter_ns() - started)
        timing = PersonaTiming(persona, rows, pages, first_ns, walk_ns, page_ns)
        if timing.first(0.99) > persona.target_ms:
            timing.plan = explain(session, tenant_id, request)
        session.rollback()
    return timing


def _timed(call: Callable[[], None], count: int) -> list[int]:
    spent = []
    for _ in range(count):
        started = time.perf_counter_ns()
        call()
        spent.append(time.perf_counter_ns() - started)
    return spent


def service_page(
    session: Session, snapshots: Snapshots, tenant_id: int, request: Request, after: str | None
) -> Page:
    """One page as `services.authorization.accessible_page` gets it: the tenant's revision first (as
    `Access.start` reads it), then its snapshot, then the twin."""
    snapshot = snapshots.get(session, tenant_id, require_head(session, tenant_id).revision)
    return page(session, tenant_id, profile("math"), request, after=after, limit=PAGE, snapshot=snapshot)


def _walk(
    session: Session, snapshots: Snapshots, tenant_id: int, request: Request, page_ns: list[int]
) -> tuple[int, int]:
    """Every page in id order; returns (rows, pages) and appends each page's latency to `page_ns`."""
    after: str | None = None
    rows = pages = 0
    while True:
        started = time.perf_counter_ns()
        found = service_page(session, snapshots, tenant_id, request, after)
        page_ns.append(time.perf_counter_ns() - started)
        rows, pages = rows + len(found.ids), pages + 1
        if found.next_after is None:
            return rows, pages
        after = found.next_after


def first_page_sql(session: Session, tenant_id: int, request: Request) -> str:
    """The first page's statement as page() runs it, with its parameters written in."""
    statement = page_statement(session, tenant_id, profile("math"), request, limit=PAGE)
    bind = session.get_bind()
    return str(statement.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))


def explain(session: Session, tenant_id: int, request: Request) -> list[str]:
    sql = first_page_sql(session, tenant_id, request)
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
        return [row[0] for row in rows]
    depth: dict[int, int] = {}
    lines = []
    for node, parent, _, detail in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")):
        depth[node] = depth.get(parent, -1) + 1
        lines.append(f"{'  ' * depth[node]}{detail}")
    return lines


def render_lists(runs: list[DatabaseRun]) -> list[str]:
    """The list results as a Markdown table and one line of notes per database run."""
    lines = [
        (
            "| size | database | persona | rows | pages | first page p50 ms | p99 ms | target ms | verdict "
            "| full walk p50 ms | p99 ms | per page p50 ms | p99 ms |"
        ),
        "|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        for timing in run.timings:
            persona = timing.persona
            lines.append(
                f"| {run.size} | {run.database} | {persona.name} (`{persona.actor}`) | {timing.rows:,} | "
                f"{timing.pages:,} | {timing.first(0.5):.1f} | {timing.first(0.99):.1f} | "
                f"{persona.target_ms:.0f} | {timing.verdict} | {timing.walk(0.5):,.0f} | "
                f"{timing.walk(0.99):,.0f} | {timing.page(0.5):.1f} | {timing.page(0.99):.1f} |"
            )
    lines.append("")
    lines += [f"* {run.size} {run.database}: {_load_note(run)}" for run in runs]
    return lines


def _load_note(run: DatabaseRun) -> str:
    if run.loaded is None:
        return f"skipped ({run.skipped})"
    loaded = run.loaded
    slowest = max(loaded.rows, key=lambda name: loaded.seconds[name])
    timings = run.timings[0] if run.timings else None
    reps = (
        f"; {len(timings.first_ns)} first pages and {len(timings.walk_ns)} walks per persona"
        if timings
        else ""
    )
    return (
        f"loaded {loaded.total_rows:,} rows in {loaded.total_seconds:.1f} s with `bench/load.py` "
        f"({slowest} {loaded.rows[slowest]:,} rows in {loaded.seconds[slowest]:.1f} s), "
        f"ANALYZE {run.analyze_seconds:.1f} s{reps}."
    )
