"""Where tests get PostgreSQL databases: one rule for every tier (skip locally, fail under CI)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.exc import OperationalError

from homeroom.store.database import create_database

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_database() -> str:
    server = os.environ.get("HOMEROOM_TEST_POSTGRES", POSTGRES_SERVER)
    try:
        return create_database(server, prefix="homeroom_test")
    except OperationalError as error:
        message = f"PostgreSQL is unreachable at {server}: {error.orig}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: the PostgreSQL suite must run)")
        pytest.skip(message)
