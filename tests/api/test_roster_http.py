"""Rostering over HTTP: upload a package as a job, poll it, read its report, approve a held plan, export,
settings; as the demo personas, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import DemoTenant
from tests.unit.rostering.roster_packages import manifest

from homeroom.api.app import create_app
from homeroom.config import Settings
from homeroom.services.runtime import Homeroom

pytestmark = pytest.mark.db

ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
USERS = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
)


def package(*students: str, school: str = "lincoln_elem", enabled: str = "true") -> bytes:
    """A 1.1 package of one school of the demo district and these students (by username)."""
    users = "".join(f"{name},,,{enabled},{school},student,{name},,New,Kid,,,,,,,04,\n" for name in students)
    files = {
        "manifest.csv": manifest("1.1", {"orgs": "bulk", "users": "bulk"}),
        "orgs.csv": ORGS + f"{school},,,Lincoln Elementary,school,,\n",
        "users.csv": USERS + users,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def upload(client: TestClient, content: bytes, **params: object) -> dict[str, object]:
    response = client.post(
        "/api/v1/roster/imports",
        params={"org": "maple_valley", **params},
        files={"package": ("roster.zip", content, "application/zip")},
    )
    assert response.status_code == 202, response.text
    assert response.headers["Location"].endswith(str(response.json()["id"]))
    job: dict[str, object] = client.get(response.headers["Location"]).json()
    return job


def usernames(client: TestClient) -> set[str]:
    items = client.get("/api/v1/users", params={"kind": "student", "limit": 500}).json()["items"]
    return {u["username"] for u in items}


def test_an_upload_becomes_an_applied_job_with_a_report(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    job = upload(dana, package("newkid1", "newkid2"))
    assert job["status"] == "applied", job
    assert job["counts"]["students"]["created"] == 2  # type: ignore[index]
    assert {"newkid1", "newkid2"} <= usernames(dana)
    report = dana.get(f"/api/v1/roster/imports/{job['id']}/report").json()["report"]
    assert report["files"][0]["file"] == "orgs.csv"
    assert report["problems"] == []


def test_a_dry_run_job_changes_nothing(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    job = upload(dana, package("newkid1"), dry_run=True)
    assert job["status"] == "planned"
    assert "newkid1" not in usernames(dana)


def test_a_rejected_job_reports_each_problem(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    job = upload(dana, package("newkid1", enabled="maybe"))
    assert job["status"] == "rejected"
    problems = dana.get(f"/api/v1/roster/imports/{job['id']}/report").json()["report"]["problems"]
    assert problems[0]["code"] == "bad_boolean"
    assert problems[0]["file"] == "users.csv"
    assert problems[0]["line"] == 2
    assert problems[0]["column"] == "enabledUser"
    assert problems[0]["value"] == "maybe"


def test_a_held_job_is_applied_once_approved(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    names = [f"kid{i}" for i in range(10)]
    assert upload(dana, package(*names))["status"] == "applied"
    job = upload(dana, package(*names[:5]))
    assert job["status"] == "held"
    assert job["held"]
    response = dana.post(f"/api/v1/roster/imports/{job['id']}/approve")
    assert response.status_code == 202, response.text
    after = dana.get(f"/api/v1/roster/imports/{job['id']}").json()
    assert after["status"] == "applied"
    assert dana.post(f"/api/v1/roster/imports/{job['id']}/approve").json()["code"] == "job_not_held"


def test_who_may_import_is_decided_by_the_policy(demo: Callable[[str], DemoTenant]) -> None:
    tenant = demo("math")
    teacher = tenant.login("tomas_teacher")
    response = teacher.post(
        "/api/v1/roster/imports",
        params={"org": "lincoln_elem"},
        files={"package": ("roster.zip", package("sneaky"), "application/zip")},
    )
    assert response.status_code in (403, 404)
    assert "sneaky" not in usernames(tenant.login("dana_district"))
    anonymous = tenant.anonymous().post("/api/v1/roster/imports", files={"package": ("r.zip", b"PK", "x")})
    assert anonymous.status_code == 401


def test_another_tenants_job_is_not_found(demo: Callable[[str], DemoTenant]) -> None:
    job = upload(demo("math").login("dana_district"), package("newkid1"))
    other = demo("math").login("dana_district")
    response = other.get(f"/api/v1/roster/imports/{job['id']}")
    assert response.status_code == 404
    assert response.json()["code"] == "job_not_found"


def test_a_file_that_is_not_a_zip_is_refused(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    response = dana.post(
        "/api/v1/roster/imports", files={"package": ("roster.csv", b"a,b\n1,2\n", "text/csv")}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "not_a_zip"


def test_an_oversized_upload_is_refused(homeroom: Homeroom, demo: Callable[[str], DemoTenant]) -> None:
    tenant = demo("math")
    small = Settings(database_url=homeroom.settings.database_url, max_upload_bytes=2048)
    api = create_app(homeroom=Homeroom(small, homeroom.engine, homeroom.sessions, homeroom.passwords))
    client = TestClient(api)
    login = client.post(
        "/api/v1/auth/login",
        json={"tenant": tenant.name, "username": "dana_district", "password": "homeroom-demo"},
    )
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    response = client.post("/api/v1/roster/imports", files={"package": ("r.zip", b"PK" + b"0" * 4096, "x")})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_an_export_job_gives_a_package_that_imports_unchanged(demo: Callable[[str], DemoTenant]) -> None:
    dana = demo("math").login("dana_district")
    upload(dana, package("newkid1"))
    response = dana.post("/api/v1/roster/exports", params={"org": "maple_valley"})
    assert response.status_code == 202, response.text
    job = dana.get(response.headers["Location"]).json()
    assert job["status"] == "done", job
    download = dana.get(f"/api/v1/roster/exports/{job['id']}/package")
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        users = archive.read("users.csv").decode()
    assert "newkid1" in users
    assert "sam_student" in users
    again = upload(dana, download.content, dry_run=True)
    assert again["status"] == "planned", again
    assert all(not any(c.values()) for c in again["counts"].values()), again["counts"]  # type: ignore[attr-defined]


def test_the_settings_are_versioned(demo: Callable[[str], DemoTenant]) -> None:
    carol = demo("math").login("carol_customer")
    read = carol.get("/api/v1/roster/settings")
    assert read.status_code == 200, read.text
    assert read.json()["settings"]["max_removal_share"] == 0.1
    assert read.json()["settings"]["roles"]["teacher"]["school"] == "teacher"
    etag = read.headers["ETag"]
    changed = carol.patch(
        "/api/v1/roster/settings", json={"max_removal_share": 0.5}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["settings"]["max_removal_share"] == 0.5
    stale = carol.patch("/api/v1/roster/settings", json={"absent": "keep"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    wrong = carol.patch(
        "/api/v1/roster/settings",
        json={"roles": {"teacher": {"school": "wizard"}}},
        headers={"If-Match": changed.headers["ETag"]},
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "invalid_roster_settings"
