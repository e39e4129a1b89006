"""Smoke test of the benchmark suite: the generator at a tiny size and the Homeroom part of the check
benchmark on a handful of requests. No peers and no timing assertions; cedarpy and casbin are not needed."""

from bench.checks import homeroom_cold, homeroom_warm
from bench.generate import generate
from bench.partial import partial_world
from bench.requests import make_requests

from homeroom.policy import Facts, decide, profile
from homeroom.policy.validation import validate_world


def test_generator_is_deterministic_and_valid():
    first, second = generate("tiny"), generate("tiny")
    assert first.world == second.world
    assert validate_world(first.world, profile("math")) == []
    assert first.enrollments > len(first.world.classes)


def test_request_mix_has_allows_and_denies():
    tenant = generate("tiny")
    facts = Facts(tenant.world, profile("math"))
    checks = make_requests(tenant, 200)
    assert checks == make_requests(tenant, 200)
    decisions = [decide(check, facts) for check in checks]
    allowed = sum(d.allowed for d in decisions)
    assert 0 < allowed < len(decisions)
    assert all(d.reason.rule != "error" for d in decisions)


def test_partial_world_decides_like_the_whole_world():
    tenant = generate("tiny")
    math = profile("math")
    facts = Facts(tenant.world, math)
    for check in make_requests(tenant, 100):
        partial = Facts(partial_world(tenant.world, check), math)
        assert decide(check, partial).allowed == decide(check, facts).allowed, check


def test_homeroom_timings_are_well_formed():
    tenant = generate("tiny")
    facts = Facts(tenant.world, profile("math"))
    checks = make_requests(tenant, 20)
    for timing in (homeroom_warm(facts, checks, 40), homeroom_cold(tenant.world, facts.profile, checks, 40)):
        assert timing.calls == 40
        assert 0 < timing.p50_us <= timing.p99_us
        assert timing.throughput > 0
