"""Run an API roster job after its request: import or export, each recording how it ended.

The job row is written in transactions of its own (running, then the outcome), around the import's one
transaction, so a job whose import fails still reports why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeroom.errors import HomeroomError
from homeroom.services import roster_jobs
from homeroom.services.runtime import Authenticate, Homeroom
from homeroom.sync.exports import export_package
from homeroom.sync.imports import ImportOptions, import_package


def run_import_job(app: Homeroom, authenticate: Authenticate, job_id: str, options: ImportOptions) -> None:
    view = app.work(authenticate, lambda access: roster_jobs.read_job(access, job_id, "import"))
    app.work(authenticate, lambda access: roster_jobs.start_job(access, job_id))
    try:
        outcome = import_package(app, authenticate, Path(view.path or ""), options)
        status, report = outcome.status, outcome.as_json()
    except HomeroomError as error:
        status, report = "failed", _failure(error)
    app.work(authenticate, lambda access: roster_jobs.finish_job(access, job_id, status, report))
    if status != "held":  # the package holds student records: kept only while an approval needs it
        Path(view.path or "").unlink(missing_ok=True)


def run_export_job(app: Homeroom, authenticate: Authenticate, job_id: str) -> None:
    view = app.work(authenticate, lambda access: roster_jobs.read_job(access, job_id, "export"))
    app.work(authenticate, lambda access: roster_jobs.start_job(access, job_id))
    target = Path(view.path or "")
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("wb") as stream:
            export_package(app, authenticate, stream, anchor=view.org, job=job_id)
        partial.replace(target)
        status, report = "done", {"bytes": target.stat().st_size}
    except HomeroomError as error:
        partial.unlink(missing_ok=True)
        status, report = "failed", _failure(error)
    app.work(authenticate, lambda access: roster_jobs.finish_job(access, job_id, status, report))


def _failure(error: HomeroomError) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": error.message, "details": dict(error.details)}}
