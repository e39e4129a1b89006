"""Alembic environment: runs on the connection handed over by `homeroom.store.migrations.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from homeroom.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise TypeError("run migrations through homeroom.store.migrations.upgrade(engine)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
