"""Roster imports keep the user reach table exact: new links, a class moving school, links removed by
absence in an import anchored below the root (also of accounts the package does not name: one it no
longer lists, and a hand-made one anchored only outside the import's scope), and an unchanged package
writes no reach row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.services.test_reach import expected_reach, stored_reach
from tests.sync.conftest import District
from tests.unit.rostering.roster_packages import manifest, package_1_1, with_rows, write_folder

from homeroom.policy import registry
from homeroom.policy.world import STUDENT, User
from homeroom.store.rosters import add_user

pytestmark = pytest.mark.db
MATH = registry.profile("math")

SECOND_SCHOOL = "s2,,,School Two,school,,d1"
ART = "k2,,,Art,07,c1,ART,scheduled,Room 2,{school},t1,,,1"
ART_ENROLLMENT = "e3,,,k2,{school},u2,student,false,,"


def _package(tmp_path: Path, name: str, art_school: str = "s2") -> Path:
    """Package 1.1 with a second school and an art class there, which the student u2 takes."""
    files = with_rows(package_1_1(), "orgs.csv", SECOND_SCHOOL)
    files = with_rows(files, "classes.csv", ART.format(school=art_school))
    files = with_rows(files, "enrollments.csv", ART_ENROLLMENT.format(school=art_school))
    return write_folder(tmp_path / name, files)


def _reach(d: District) -> set[tuple[str, str, str]]:
    with d.app.sessions.begin() as session:
        stored = stored_reach(session, d.tenant_id)
        assert stored == expected_reach(session, d.tenant_id)
    return stored


def test_imports_keep_the_reach_exact(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district(kind="customer")
    assert d.run(_package(tmp_path, "first")).status == "applied"
    first = _reach(d)
    assert {("u2", "s2", "student"), ("u2", "d1", "student"), ("u2", d.root, "student")} <= first

    assert d.run(_package(tmp_path, "again")).status == "unchanged"
    assert _reach(d) == first

    moved = d.run(_package(tmp_path, "moved", art_school="s1"))
    assert moved.status == "applied", moved.as_json()
    assert ("u2", "s2", "student") not in _reach(d)


def test_links_removed_by_absence_below_the_root(tmp_path: Path, district: Callable[..., District]) -> None:
    d = district(kind="customer")
    d.run(_package(tmp_path, "first"))
    with d.app.sessions.begin() as session:  # a hand-made student of the root, in the rostered art class
        add_user(session, d.tenant_id, User("hm", STUDENT, orgs=(d.root,), enrolled_in=("k2",)), MATH)
    assert {("u2", "s2", "student"), ("hm", "d1", "student")} <= _reach(d)
    files = package_1_1()
    files["users.csv"] = "\n".join(str(files["users.csv"]).splitlines()[:2]) + "\n"  # u1 only
    files["enrollments.csv"] = "\n".join(str(files["enrollments.csv"]).splitlines()[:2]) + "\n"  # e1 only
    files = with_rows(files, "orgs.csv", SECOND_SCHOOL)
    files["manifest.csv"] = manifest(
        "1.1", {n.removesuffix(".csv"): "bulk" for n in files if n != "manifest.csv"}
    )
    outcome = d.run(write_folder(tmp_path / "without-u2", files), anchor="d1", approve=True)
    assert outcome.status == "applied", outcome.as_json()
    after = _reach(d)
    assert ("u2", "s2", "student") not in after  # the art class's enrollment went with the file
    assert ("u2", "s1", "student") in after  # an absent account keeps its home school
    assert not any(user == "hm" and org != d.root for user, org, _ in after)  # nothing left in d1
