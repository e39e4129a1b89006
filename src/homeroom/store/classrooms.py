"""Classroom settings (calculator, goals, avatar restriction) and motivational programs, per class.

A class without a settings row has the defaults; the first write creates the row. Callers serialize
writes to one class through its version (store/versions.py) before they get here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeroom.store import tables as t
from homeroom.store.upserts import insert_missing

DEFAULT_CALCULATOR = True
DEFAULT_AVATAR_RESTRICTED = False


@dataclass(frozen=True)
class Classroom:
    calculator: bool
    avatar_restricted: bool
    goals: list[dict[str, object]]
    motivation: dict[str, bool]


def classroom(session: Session, tenant_id: int, class_id: str) -> Classroom:
    """The class's settings (defaults where never set) and its motivational programs."""
    row = session.get(t.ClassSetting, (tenant_id, class_id))
    m = t.ClassMotivation
    programs = session.execute(
        select(m.program, m.active)
        .where(m.tenant_id == tenant_id, m.class_id == class_id)
        .order_by(m.program)
    )
    motivation = {program: bool(active) for program, active in programs}
    if row is None:
        return Classroom(DEFAULT_CALCULATOR, DEFAULT_AVATAR_RESTRICTED, [], motivation)
    return Classroom(bool(row.calculator), bool(row.avatar_restricted), json.loads(row.goals), motivation)


def write_settings(
    session: Session,
    tenant_id: int,
    class_id: str,
    values: dict[str, object],
    *,
    by: str | None,
    at: datetime,
) -> None:
    """Set the given fields (`calculator`, `avatar_restricted`, `goals` as a list) of the class."""
    stored = {k: json.dumps(v) if k == "goals" else v for k, v in values.items()}
    audit_fields = {"updated_by": by, "updated_at": at}
    if insert_missing(
        session, t.ClassSetting, {"tenant_id": tenant_id, "class_id": class_id, **stored, **audit_fields}
    ):
        return
    row = session.get(t.ClassSetting, (tenant_id, class_id), populate_existing=True)
    if row is None:  # pragma: no cover - the insert above just found it
        return
    for key, value in {**stored, **audit_fields}.items():
        setattr(row, key, value)
    session.flush()


def set_motivation(
    session: Session,
    tenant_id: int,
    class_id: str,
    program: str,
    *,
    active: bool,
    stamp: tuple[str | None, datetime],
) -> bool | None:
    """Switch a program on or off (`stamp`: by whom, when); its previous state (None: never set)."""
    values = {"active": active, "updated_by": stamp[0], "updated_at": stamp[1]}
    if insert_missing(
        session,
        t.ClassMotivation,
        {"tenant_id": tenant_id, "class_id": class_id, "program": program, **values},
    ):
        return None
    row = session.get(t.ClassMotivation, (tenant_id, class_id, program), populate_existing=True)
    if row is None:  # pragma: no cover - the insert above just found it
        return None
    previous = bool(row.active)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    return previous
