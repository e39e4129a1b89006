"""Roster jobs of the API: an upload becomes a job that runs after the response and keeps its report.

A job is created by someone allowed to import (or export) at its org, and read by its creator or anyone
else allowed there; other callers get 404, as for any object they may not see.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeroom.errors import NotFound
from homeroom.policy.world import Check, Ref
from homeroom.services.access import Access
from homeroom.services.authorization import evaluate
from homeroom.services.roster_sync import IMPORT_PERMISSION, authorize_roster, is_operator, root_org
from homeroom.store import roster_jobs
from homeroom.store import tables as t


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    status: str
    dry_run: bool
    org: str
    file_name: str
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None
    version: int
    report: dict[str, Any] | None
    path: str | None

    def summary(self) -> dict[str, Any]:
        report = self.report or {}
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "dry_run": self.dry_run,
            "org": self.org,
            "file_name": self.file_name,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "counts": (report.get("plan") or {}).get("counts"),
            "held": (report.get("plan") or {}).get("held", []),
            "problems": len(report.get("problems", [])) + int(report.get("omitted_problems", 0)),
            "error": report.get("error"),
        }


def _view(row: t.RosterJob) -> JobView:
    report = json.loads(row.report) if row.report else None
    return JobView(
        row.id, row.kind, row.status, row.dry_run, row.target_id, row.file_name, row.created_by,
        row.created_at, row.finished_at, row.version, report, row.path,
    )  # fmt: skip


def new_job_id() -> str:
    return secrets.token_hex(12)


def create_job(  # noqa: PLR0913 - the job's own fields
    access: Access, job_id: str, kind: str, *, org: str | None, file_name: str, path: str, dry_run: bool
) -> JobView:
    anchor = org or root_org(access)
    authorize_roster(access, anchor)
    row = t.RosterJob(
        tenant_id=access.tenant_id, id=job_id, kind=kind, status="queued", dry_run=dry_run,
        target_type="org", target_id=anchor, created_by=access.principal.user_id, created_at=access.now,
        file_name=file_name, path=path, version=1,
    )  # fmt: skip
    roster_jobs.add_job(access.session, row)
    return _view(row)


def read_job(access: Access, job_id: str, kind: str) -> JobView:
    row = roster_jobs.get_job(access.session, access.tenant_id, job_id)
    if row.kind != kind or not _may_read(access, row):
        raise NotFound(f"there is no roster job {job_id!r}", code="job_not_found", details={"id": job_id})
    return _view(row)


def _may_read(access: Access, row: t.RosterJob) -> bool:
    if is_operator(access) or (row.created_by is not None and row.created_by == access.principal.user_id):
        return True
    if IMPORT_PERMISSION not in access.profile.permissions or access.principal.user_id is None:
        return False
    decision, _facts = evaluate(access, Check(access.actor, IMPORT_PERMISSION, Ref("org", row.target_id)))
    return decision.allowed


def start_job(access: Access, job_id: str) -> None:
    roster_jobs.finish_job(access.session, access.tenant_id, job_id, status="running", report=None, at=None)


def finish_job(access: Access, job_id: str, status: str, report: dict[str, Any]) -> None:
    roster_jobs.finish_job(
        access.session, access.tenant_id, job_id, status=status, report=json.dumps(report), at=access.now
    )
