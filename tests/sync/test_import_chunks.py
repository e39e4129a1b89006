"""The import reads each file once, in chunks: staging by chunks must not change what lands, and where the
package gives one assignment, home org or link twice, the first row wins, whichever chunk holds it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sync.conftest import District
from tests.unit.rostering.roster_packages import package_1_1, package_1_2, with_rows, write_folder

from homeroom.rostering import rows as rows_module
from homeroom.store import tables as t

pytestmark = pytest.mark.db

TWICE = with_rows(
    with_rows(
        package_1_2(),
        "roles.csv",
        "r3,,,u1,secondary,principal,,,s1,",  # principal and site administrator give the same role at s1
        "r4,,,u1,primary,siteAdministrator,,,s1,",
        "r5,,,u2,secondary,student,,,s1,",  # the student's school again: one home org, the primary's
    ),
    "enrollments.csv",
    "e3,tobedeleted,,k1,s1,u2,student,false,,",  # the same link as e2 (active): the first row wins
)


@pytest.mark.parametrize("rows_per_chunk", [1, 2, 5000])
def test_what_lands_does_not_depend_on_chunks_and_the_first_row_wins(
    tmp_path: Path, district: Callable[..., District], monkeypatch: pytest.MonkeyPatch, rows_per_chunk: int
) -> None:
    monkeypatch.setattr(rows_module, "CHUNK_ROWS", rows_per_chunk)
    d = district()
    outcome = d.run(write_folder(tmp_path / "package", TWICE))
    assert outcome.status == "applied", outcome.as_json()
    roles = [row for row in d.rows(t.RoleAssignment) if row[0] == "u1"]
    assert ("u1", "teacher", "s1", 0) in roles
    admin = [row for row in roles if row[1] != "teacher"]
    assert len(admin) == 1
    assert admin[0][3] == 1  # r3, the first of the two rows giving it, is secondary
    assert [(u, o, p) for u, o, p in d.rows(t.UserOrg)] == [("u2", "s1", 0)]
    assert ("u2", "k1", 0) in d.rows(t.Enrollment)
    assert outcome.as_json()["plan"]["counts"]["enrollments"] == {"created": 1, "updated": 0, "removed": 0}


@pytest.mark.parametrize("files", [package_1_1(), package_1_2()])
def test_one_row_per_chunk_stages_the_same_tenant_as_one_chunk(
    tmp_path: Path,
    district: Callable[..., District],
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str | bytes],
) -> None:
    snapshots = []
    for rows_per_chunk in (5000, 1):
        monkeypatch.setattr(rows_module, "CHUNK_ROWS", rows_per_chunk)
        d = district()
        assert d.run(write_folder(tmp_path / str(rows_per_chunk), files)).status == "applied"
        snapshots.append(
            {
                name: sorted(d.rows(table))
                for name, table in (
                    ("roles", t.RoleAssignment),
                    ("homes", t.UserOrg),
                    ("teaching", t.Teaching),
                    ("enrollments", t.Enrollment),
                )
            }
        )
    assert snapshots[0] == snapshots[1]
