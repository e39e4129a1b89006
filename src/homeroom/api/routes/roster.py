"""Rostering over HTTP: upload a OneRoster package as an import job, poll it, read its report, approve a
held one; export the tenant as a package; read and change the import settings.

An upload is written to the job folder (`HOMEROOM_JOB_DIR`) while it streams in, then the import runs
after the response (202 with the job's URL). The job runs as the caller, so the policy decides it again.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse

from homeroom.api.deps import CallerDep, VersionDep, tag
from homeroom.api.routes.common import ERRORS, ID_PATTERN, checks
from homeroom.errors import Conflict, InvalidInput
from homeroom.services import roster_jobs, roster_settings
from homeroom.sync.imports import ImportOptions
from homeroom.sync.jobs import run_export_job, run_import_job

router = APIRouter(prefix="/roster", tags=["rostering"], responses=ERRORS)
IMPORT: Final = "roster.bulk_import"
CHUNK: Final = 1024 * 1024
JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{24}$", description="the job's id")]
OrgQuery = Annotated[str | None, Query(pattern=ID_PATTERN, description="the org (default: the root org)")]


def _job_dir(request: Request) -> Path:
    folder = Path(request.app.state.homeroom.settings.job_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _accepted(job: roster_jobs.JobView, location: str) -> JSONResponse:
    return JSONResponse(job.summary(), status_code=202, headers={"Location": location})


@router.post("/imports", status_code=202, openapi_extra=checks(IMPORT))
async def upload_import(
    request: Request,
    caller: CallerDep,
    package: UploadFile,
    background: BackgroundTasks,
    dry_run: bool = False,
    org: OrgQuery = None,
) -> JSONResponse:
    """Upload a package (.zip, multipart field `package`): 202 with the job; the import runs next."""
    job_id = secrets.token_hex(12)
    path = _job_dir(request) / f"{job_id}.zip"
    await _save(package, path)
    try:
        job = caller.run(
            lambda a: roster_jobs.create_job(
                a,
                job_id,
                "import",
                org=org,
                file_name=package.filename or "",
                path=str(path),
                dry_run=dry_run,
            )
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    options = ImportOptions(dry_run=dry_run, anchor=job.org, job=job_id)
    background.add_task(run_import_job, caller.homeroom, caller.principal, job_id, options)
    return _accepted(job, f"/api/v1/roster/imports/{job_id}")


async def _save(upload: UploadFile, path: Path) -> None:
    head = await upload.read(4)
    if head[:2] != b"PK":
        raise InvalidInput("the package must be a .zip file", code="not_a_zip", details={"field": "package"})
    with path.open("wb") as out:
        out.write(head)
        while chunk := await upload.read(CHUNK):
            out.write(chunk)


@router.get("/imports/{job_id}", openapi_extra=checks(IMPORT))
def read_import(job_id: JobId, caller: CallerDep) -> dict[str, Any]:
    """The job: its state and the plan's counts once planned."""
    return caller.run(lambda a: roster_jobs.read_job(a, job_id, "import")).summary()


@router.get("/imports/{job_id}/report", openapi_extra=checks(IMPORT))
def read_import_report(job_id: JobId, caller: CallerDep) -> dict[str, Any]:
    """The full report: files, every problem (file, line, column, value, code, expected), the plan."""
    job = caller.run(lambda a: roster_jobs.read_job(a, job_id, "import"))
    if job.report is None:
        raise Conflict(f"job {job_id} is {job.status}: its report is not ready", code="job_not_finished")
    return {"job": job.summary(), "report": job.report}


@router.post("/imports/{job_id}/approve", status_code=202, openapi_extra=checks(IMPORT))
def approve_import(job_id: JobId, caller: CallerDep, background: BackgroundTasks) -> JSONResponse:
    """Apply a held plan: the package is planned again, and applied even though it removes much."""
    job = caller.run(lambda a: roster_jobs.read_job(a, job_id, "import"))
    if job.status != "held":
        raise Conflict(f"job {job_id} is {job.status}, not held", code="job_not_held")
    options = ImportOptions(approve=True, anchor=job.org, job=job_id)
    background.add_task(run_import_job, caller.homeroom, caller.principal, job_id, options)
    return _accepted(job, f"/api/v1/roster/imports/{job_id}")


@router.post("/exports", status_code=202, openapi_extra=checks(IMPORT))
def start_export(
    request: Request, caller: CallerDep, background: BackgroundTasks, org: OrgQuery = None
) -> JSONResponse:
    """Export the tenant (or an org's subtree) as a OneRoster 1.2 package: 202 with the job."""
    job_id = secrets.token_hex(12)
    path = _job_dir(request) / f"export-{job_id}.zip"
    job = caller.run(
        lambda a: roster_jobs.create_job(
            a, job_id, "export", org=org, file_name=path.name, path=str(path), dry_run=False
        )
    )
    background.add_task(run_export_job, caller.homeroom, caller.principal, job_id)
    return _accepted(job, f"/api/v1/roster/exports/{job_id}")


@router.get("/exports/{job_id}", openapi_extra=checks(IMPORT))
def read_export(job_id: JobId, caller: CallerDep) -> dict[str, Any]:
    return caller.run(lambda a: roster_jobs.read_job(a, job_id, "export")).summary()


@router.get(
    "/exports/{job_id}/package",
    openapi_extra=checks(IMPORT),
    responses={200: {"content": {"application/zip": {}}, "description": "the package"}},
)
def download_export(job_id: JobId, caller: CallerDep) -> FileResponse:
    job = caller.run(lambda a: roster_jobs.read_job(a, job_id, "export"))
    if job.status != "done" or job.path is None:
        raise Conflict(f"export {job_id} is {job.status}: there is no package yet", code="job_not_finished")
    headers = {"Cache-Control": "no-store"}
    return FileResponse(
        job.path, media_type="application/zip", filename=f"oneroster-{job_id}.zip", headers=headers
    )


@router.get("/settings", openapi_extra=checks(IMPORT))
def read_settings(caller: CallerDep, response: Response) -> dict[str, Any]:
    """The import settings: role and org type mapping, what absence and `tobedeleted` do, thresholds."""
    view = caller.run(roster_settings.settings_view)
    tag(response, view["version"])
    return view


@router.patch("/settings", openapi_extra=checks(IMPORT))
def change_settings(
    caller: CallerDep, response: Response, changes: dict[str, Any], expected: VersionDep
) -> dict[str, Any]:
    """Change some settings (If-Match: the version read; "0" before the first change)."""
    view = caller.run(lambda a: roster_settings.update_settings(a, changes, expected=expected))
    tag(response, view["version"])
    return view
