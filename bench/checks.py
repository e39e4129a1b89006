"""The in-process check benchmark: Homeroom (warm and cold facts) and its peers on the same requests.

Latency: time.perf_counter_ns around each single call; p50 and p99 over every timed call. Throughput:
calls divided by the summed single-call latencies. Batch throughput: one pass over all requests without
per-call timers (Homeroom has no batch API, so this is a plain loop; Cedar uses is_authorized_batch in
chunks of 1,000, Casbin batch_enforce). Every engine is warmed on the same requests before it is timed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench.partial import partial_world
from homeroom.policy import Check, Facts, decide
from homeroom.policy.profiles import Profile
from homeroom.policy.world import World

BATCH = 1_000


class Peer(Protocol):
    name: str

    def prepare(self, check: Check) -> Any: ...
    def decide(self, prepared: Any) -> bool: ...
    def decide_batch(self, prepared: list[Any]) -> list[bool]: ...


@dataclass(slots=True)
class Timing:
    engine: str
    calls: int
    p50_us: float
    p99_us: float
    throughput: float  # checks per second, single calls
    batch_throughput: float | None = None
    note: str = ""


@dataclass(slots=True)
class CrossCheck:
    engine: str
    sample: int
    disagreements: list[str] = field(default_factory=list)


def percentile(sorted_ns: Sequence[int], fraction: float) -> float:
    """The value at `fraction` (nearest rank) of sorted nanoseconds, in microseconds."""
    index = min(len(sorted_ns) - 1, max(0, round(fraction * len(sorted_ns)) - 1))
    return sorted_ns[index] / 1_000


def time_calls(call: Callable[[Any], object], items: Sequence[Any]) -> list[int]:
    """Nanoseconds of each call, measured one by one."""
    clock = time.perf_counter_ns
    spent = []
    for item in items:
        started = clock()
        call(item)
        spent.append(clock() - started)
    return spent


def summarize(engine: str, spent: list[int], note: str = "") -> Timing:
    ordered = sorted(spent)
    total = sum(ordered) or 1
    p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
    return Timing(engine, len(ordered), p50, p99, len(ordered) * 1e9 / total, note=note)


def cycle(items: Sequence[Any], count: int) -> list[Any]:
    """`count` items, repeating `items` as often as needed."""
    return [items[i % len(items)] for i in range(count)]


def homeroom_warm(facts: Facts, checks: Sequence[Check], calls: int) -> Timing:
    """One Facts over the whole world, built once, caches warmed on the requests first."""
    for check in checks:
        decide(check, facts)
    timed = cycle(checks, calls)
    timing = summarize("homeroom (warm)", time_calls(lambda c: decide(c, facts), timed))
    started = time.perf_counter()
    for check in timed:
        decide(check, facts)
    timing.batch_throughput = len(timed) / (time.perf_counter() - started)
    return timing


def homeroom_cold(world: World, profile: Profile, checks: Sequence[Check], calls: int) -> Timing:
    """A fresh Facts per check over the partial world a service would load (built before timing)."""
    worlds = [partial_world(world, check) for check in checks]
    pairs = cycle(list(zip(checks, worlds, strict=True)), calls)
    spent = time_calls(lambda pair: decide(pair[0], Facts(pair[1], profile)), pairs)
    note = "Facts built per check from a partial world (actor, target, their classes, orgs above)"
    return summarize("homeroom (cold facts)", spent, note)


def cross_check(peer: Peer, checks: Sequence[Check], facts: Facts) -> CrossCheck:
    """Compare the peer's decisions with Homeroom's on every check of the sample."""
    result = CrossCheck(peer.name, len(checks))
    for check in checks:
        expected = decide(check, facts)
        got = peer.decide(peer.prepare(check))
        if got != expected.allowed:
            result.disagreements.append(f"{check}: homeroom {expected.explain()}; {peer.name} {got}")
    return result


def time_peer(peer: Peer, checks: Sequence[Check], calls: int, note: str = "") -> Timing:
    prepared = [peer.prepare(check) for check in checks]
    for item in prepared[: min(len(prepared), 500)]:
        peer.decide(item)
    timed = cycle(prepared, calls)
    timing = summarize(peer.name, time_calls(peer.decide, timed), note)
    started = time.perf_counter()
    for start in range(0, len(timed), BATCH):
        peer.decide_batch(timed[start : start + BATCH])
    timing.batch_throughput = len(timed) / (time.perf_counter() - started)
    return timing
