"""Roster import and export jobs: one row each, its state and report (JSON text)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeroom.errors import NotFound
from homeroom.store import tables as t


def add_job(session: Session, job: t.RosterJob) -> None:
    session.add(job)
    session.flush()


def get_job(session: Session, tenant_id: int, job_id: str) -> t.RosterJob:
    found = session.get(t.RosterJob, (tenant_id, job_id))
    if found is None:
        raise NotFound(f"there is no roster job {job_id!r}", code="job_not_found", details={"id": job_id})
    return found


def finish_job(
    session: Session, tenant_id: int, job_id: str, *, status: str, report: str | None, at: datetime | None
) -> None:
    session.execute(
        update(t.RosterJob)
        .where(t.RosterJob.tenant_id == tenant_id, t.RosterJob.id == job_id)
        .values(status=status, report=report, finished_at=at, version=t.RosterJob.version + 1)
        .execution_options(synchronize_session=False)
    )


def jobs_of(session: Session, tenant_id: int, *, limit: int) -> list[t.RosterJob]:
    query = (
        select(t.RosterJob)
        .where(t.RosterJob.tenant_id == tenant_id)
        .order_by(t.RosterJob.created_at.desc(), t.RosterJob.id)
        .limit(limit)
    )
    return list(session.scalars(query))
