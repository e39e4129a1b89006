"""The apply's two ways of keeping references (store/references.py): on PostgreSQL, where the role may,
the triggers off and every reference proven by set before commit; elsewhere the foreign keys row by row.
Both store the same rows, and both refuse a reference to nothing, leaving nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, literal, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tests.sync.conftest import District
from tests.unit.rostering.roster_packages import package_1_1, with_rows, write_folder

from homeroom.store import references, roster_diff
from homeroom.store import roster_stage as rs
from homeroom.store import tables as t

pytestmark = pytest.mark.db

SECOND_SCHOOL = "s2,,,School Two,school,,d1"
ART = "k2,,,Art,07,c1,ART,scheduled,Room 2,s2,t1,,,1"
ART_ENROLLMENT = "e3,,,k2,s2,u2,student,false,,"
LINKED = (t.User, t.UserOrg, t.RoleAssignment, t.Teaching, t.Enrollment, t.UserReach)


def _package(tmp_path: Path, name: str) -> Path:
    files = with_rows(package_1_1(), "orgs.csv", SECOND_SCHOOL)
    files = with_rows(files, "classes.csv", ART)
    return write_folder(tmp_path / name, with_rows(files, "enrollments.csv", ART_ENROLLMENT))


def _postgres(d: District) -> bool:
    return d.app.engine.dialect.name == "postgresql"


def _proofs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the set-based proofs the imports run (one per apply on the fast path)."""
    calls: list[int] = []
    prove = references.references_proven

    def counted(session: Session, tenant_id: int, proven: Any) -> None:
        calls.append(len(proven))
        prove(session, tenant_id, proven)

    monkeypatch.setattr(references, "references_proven", counted)
    return calls


def _ordinary(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a role that may not set session_replication_role: the triggers stay on."""
    monkeypatch.setattr(references, "may_skip_triggers", lambda _session: False)


def _stored(d: District) -> dict[str, list[tuple[Any, ...]]]:
    """The tenant's users and links, its root org's id written as ROOT (each district has its own)."""
    found = {}
    for table in LINKED:
        rows = [tuple("ROOT" if v == d.root else v for v in row) for row in d.rows(table)]
        found[table.__tablename__] = sorted(rows, key=repr)
    return found


def _run_twice(d: District, tmp_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """A first import from the root, then one below it (anchored at d1) that adds the art class."""
    first = d.run(write_folder(tmp_path / f"{d.name}-1", package_1_1()))
    assert first.status == "applied", first.as_json()
    second = d.run(_package(tmp_path, f"{d.name}-2"), anchor="d1")
    assert second.status == "applied", second.as_json()
    return _stored(d)


def test_both_paths_store_the_same_rows(
    tmp_path: Path, district: Callable[..., District], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = district(kind="customer")
    proofs = _proofs(monkeypatch)
    with_proofs = _run_twice(fast, tmp_path)
    # On PostgreSQL the first import proves the staged references and the whole tenant's reach (8 in
    # all), the second, anchored below the root, only the staged ones (6); SQLite never skips a check.
    assert proofs == ([8, 6] if _postgres(fast) else [])

    _ordinary(monkeypatch)
    proofs.clear()
    ordinary = district(kind="customer")
    assert _run_twice(ordinary, tmp_path) == with_proofs
    assert proofs == []
    assert ("u2", "s2", "student") in with_proofs["user_reach"]


def test_the_role_decides_the_path(district: Callable[..., District]) -> None:
    d = district()
    with d.app.sessions.begin() as session:
        allowed = references.may_skip_triggers(session)
        assert allowed is _postgres(d)  # the tests' PostgreSQL role is a superuser
        if _postgres(d):  # a role with neither superuser nor SET on the parameter may not
            session.execute(text("SET LOCAL ROLE pg_read_all_data"))
            assert references.may_skip_triggers(session) is False
            session.execute(text("RESET ROLE"))
        with references.triggers_off(session, enabled=allowed) as off:
            assert off is allowed
            if _postgres(d):
                assert session.scalar(text("SHOW session_replication_role")) == "replica"
        if _postgres(d):
            assert session.scalar(text("SHOW session_replication_role")) == "origin"


def _ghost_link(session: Session, class_id: str) -> None:
    """A staged enrollment of an account that does not exist, as a bug in the staging could make."""
    rs.stage_rows(session, rs.LINKS, [("enroll", class_id, "ghost", 0, False, 7, "enrollments.csv")])


@pytest.mark.parametrize("path", ["fast", "ordinary"])
def test_a_reference_to_nothing_is_refused(
    tmp_path: Path, district: Callable[..., District], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    d = district()
    d.run(write_folder(tmp_path / "first", package_1_1()))
    before = d.snapshot()
    if path == "ordinary":
        _ordinary(monkeypatch)
    apply_links = roster_diff.apply_links

    def with_ghost(session: Session, scope: roster_diff.Scope) -> None:
        _ghost_link(session, "k1")
        apply_links(session, scope)

    monkeypatch.setattr(roster_diff, "apply_links", with_ghost)
    changed = package_1_1()
    changed["users.csv"] = str(changed["users.csv"]).replace("Ben,Ortiz", "Benjamin,Ortiz")
    fast = path == "fast" and _postgres(d)
    with pytest.raises(references.DanglingReference if fast else IntegrityError) as refused:
        d.run(write_folder(tmp_path / "second", changed))
    if fast:
        assert "rs_links.user_id 'ghost' (line 7) names no row of users" in str(refused.value)
    assert d.snapshot() == before  # nothing half-written


def test_the_proof_finds_what_the_triggers_would(district: Callable[..., District], tmp_path: Path) -> None:
    """Store level: with the triggers off a dangling enrollment goes in, and the proof names it."""
    d = district()
    d.run(write_folder(tmp_path / "first", package_1_1()))
    tenant = d.tenant_id
    with d.app.sessions() as session:  # rolled back when closed
        rs.create_staging(session)
        _ghost_link(session, "k1")
        enabled = references.may_skip_triggers(session)
        if not enabled:  # SQLite: the foreign key refuses the row itself
            with pytest.raises(IntegrityError):
                session.execute(_copy_links(tenant))
            session.rollback()
            rs.drop_staging(session)
            session.commit()
            return
        with references.triggers_off(session, enabled=True):
            session.execute(_copy_links(tenant))
        stored = session.scalar(
            select(t.Enrollment.user_id).where(
                t.Enrollment.tenant_id == tenant, t.Enrollment.user_id == "ghost"
            )
        )
        assert stored == "ghost"
        with pytest.raises(references.DanglingReference, match="names no row of users"):
            references.references_proven(session, tenant, rs.REFERENCES)
    assert not [row for row in d.rows(t.Enrollment) if row[0] == "ghost"]


def _copy_links(tenant: int) -> Any:
    ln = rs.LINKS.c
    rows = select(literal(tenant), ln.user_id, ln.class_id, ln.position)
    return insert(t.Enrollment).from_select(["tenant_id", "user_id", "class_id", "position"], rows)
