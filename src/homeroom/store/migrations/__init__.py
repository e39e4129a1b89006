"""Alembic migrations, run from package data: `upgrade(engine)` needs no alembic.ini."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at this package's scripts, bound to `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("homeroom.store.migrations")))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Build or bring the schema of `engine` up to `revision`, in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
