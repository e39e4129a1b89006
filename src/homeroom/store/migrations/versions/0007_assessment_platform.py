"""Assessment platform content: what the objects hold, impersonated partners, test launches.

`objects` gets its content (name, status, a JSON body, a question's workflow, a partner's account, a
key's SHA-256, times and the last editor); an impersonation session names its partner; `test_launches`
records each launch of a published test.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("status", sa.String(length=20), server_default="", nullable=False))
        batch_op.add_column(sa.Column("body", sa.Text(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("workflow_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("account_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("secret_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_objects_secret_hash"), ["secret_hash"])
        batch_op.create_foreign_key(
            batch_op.f("fk_objects_tenant_id_updated_by_users"),
            "users",
            ["tenant_id", "updated_by"],
            ["tenant_id", "id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_objects_tenant_id_account_id_users"),
            "users",
            ["tenant_id", "account_id"],
            ["tenant_id", "id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_objects_tenant_id_workflow_id_objects"),
            "objects",
            ["tenant_id", "workflow_id"],
            ["tenant_id", "id"],
        )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.String(length=64), nullable=True))
    op.create_table(
        "test_launches",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("test_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("impersonator_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "test_id"],
            ["objects.tenant_id", "objects.id"],
            name=op.f("fk_test_launches_tenant_id_test_id_objects"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_test_launches_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_test_launches_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_test_launches")),
    )
    with op.batch_alter_table("test_launches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_test_launches_tenant_id_test_id_id"), ["tenant_id", "test_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_test_launches_tenant_id_user_id"), ["tenant_id", "user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("test_launches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_test_launches_tenant_id_user_id"))
        batch_op.drop_index(batch_op.f("ix_test_launches_tenant_id_test_id_id"))
    op.drop_table("test_launches")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("partner_id")
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_objects_tenant_id_workflow_id_objects"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_objects_tenant_id_account_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_objects_tenant_id_updated_by_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_objects_secret_hash"), type_="unique")
        for column in (
            "updated_by", "updated_at", "created_at", "secret_hash", "account_id", "workflow_id", "body",
            "status", "name",
        ):  # fmt: skip
            batch_op.drop_column(column)
