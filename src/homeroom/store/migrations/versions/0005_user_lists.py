"""Lists of users: an index on users (tenant_id, kind, deleted, id).

Keyset pages of one kind of user in id order (the SQL twin's `student.*` and `staff.*` lists) walk it
without touching staff rows when listing students or the other way round, and the per-candidate lookups
of driven lists read it without the table. Measured with `bench/lists.py` (docs/benchmarks.md).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_tenant_id_kind_deleted_id"),
            ["tenant_id", "kind", "deleted", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_tenant_id_kind_deleted_id"))
