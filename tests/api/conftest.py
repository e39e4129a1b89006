"""API tests: real HTTP through the ASGI app on real SQLite and PostgreSQL, as the demo personas.

Each test gets fresh demo tenants (unique names), so tests never share data. `tenant.login(persona)`
signs in through `POST /api/v1/auth/login` and returns a client that carries the session cookie and
the CSRF token, like a browser.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.services.conftest import FAST_HASHING

from homeroom.api.app import create_app
from homeroom.config import Settings
from homeroom.scenarios.tenants import DEMO_PASSWORD, ensure_demo_tenant
from homeroom.services.runtime import Homeroom


@pytest.fixture(scope="session")
def homeroom(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeroom]:
    jobs = str(tmp_path_factory.mktemp("jobs"))
    settings = Settings(database_url=database_url, job_dir=jobs, **FAST_HASHING)  # type: ignore[arg-type]
    app = Homeroom.open(settings)
    yield app
    app.close()


@pytest.fixture(scope="session")
def api(homeroom: Homeroom) -> FastAPI:
    return create_app(homeroom=homeroom)


class DemoTenant:
    def __init__(self, api: FastAPI, homeroom: Homeroom, profile: str) -> None:
        self.api = api
        self.homeroom = homeroom
        self.name = f"t-{uuid.uuid4().hex[:12]}"
        self.profile = profile
        ensure_demo_tenant(homeroom, profile, name=self.name)

    def anonymous(self) -> TestClient:
        return TestClient(self.api, raise_server_exceptions=True)

    def login(self, persona: str, password: str = DEMO_PASSWORD) -> TestClient:
        client = self.anonymous()
        response = client.post(
            "/api/v1/auth/login", json={"tenant": self.name, "username": persona, "password": password}
        )
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client


@pytest.fixture
def demo(api: FastAPI, homeroom: Homeroom) -> Callable[[str], DemoTenant]:
    return lambda profile: DemoTenant(api, homeroom, profile)
