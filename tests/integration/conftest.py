"""Integration fixtures: the shared databases (tests/conftest.py), a session and a fresh tenant per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session; tests isolate by writing into tenants of their own (see `tenant_name`)."""
    with Session(engine) as session:
        yield session
        session.rollback()


@pytest.fixture
def tenant_name() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"
