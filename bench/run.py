"""One command for the benchmarks: checks (in process, with peers), lists (the SQL twin on SQLite and
PostgreSQL), HTTP (the check endpoints of a real server under load), the OneRoster package writer and
the OneRoster import.

    python -m bench.run --quick   # size S only, under 3 minutes
    python -m bench.run --full    # checks at S, M and L; lists, HTTP, packages and imports at M and L

Prints the results and writes them into docs/benchmarks.md, between the markers of the mode that ran
(`--only PART` runs a part and prints it, leaving the document alone).
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import os
import platform
import resource
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bench.checks import CrossCheck, Peer, Timing, cross_check, homeroom_cold, homeroom_warm, time_peer
from bench.generate import Tenant, generate
from bench.http import HttpPlan, HttpRun, render_http, run_http
from bench.imports import ImportRun, render_imports, run_imports
from bench.lists import POSTGRES_SERVER, DatabaseRun, PersonaTiming, Reps, render_lists, run_database
from bench.load import Loaded
from bench.oneroster import write_package
from bench.requests import make_requests
from homeroom.policy import Check, Facts, decide, profile

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


@dataclass(frozen=True, slots=True)
class Plan:
    size: str
    requests: int = 20_000
    warm_calls: int = 200_000
    cold_calls: int = 20_000
    cedar_calls: int = 50_000
    casbin_calls: int = 10_000
    cross_sample: int = 2_000
    peers_on_slice: bool = False  # peers load only the accounts the requests name (all orgs and classes)
    checks: bool = True
    lists: Reps | None = None  # the list benchmark's repetitions; None: no list benchmark at this size
    package: bool = False  # write the OneRoster package (into a temporary folder) and time it
    http: HttpPlan | None = None  # the HTTP benchmark on each database; None: not at this size
    http_databases: tuple[str, ...] = ("sqlite", "postgresql")
    imports: tuple[str, ...] = ()  # the databases the generated package is imported into (bench/imports.py)


@dataclass(frozen=True, slots=True)
class Package:
    rows: int
    files: int
    megabytes: float
    seconds: float


@dataclass(slots=True)
class SizeResult:
    tenant: Tenant
    allow_share: float = 0.0
    timings: list[Timing] = field(default_factory=list)
    cross: list[CrossCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lists: list[DatabaseRun] = field(default_factory=list)
    package: Package | None = None
    http: list[HttpRun] = field(default_factory=list)
    imports: list[ImportRun] = field(default_factory=list)


BOTH = ("sqlite", "postgresql")
QUICK_LISTS = Reps(first=30, walks=3)
FULL_LISTS = Reps(first=50, walks=3)
QUICK_HTTP = HttpPlan(workers=(2,), seconds=5.0)
FULL_HTTP = HttpPlan(workers=(1, 2), seconds=10.0)
PLANS = {
    "quick": [
        Plan("S", lists=QUICK_LISTS, package=True, http=QUICK_HTTP, http_databases=("sqlite",), imports=BOTH)
    ],
    "full": [
        Plan("S"),
        Plan("M", lists=FULL_LISTS, package=True, http=FULL_HTTP, imports=BOTH),
        Plan("L", lists=FULL_LISTS, package=True, http=FULL_HTTP, imports=BOTH),
    ],
}
PARTS = ("checks", "lists", "http", "oneroster", "imports")


def _peers(facts: Facts, checks: list[Check], *, on_slice: bool) -> tuple[list[Peer], list[str]]:
    users = {c.actor for c in checks} | {c.target.id for c in checks if c.target.type == "user"}
    only = users if on_slice else None
    peers: list[Peer] = []
    notes = []
    for module, cls in (("bench.peers.cedar", "CedarPeer"), ("bench.peers.casbin", "CasbinPeer")):
        try:
            peer_type = getattr(__import__(module, fromlist=[cls]), cls)
        except ImportError as error:
            notes.append(f"{module} skipped: {error} (install with pip install -e '.[bench]')")
            continue
        started = time.perf_counter()
        peers.append(peer_type(facts, only))
        notes.append(
            f"{peer_type.name}: loaded in {time.perf_counter() - started:.1f} s"
            + (f" ({len(users)} accounts named by the requests)" if on_slice else " (whole world)")
        )
    return peers, notes


def run_size(plan: Plan, parts: tuple[str, ...], postgres: str) -> SizeResult:
    tenant = generate(plan.size)
    gc.collect()
    gc.freeze()  # the world is long-lived: keep the collector from walking it during timing
    print(f"[{plan.size}] generated {len(tenant.world.users):,} users in {tenant.seconds:.2f} s", flush=True)
    result = SizeResult(tenant)
    if plan.checks and "checks" in parts:
        _run_checks(plan, result)
    reps = plan.lists if "lists" in parts else None
    http = plan.http if "http" in parts else None
    for database in ("sqlite", "postgresql"):
        measure_http = http is not None and database in plan.http_databases
        if reps is None and not measure_http:
            continue
        also = _http_part(result, http) if measure_http and http is not None else None
        result.lists.append(run_database(tenant, database, reps, postgres_server=postgres, also=also))
        print(f"[{plan.size}] {database} done", flush=True)
    if plan.package and "oneroster" in parts:
        result.package = _package(tenant)
        print(f"[{plan.size}] OneRoster package written", flush=True)
    if plan.imports and "imports" in parts:
        result.imports = run_imports(tenant, plan.imports, postgres_server=postgres)
        print(f"[{plan.size}] OneRoster package imported", flush=True)
    gc.unfreeze()
    return result


def _http_part(result: SizeResult, plan: HttpPlan) -> Callable[[Engine, Loaded], None]:
    """The HTTP benchmark on a loaded database, its run added to `result`."""

    def measure(engine: Engine, loaded: Loaded) -> None:
        tenant = result.tenant
        facts = Facts(tenant.world, profile("math"))
        checks = make_requests(tenant, 20_000, seed=11)
        result.http.append(run_http(engine, loaded.tenant_id, facts, checks, plan, size=tenant.size.name))

    return measure


def _package(tenant: Tenant) -> Package:
    folder = Path(tempfile.mkdtemp(prefix="homeroom-oneroster-"))
    try:
        started = time.perf_counter()
        rows = write_package(tenant, folder)
        seconds = time.perf_counter() - started
        size = sum(path.stat().st_size for path in folder.iterdir())
    finally:
        shutil.rmtree(folder)
    return Package(sum(rows.values()), len(rows), size / 1e6, seconds)


def _run_checks(plan: Plan, result: SizeResult) -> None:
    tenant = result.tenant
    facts = Facts(tenant.world, profile("math"))
    checks = make_requests(tenant, plan.requests)
    result.allow_share = sum(decide(c, facts).allowed for c in checks) / len(checks)
    result.timings.append(homeroom_warm(facts, checks, plan.warm_calls))
    result.timings.append(homeroom_cold(tenant.world, facts.profile, checks, plan.cold_calls))
    print(f"[{plan.size}] homeroom timed", flush=True)
    peers, result.notes = _peers(facts, checks, on_slice=plan.peers_on_slice)
    for peer in peers:
        agreement = cross_check(peer, checks[: plan.cross_sample], facts)
        result.cross.append(agreement)
        calls = plan.cedar_calls if peer.name == "cedar" else plan.casbin_calls
        note = "DISAGREES with homeroom (see cross-check)" if agreement.disagreements else ""
        result.timings.append(time_peer(peer, checks, calls, note))
        print(f"[{plan.size}] {peer.name} timed", flush=True)
    del peers


def machine() -> dict[str, str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if "model name" in line), "?"
    )
    mem = next((line.split(":", 1)[1].strip() for line in _lines("/proc/meminfo") if "MemTotal" in line), "?")
    versions = []
    for package in ("cedarpy", "casbin"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, nproc {os.cpu_count()}",
        "memory": mem,
        "python": (
            f"{platform.python_implementation()} {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
        ),
        "peers": ", ".join(versions),
        "load": "load average {:.1f} / {:.1f} / {:.1f} (1, 5, 15 min)".format(*os.getloadavg()),
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def _ratio(mine: Timing, theirs: Timing | None) -> str:
    if theirs is None:
        return "-"
    return f"{mine.throughput / theirs.throughput:.1f}x"


def render(mode: str, results: list[SizeResult], info: dict[str, str], seconds: float) -> str:
    lines = [
        f"Run `{mode}`: {info['date']}; {info['cpu']}; memory {info['memory']}; {info['python']};",
        f"{info['peers']}; wall time {seconds:.0f} s; peak RSS {_rss_mb():,.0f} MB;",
        f"{info['load']} at the end (other work on the machine slows every figure).",
        "",
    ]
    checked = [result for result in results if result.timings]
    if checked:
        lines += ["**Checks**", "", *_render_checks(checked), ""]
    runs = [run for result in results for run in result.lists if run.timings]
    if runs:
        lines += ["**Lists** (`student.edit` on users, pages of 50)", "", *render_lists(runs), ""]
    served = [run for result in results for run in result.http]
    if served:
        lines += [
            "**HTTP** (`POST /api/v1/authz/check` and `check-batch`, loopback)",
            "",
            *render_http(served),
            "",
        ]
    packages = [result for result in results if result.package is not None]
    if packages:
        lines += ["**OneRoster 1.2 package** (`bench/oneroster.py`)", "", *_render_packages(packages), ""]
    imported = [run for result in results for run in result.imports]
    if imported:
        lines += ["**OneRoster import** (`bench/imports.py`)", "", *render_imports(imported), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _render_checks(results: list[SizeResult]) -> list[str]:
    lines = [
        (
            "| size | world | engine | calls | checks/s (single) | p50 µs | p99 µs | checks/s (batch) "
            "| homeroom warm ÷ engine (single) |"
        ),
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        warm = result.timings[0]
        world = _describe(result)
        for timing in result.timings:
            batch = f"{timing.batch_throughput:,.0f}" if timing.batch_throughput else "-"
            ratio = "1.0x" if timing is warm else _ratio(warm, timing)
            lines.append(
                f"| {result.tenant.size.name} | {world} | {timing.engine} | {timing.calls:,} | "
                f"{timing.throughput:,.0f} | {timing.p50_us:.1f} | {timing.p99_us:.1f} | {batch} | {ratio} |"
            )
            world = ""
    lines.append("")
    for result in results:
        lines.append(
            f"* {result.tenant.size.name}: allowed share {result.allow_share:.1%}; "
            f"generated in {result.tenant.seconds:.2f} s; " + "; ".join(result.notes) + "."
        )
        for agreement in result.cross:
            found = len(agreement.disagreements)
            lines.append(
                f"  * cross-check {agreement.engine}: {found} disagreements in {agreement.sample:,} checks"
                + "".join(f"\n    * `{d}`" for d in agreement.disagreements[:5])
            )
    return lines


def _render_packages(results: list[SizeResult]) -> list[str]:
    lines = ["| size | files | rows | MB | seconds | rows/s |", "|---|---:|---:|---:|---:|---:|"]
    for result in results:
        package = result.package
        if package is None:
            continue
        lines.append(
            f"| {result.tenant.size.name} | {package.files} | {package.rows:,} | {package.megabytes:,.1f} | "
            f"{package.seconds:.1f} | {package.rows / package.seconds:,.0f} |"
        )
    return lines


def _describe(result: SizeResult) -> str:
    world, size = result.tenant.world, result.tenant.size
    return (
        f"{size.students:,} students, {size.schools:,} schools, {size.teachers:,} teachers, "
        f"{size.classes:,} classes, {result.tenant.enrollments:,} enrollments, {len(world.users):,} accounts"
    )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_doc(mode: str, text: str) -> None:
    start, end = f"<!-- results:{mode} -->", f"<!-- /results:{mode} -->"
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{text}{end}"
    if start in doc and end in doc:
        doc = doc[: doc.index(start)] + block + doc[doc.index(end) + len(end) :]
    else:
        doc = doc.rstrip("\n") + f"\n\n## Results ({mode})\n\n{block}\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--quick", action="store_true", help="size S only (under 3 minutes)")
    group.add_argument(
        "--full", action="store_true", help="checks at S, M and L; lists, HTTP, packages, imports at M and L"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run only this part (repeatable); prints only unless --section is given",
    )
    parser.add_argument("--skip", action="append", choices=PARTS, default=[], help="leave this part out")
    parser.add_argument(
        "--section",
        help="write into the results section of this name (`full-imports`: `results:full-imports`), "
        "also with --only; a long run can so be split into parts that each keep their own table",
    )
    parser.add_argument(
        "--postgres", default=POSTGRES_SERVER, help="PostgreSQL server (lists, HTTP, imports)"
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    parts = tuple(part for part in args.only or PARTS if part not in args.skip)
    write = not args.no_write and (not args.only or args.section is not None)
    section = args.section or mode
    started = time.perf_counter()
    results = []
    for plan in PLANS[mode]:
        results.append(run_size(plan, parts, args.postgres))
        text = render(mode, results, machine(), time.perf_counter() - started)
        print(text, flush=True)
        for run in results[-1].lists:
            print(*(line for timing in run.timings for line in _plan_lines(run, timing)), sep="\n")
        if write:
            write_doc(section, text)  # after every size, so a run that dies at L keeps S and M


def _plan_lines(run: DatabaseRun, timing: PersonaTiming) -> list[str]:
    if not timing.plan:
        return []
    title = f"{run.size} {run.database} {timing.persona.name}: first page p99 {timing.first(0.99):.1f} ms"
    return [f"{title} > target {timing.persona.target_ms:.0f} ms; plan:", *timing.plan, ""]


if __name__ == "__main__":
    main()
