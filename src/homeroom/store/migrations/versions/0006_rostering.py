"""Rostering: a tenant's import settings and its import and export jobs.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_settings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_roster_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_roster_settings")),
    )
    op.create_table(
        "roster_jobs",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("target_type", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("kind IN ('import', 'export')", name=op.f("ck_roster_jobs_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'planned', 'held', 'rejected', 'applied', 'failed', 'done')",
            name=op.f("ck_roster_jobs_status"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_roster_jobs_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_roster_jobs_tenant_id_created_by_users"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_roster_jobs")),
    )
    with op.batch_alter_table("roster_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_jobs_tenant_id_created_at"), ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_table("roster_jobs")
    op.drop_table("roster_settings")
