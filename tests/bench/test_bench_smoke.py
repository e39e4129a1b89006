"""Smoke test of the benchmark suite: the generator at a tiny size, the Homeroom part of the check
benchmark on a handful of requests, the bulk loader, the OneRoster package and the list benchmark on
SQLite. No peers and no timing assertions; cedarpy and casbin are not needed."""

import csv

from bench.checks import homeroom_cold, homeroom_warm
from bench.generate import generate
from bench.lists import Reps, render_lists, run_database
from bench.load import load_world
from bench.oneroster import BULK, HEADERS, write_package
from bench.partial import partial_world
from bench.requests import make_requests
from sqlalchemy import text

from homeroom.policy import Facts, decide, profile
from homeroom.policy.validation import validate_world
from homeroom.policy.world import Check, Ref
from homeroom.store.database import engine_for
from homeroom.store.migrations import upgrade


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


def test_generated_worlds_have_realistic_shapes():
    tenant = generate("S")
    users = tenant.world.users.values()
    students = [u for u in users if u.kind == "student"]
    teachers = [u for u in users if u.roles and u.roles[0].role == "teacher"]
    assert {len(s.enrolled_in) for s in students} <= set(range(4, 9))  # 4-7, and 1% one more elsewhere
    assert sum(len({tenant.world.classes[c].school for c in s.enrolled_in}) > 1 for s in students) > 0
    assert {len(t.teaches) for t in teachers} == set(range(1, 7))
    assert len(tenant.school_admins) == 2 * len(tenant.schools)
    assert len(tenant.district_admins) == 3 * len(tenant.districts)
    assert {u.status for u in users} >= {"active", "inactive"}
    assert {u.deleted for u in users} == {"none", "soft", "purged"}
    assert any(not value for values in tenant.world.settings.values() for value in values.values())


def test_bulk_load_into_sqlite_writes_every_row_of_the_world(tmp_path):
    tenant = generate("tiny")
    world = tenant.world
    engine = engine_for(f"sqlite:///{tmp_path / 'bench.db'}")
    upgrade(engine)
    loaded = load_world(engine, world, profile("math"), tenant="bench", chunk=100)
    users = world.users.values()
    expected = {
        "orgs": len(world.orgs),
        "users": len(world.users),
        "classes": len(world.classes),
        "user_orgs": sum(len(u.orgs) for u in users),
        "role_assignments": sum(len(u.roles) for u in users),
        "teaching": sum(len(u.teaches) for u in users),
        "enrollments": tenant.enrollments,
        "settings": sum(len(values) for values in world.settings.values()),
    }
    with engine.connect() as connection:
        for table, count in expected.items():
            assert loaded.rows[table] == count, table
            query = text(f"SELECT count(*) FROM {table} WHERE tenant_id = :tenant")  # noqa: S608
            assert connection.execute(query, {"tenant": loaded.tenant_id}).scalar() == count, table
    engine.dispose()


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def test_oneroster_package_has_standard_headers_and_consistent_rows(tmp_path):
    tenant = generate("tiny")
    world = tenant.world
    counts = write_package(tenant, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(HEADERS)
    files = {name: _read(tmp_path / name) for name in HEADERS}
    for name, (header, rows) in files.items():
        assert header == list(HEADERS[name]), name
        assert len(rows) == counts[name], name
        assert all(len(row) == len(header) for row in rows), name
    assert files["users.csv"][0][:3] == ["sourcedId", "status", "dateLastModified"]
    manifest = dict(files["manifest.csv"][1])
    assert manifest["oneroster.version"] == "1.2"
    assert {k for k, v in manifest.items() if v == "bulk"} == {f"file.{n}" for n in BULK}

    exported = [u for u in world.users.values() if u.deleted == "none" and not _customer_admin(u)]
    live_classes = {c.id for c in world.classes.values() if c.deleted == "none"}
    assert counts["orgs.csv"] == len(tenant.districts) + len(tenant.schools)
    assert counts["users.csv"] == counts["roles.csv"] == len(exported)
    assert counts["classes.csv"] == len(live_classes)
    assert counts["enrollments.csv"] == sum(
        len([c for c in (*u.enrolled_in, *u.teaches) if c in live_classes]) for u in exported
    )
    ids = {name: {row[0] for row in rows} for name, (_, rows) in files.items()}
    assert {row[5] for row in files["enrollments.csv"][1]} <= ids["users.csv"]
    assert {row[3] for row in files["enrollments.csv"][1]} <= ids["classes.csv"]
    assert {row[5] for row in files["classes.csv"][1]} <= ids["courses.csv"]
    assert {row[8] for row in files["roles.csv"][1]} <= ids["orgs.csv"]
    assert {row[6] for row in files["orgs.csv"][1]} - {""} <= ids["orgs.csv"]


def _customer_admin(user):
    return any(a.role == "customer_admin" for a in user.roles)


def test_list_benchmark_counts_what_decide_allows():
    tenant = generate("tiny")
    facts = Facts(tenant.world, profile("math"))
    students = [u.id for u in tenant.world.users.values() if u.kind == "student"]
    run = run_database(tenant, "sqlite", Reps(first=2, walks=1))
    assert run.loaded is not None
    assert [timing.persona.name for timing in run.timings] == ["teacher", "school admin", "district admin"]
    for timing in run.timings:
        allowed = [
            s
            for s in students
            if decide(Check(timing.persona.actor, "student.edit", Ref("user", s)), facts).allowed
        ]
        assert timing.rows == len(allowed) > 0, timing.persona
        assert timing.pages == max(1, -(-len(allowed) // 50))
        assert len(timing.first_ns) == 2
        assert len(timing.walk_ns) == 1
    assert "| tiny | sqlite | teacher" in "\n".join(render_lists([run]))
