"""The import benchmark: a generated district's OneRoster package imported into an empty tenant, against
the physical reference of inserting the same world's rows raw, then the unchanged package imported again.

    python -m bench.imports S [--databases sqlite,postgresql]

For each database: the raw load (`bench/load.py`: chunked executemany on SQLite, COPY on PostgreSQL) into
a fresh database; then, into another fresh database, a tenant opened by the operator and the package
imported through `homeroom.sync.imports` exactly as `homeroom roster import` does (validation, staging,
plan, apply, audit, one transaction). Each import runs in a child process so that its peak memory (maximum
resident set) is its own. The second import of the same package must report `unchanged`, and the tenant's
row counts and revision must not move: zero rows written.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.generate import Tenant, generate
from bench.lists import POSTGRES_SERVER
from bench.load import load_world
from bench.oneroster import write_package
from homeroom.config import Settings
from homeroom.policy import profile
from homeroom.services import operators
from homeroom.services.operators import Root, as_operator
from homeroom.services.runtime import Homeroom
from homeroom.store import tables as t
from homeroom.store.database import create_database, drop_database, engine_for
from homeroom.store.migrations import upgrade
from homeroom.sync.imports import ImportOptions, import_package

COUNTED = (t.Org, t.User, t.SchoolClass, t.UserOrg, t.RoleAssignment, t.Teaching, t.Enrollment, t.AuditEntry)


@dataclass
class ImportRun:
    database: str
    size: str
    package_rows: int
    raw_rows: int = 0
    raw_seconds: float = 0.0
    import_seconds: float = 0.0
    import_rows: int = 0
    peak_mib: float = 0.0
    status: str = ""
    again_seconds: float = 0.0
    again_status: str = ""
    again_written: int = -1
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.import_seconds / self.raw_seconds if self.raw_seconds else 0.0


def _fresh(database: str, folder: Path, name: str, server: str) -> str:
    if database == "sqlite":
        url = f"sqlite:///{folder / f'{name}.db'}"
    else:
        url = create_database(server, prefix="homeroom_bench")
    engine = engine_for(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return url


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        drop_database(url)


def _raw(tenant: Tenant, url: str) -> tuple[float, int]:
    engine = engine_for(url)
    try:
        started = time.perf_counter()
        loaded = load_world(engine, tenant.world, profile("math"), tenant="raw")
        return time.perf_counter() - started, sum(loaded.rows.values())
    finally:
        engine.dispose()


def _child(url: str, package: str, result: Any) -> None:
    """In a child process: open the tenant, import the package twice, report times and counts."""
    app = Homeroom.open(Settings(database_url=url))
    try:
        operators.open_tenant(app, "bench", "math", root=Root("northwind", "customer", "Northwind"))
        stages: dict[str, float] = {}
        last = [time.perf_counter(), ""]

        def tick(stage: str, _rows: int) -> None:
            now = time.perf_counter()
            if last[1]:
                stages[str(last[1])] = stages.get(str(last[1]), 0.0) + now - float(last[0])
            last[0], last[1] = now, stage

        started = time.perf_counter()
        first = import_package(app, as_operator("bench"), Path(package), ImportOptions(), tick)
        seconds = time.perf_counter() - started
        tick("", 0)
        peak = _peak_mib()
        before = _counts(app)
        started = time.perf_counter()
        again = import_package(app, as_operator("bench"), Path(package), ImportOptions())
        again_seconds = time.perf_counter() - started
        written = sum(abs(a - b) for a, b in zip(_counts(app), before, strict=True))
        result.update(
            seconds=seconds, status=first.status, rows=first.rows_written, peak=peak, stages=stages,
            again_seconds=again_seconds, again_status=again.status, again_written=written,
        )  # fmt: skip
    finally:
        app.close()


def _peak_mib() -> float:
    """This process's own peak resident memory. Not `ru_maxrss`: on Linux a spawned child starts with the
    high-water mark of its parent at the fork (the benchmark's parent holds the whole generated world)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _counts(app: Homeroom) -> list[int]:
    """Rows of every table an import writes, and the tenant's revision and audit sequence."""
    with app.sessions.begin() as session:
        counts = [int(session.scalar(select(func.count()).select_from(table)) or 0) for table in COUNTED]
        tenant = session.execute(select(t.Tenant.revision, t.Tenant.audit_seq)).one()
        return [*counts, int(tenant.revision), int(tenant.audit_seq)]


def run_imports(
    tenant: Tenant, databases: tuple[str, ...], *, postgres_server: str = POSTGRES_SERVER
) -> list[ImportRun]:
    """Write the tenant's package into a scratch folder, then on each database: the raw load, the import
    and the re-import (see the module's docstring)."""
    size = tenant.size.name
    runs: list[ImportRun] = []
    with tempfile.TemporaryDirectory(prefix="homeroom-import-") as scratch:
        folder = Path(scratch)
        files = write_package(tenant, folder / "package")
        package_rows = sum(n for name, n in files.items() if name != "manifest.csv")
        for database in databases:
            run = ImportRun(database, size, package_rows)
            url = _fresh(database, folder, "raw", postgres_server)
            try:
                run.raw_seconds, run.raw_rows = _raw(tenant, url)
            finally:
                _drop(url)
            url = _fresh(database, folder, "import", postgres_server)
            try:
                _measure(run, url, folder / "package")
            finally:
                _drop(url)
            runs.append(run)
    return runs


def _measure(run: ImportRun, url: str, package: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        result = manager.dict()
        child = context.Process(target=_child, args=(url, str(package), result))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"the import child failed with exit code {child.exitcode}")
        run.import_seconds, run.status, run.import_rows = result["seconds"], result["status"], result["rows"]
        run.peak_mib, run.stages = result["peak"], dict(result["stages"])
        run.again_seconds, run.again_status = result["again_seconds"], result["again_status"]
        run.again_written = result["again_written"]


def render_imports(runs: list[ImportRun]) -> list[str]:
    header = (
        "| size | database | package rows | import s | rows/s | raw insert s (rows) | ratio | peak MiB |"
        " re-import s | re-import writes |"
    )
    lines = [
        header,
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        rate = r.package_rows / r.import_seconds if r.import_seconds else 0
        lines.append(
            f"| {r.size} | {r.database} | {r.package_rows:,} | {r.import_seconds:.1f} ({r.status}) |"
            f" {rate:,.0f} |"
            f" {r.raw_seconds:.1f} ({r.raw_rows:,}) | {r.ratio:.2f}x | {r.peak_mib:,.0f} |"
            f" {r.again_seconds:.1f} ({r.again_status}) | {r.again_written} |"
        )
    stages = ", ".join(
        f"{r.database}: " + " / ".join(f"{k} {v:.1f}s" for k, v in r.stages.items()) for r in runs
    )
    lines += ["", f"Import stages: {stages}."]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=["S", "M", "L"])
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    runs = run_imports(generate(args.size), tuple(args.databases.split(",")))
    print("\n".join(render_imports(runs)))


if __name__ == "__main__":
    main()
