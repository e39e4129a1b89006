"""Smoke test of the HTTP benchmark on the tiny world and SQLite: a real server process, a short bounded
window per endpoint, every answer 200 and every sampled decision equal to `decide`. No timing assertions."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.generate import generate
from bench.http import HttpPlan, render_http, run_http
from bench.load import load_world
from bench.requests import make_requests

from homeroom.policy import Facts, profile
from homeroom.store.database import engine_for
from homeroom.store.migrations import upgrade

pytestmark = pytest.mark.db


def test_http_benchmark_answers_every_request_as_decide(tmp_path: Path) -> None:
    tenant = generate("tiny")
    math = profile("math")
    engine = engine_for(f"sqlite:///{tmp_path / 'http.db'}")
    upgrade(engine)
    loaded = load_world(engine, tenant.world, math, tenant="bench")
    checks = make_requests(tenant, 40, seed=11)
    plan = HttpPlan(workers=(1,), seconds=0.5, max_requests=60, connections=2, batch_size=10, cross_sample=40)
    run = run_http(engine, loaded.tenant_id, Facts(tenant.world, math), checks, plan, size="tiny")
    engine.dispose()
    assert run.cross_sample == 40
    assert run.disagreements == []
    assert [(t.endpoint, t.batch) for t in run.timings] == [("check", 1), ("check-batch", 10)]
    for timing in run.timings:
        assert timing.errors == 0
        assert 0 < timing.requests <= plan.max_requests
        assert len(timing.latencies_ns) == timing.requests
    assert "| tiny | sqlite | 1 | `check` |" in "\n".join(render_http([run]))
