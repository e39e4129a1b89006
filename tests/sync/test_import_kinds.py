"""Kinds of users a OneRoster 1.2 package does not give (store/roster_stage.py, `settle_kinds`): on
PostgreSQL, past `REWRITE_KINDS` such users, rs_users is written anew instead of updated; both ways store
the same rows and drop the same users without an imported role."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.sync.conftest import District
from tests.unit.rostering.roster_packages import package_1_2, with_rows, write_folder

from homeroom.store import roster_stage as rs
from homeroom.store import tables as t
from homeroom.sync.imports import ImportOutcome

pytestmark = pytest.mark.db

NO_ROLE = "u3,,,true,cai,,Cai,Ng,,,,,,,07,,,,,,,s1,"  # no row of roles.csv: dropped, counted as skipped
STORED = (t.User, t.UserOrg, t.RoleAssignment, t.Teaching, t.Enrollment, t.UserReach)


def _run(d: District, tmp_path: Path) -> ImportOutcome:
    outcome = d.run(write_folder(tmp_path / d.name, with_rows(package_1_2(), "users.csv", NO_ROLE)))
    assert outcome.status == "applied", outcome.as_json()
    return outcome


def _stored(d: District) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for table in STORED:
        rows = [tuple("ROOT" if v == d.root else v for v in row) for row in d.rows(table)]
        found[table.__tablename__] = sorted(rows, key=repr)
    return found


def test_rewritten_kinds_store_what_the_update_stores(
    tmp_path: Path, district: Callable[..., District], monkeypatch: pytest.MonkeyPatch
) -> None:
    rewrites: list[int] = []
    rewrite = rs._rewrite_kinds

    def counted(session: Session) -> None:
        rewrites.append(1)
        rewrite(session)

    monkeypatch.setattr(rs, "_rewrite_kinds", counted)
    updated = district()
    by_update = _run(updated, tmp_path)
    assert rewrites == []

    monkeypatch.setattr(rs, "REWRITE_KINDS", 0)
    rewritten = district()
    by_rewrite = _run(rewritten, tmp_path)
    assert rewrites == ([1] if rewritten.app.engine.dialect.name == "postgresql" else [])

    assert _stored(rewritten) == _stored(updated)
    assert by_rewrite.plan is not None
    assert by_update.plan is not None
    assert by_rewrite.plan.skipped == by_update.plan.skipped == {"users without an imported role": 1}
    users = rewritten.users()
    assert (users["u1"].kind, users["u2"].kind) == ("staff", "student")
    assert "u3" not in users
