"""The HTTP benchmark: `POST /authz/check` and `/authz/check-batch` under load, on loopback.

A real server process (uvicorn with N workers over the app factory, as `homeroom serve --workers N` runs
it, access log off) serves a generated tenant already loaded into a database; a tenant service token
asks about every actor. The load generator is an asyncio client in a process of its own (spawned, so
its heap is small and the collector never pauses it over the benchmark's world): raw HTTP/1.1 over
keep-alive connections, requests encoded before timing, a fixed number of connections each sending its
next request when the previous answer arrived (a closed loop), opened a few milliseconds apart (a busy
worker does not accept, so they spread over the workers), bounded by a duration and a request count.
Latency is measured per request from the first byte written to the last byte read.

The client shares the machine's cores with the server; its CPU time over the timed window is reported
next to the server's (all its processes, and the two busiest apart), each as a share of one core, and
the server's CPU time per check answered (the work itself, however much of the cores the server got on
a shared machine). Before timing, the first requests are answered one by one and their decisions
compared with `decide` in process (disagreements are reported, never ignored).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.checks import percentile
from homeroom.policy import Check, Facts, decide
from homeroom.services.logins import issue_service_token

CHECK_PATH = "/api/v1/authz/check"
BATCH_PATH = "/api/v1/authz/check-batch"
APP_FACTORY = "homeroom.api.app:create_app"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STAGGER = 0.005  # seconds between opening two connections


@dataclass(frozen=True, slots=True)
class HttpPlan:
    workers: tuple[int, ...] = (1, 2)
    seconds: float = 8.0  # per (workers, endpoint), after a warm-up
    max_requests: int = 100_000
    connections: int = 16  # single checks
    batch_size: int = 1_000
    batch_connections: int = 4
    cross_sample: int = 300


@dataclass(slots=True)
class HttpTiming:
    database: str
    workers: int
    endpoint: str  # "check" or "check-batch"
    connections: int
    batch: int  # checks per request
    requests: int
    seconds: float
    latencies_ns: list[int] = field(default_factory=list, repr=False)
    errors: int = 0
    client_cpu: float = 0.0  # share of one core over the timed window
    server_cpu: float = 0.0
    worker_cpu: list[float] = field(default_factory=list)  # each uvicorn process's share, busiest first

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds

    @property
    def checks_per_s(self) -> float:
        return self.requests * self.batch / self.seconds

    @property
    def server_us_per_check(self) -> float:
        """The server's CPU time per check answered: the work, whatever share of the cores it got."""
        return self.server_cpu * self.seconds / max(1, self.requests * self.batch) * 1e6

    def latency_ms(self, fraction: float) -> float:
        return percentile(sorted(self.latencies_ns), fraction) / 1_000


@dataclass(slots=True)
class HttpRun:
    database: str
    size: str
    timings: list[HttpTiming] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    cross_sample: int = 0
    server: str = ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _process_tree(root: int) -> list[int]:
    """`root` and every process below it (uvicorn's supervisor and its workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        with suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def server(database_url: str, workers: int) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """uvicorn over the app factory on a free loopback port; stopped (SIGTERM, then SIGKILL) on exit."""
    port = _free_port()
    env = {**os.environ, "HOMEROOM_DATABASE_URL": database_url, "HOMEROOM_WORKERS": str(workers)}
    command = [sys.executable, "-m", "uvicorn", APP_FACTORY, "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, env=env)
    try:
        _wait_ready(port, process)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before it was ready")
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the server was not ready on port {port} after {timeout:.0f} s")


def service_token(engine: Engine, tenant_id: int) -> str:
    with Session(engine) as session, session.begin():
        return issue_service_token(session, tenant_id, "bench-http", datetime.now(UTC)).token


def check_body(check: Check) -> dict[str, str]:
    body = {"actor": check.actor, "permission": check.permission, "target": str(check.target)}
    for name, value in (("to", check.to), ("from", check.from_), ("at", check.at)):
        if value is not None:
            body[name] = str(value)
    if check.role is not None:
        body["role"] = check.role
    return body


def encode(path: str, token: str, payload: object) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> bytes:
    """Send one request and read its whole answer; raises on any status but 200."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    start = head.lower().find(b"content-length:")
    length = int(head[start + 15 : head.index(b"\r\n", start)]) if start >= 0 else 0
    body = await reader.readexactly(length)
    if head[9:12] != b"200":
        raise RuntimeError(f"status {head[9:12].decode()}: {body[:300].decode(errors='replace')}")
    return body


@dataclass(slots=True)
class _Load:
    requests: Sequence[bytes]
    deadline: float
    limit: int
    sent: int = 0
    errors: int = 0
    latencies: list[int] = field(default_factory=list)


async def _connection(port: int, load: _Load, delay: float) -> None:
    # Connections open one after another while the earlier ones already send: a worker busy with a
    # request does not accept, so the connections spread over the workers instead of piling on one.
    await asyncio.sleep(delay)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    clock = time.perf_counter_ns
    try:
        while load.sent < load.limit and time.monotonic() < load.deadline:
            request = load.requests[load.sent % len(load.requests)]
            load.sent += 1
            started = clock()
            try:
                await _exchange(reader, writer, request)
            except RuntimeError:
                load.errors += 1
            load.latencies.append(clock() - started)
    finally:
        writer.close()
        with suppress(OSError):
            await writer.wait_closed()


async def _drive(port: int, requests: Sequence[bytes], connections: int, seconds: float, limit: int) -> _Load:
    load = _Load(requests, time.monotonic() + seconds, limit)
    await asyncio.gather(*(_connection(port, load, STAGGER * i) for i in range(connections)))
    return load


@dataclass(slots=True)
class Window:
    """What one timed window measured."""

    latencies: list[int]
    errors: int
    wall: float
    client: float  # the client's CPU share of one core
    served: list[float]  # each server process's CPU share, busiest first


def run_load(
    port: int,
    pids: Sequence[int],
    requests: Sequence[bytes],
    *,
    connections: int,
    seconds: float,
    limit: int,
) -> Window:
    """One timed window, in the calling process."""
    server_before = [_cpu_seconds([pid]) for pid in pids]
    client_before, started = _own_cpu(), time.perf_counter()
    load = asyncio.run(_drive(port, requests, connections, seconds, limit))
    wall = time.perf_counter() - started
    client = (_own_cpu() - client_before) / wall
    served = [(_cpu_seconds([pid]) - before) / wall for pid, before in zip(pids, server_before, strict=True)]
    return Window(load.latencies, load.errors, wall, client, sorted(served, reverse=True))


def _client_process() -> ProcessPoolExecutor:
    """The load generator's own process (spawned: a small heap, no world, no collector pauses)."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


async def _ask_each(port: int, requests: Sequence[bytes]) -> list[bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return [await _exchange(reader, writer, request) for request in requests]
    finally:
        writer.close()


def cross_check(port: int, token: str, checks: Sequence[Check], facts: Facts) -> list[str]:
    """Each check through HTTP against `decide` in process: the disagreements."""
    answers = asyncio.run(_ask_each(port, [encode(CHECK_PATH, token, check_body(c)) for c in checks]))
    found = []
    for check, answer in zip(checks, answers, strict=True):
        got, expected = json.loads(answer), decide(check, facts)
        if got["allowed"] != expected.allowed or got["code"] != expected.code:
            found.append(f"{check}: http {got['code']}; decide {expected.code}")
    return found


def run_http(
    engine: Engine,
    tenant_id: int,
    facts: Facts,
    checks: Sequence[Check],
    plan: HttpPlan,
    *,
    size: str,
) -> HttpRun:
    """Both endpoints under load for every worker count of `plan`, on the database behind `engine`."""
    database = engine.dialect.name
    url = engine.url.render_as_string(hide_password=False)
    token = service_token(engine, tenant_id)
    singles = [encode(CHECK_PATH, token, check_body(c)) for c in checks]
    batches = [
        encode(BATCH_PATH, token, {"checks": [check_body(c) for c in checks[i : i + plan.batch_size]]})
        for i in range(0, len(checks) - plan.batch_size + 1, plan.batch_size)
    ]
    run = HttpRun(database, size, server=server_description())
    traffic = _Traffic(token, checks, facts, singles, batches)
    with _client_process() as client:
        for workers in plan.workers:
            _serve(run, client, url, workers, traffic, plan)
    return run


@dataclass(frozen=True, slots=True)
class _Traffic:
    token: str
    checks: Sequence[Check]
    facts: Facts
    singles: list[bytes]
    batches: list[bytes]


def _serve(
    run: HttpRun, client: ProcessPoolExecutor, url: str, workers: int, traffic: _Traffic, plan: HttpPlan
) -> None:
    """One server with `workers` workers: the cross-check once, then each endpoint warmed and timed."""
    with server(url, workers) as (port, process):
        pids = _process_tree(process.pid)
        if not run.cross_sample:
            sample = list(traffic.checks[: plan.cross_sample])
            run.disagreements = cross_check(port, traffic.token, sample, traffic.facts)
            run.cross_sample = len(sample)
        for endpoint, requests, connections, batch in (
            ("check", traffic.singles, plan.connections, 1),
            ("check-batch", traffic.batches, plan.batch_connections, plan.batch_size),
        ):
            for seconds in (min(2.0, plan.seconds / 4), plan.seconds):  # a warm-up, then the window
                window = client.submit(
                    run_load,
                    port,
                    pids,
                    requests,
                    connections=connections,
                    seconds=seconds,
                    limit=plan.max_requests,
                ).result()
            timing = HttpTiming(
                run.database, workers, endpoint, connections, batch, len(window.latencies), window.wall
            )
            timing.latencies_ns, timing.errors = window.latencies, window.errors
            timing.client_cpu, timing.server_cpu = window.client, sum(window.served)
            timing.worker_cpu = [share for share in window.served if share >= 0.01] if workers > 1 else []
            run.timings.append(timing)
            print(f"[{run.size}] http {run.database} workers={workers} {endpoint} timed", flush=True)


def server_description() -> str:
    """uvicorn and the HTTP parser and event loop it picks (httptools and uvloop when installed)."""
    import importlib.metadata  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

    parser = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn {importlib.metadata.version('uvicorn')} ({parser}, {loop})"


def _row(size: str, t: HttpTiming) -> str:
    return (
        f"| {size} | {t.database} | {t.workers} | `{t.endpoint}` | {t.connections} | {t.batch:,} | "
        f"{t.requests:,} | {t.requests_per_s:,.0f} | {t.checks_per_s:,.0f} | {t.latency_ms(0.5):.1f} | "
        f"{t.latency_ms(0.99):.1f} | {t.errors} | {t.server_cpu:.0%}{_spread(t)} | "
        f"{t.server_us_per_check:,.0f} | {t.client_cpu:.0%} |"
    )


def _spread(timing: HttpTiming) -> str:
    """The busiest processes' shares: two workers far apart got unequal shares of the connections."""
    shares = timing.worker_cpu[:2]
    return f" ({' + '.join(f'{share:.0%}' for share in shares)})" if len(shares) > 1 else ""


def render_http(runs: list[HttpRun]) -> list[str]:
    """The HTTP results as a Markdown table and notes."""
    lines = [
        (
            "| size | database | workers | endpoint | connections | checks/request | requests | requests/s "
            "| checks/s | p50 ms | p99 ms | errors | server CPU | server µs/check | client CPU |"
        ),
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_row(run.size, timing) for run in runs for timing in run.timings]
    lines.append("")
    for run in runs:
        found = len(run.disagreements)
        lines.append(
            f"* {run.size} {run.database}: {run.server}; cross-check with `decide`: {found} disagreements "
            f"in {run.cross_sample:,} checks" + "".join(f"\n  * `{d}`" for d in run.disagreements[:5])
        )
    return lines
