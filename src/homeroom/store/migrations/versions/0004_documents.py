"""Documents: one-time sign-in codes printed on students' cards, and disclosure records of student records.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_codes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "issued_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_signin_codes_tenant_id_issued_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_signin_codes_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_signin_codes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_signin_codes")),
    )
    with op.batch_alter_table("signin_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signin_codes_tenant_id_user_id"), ["tenant_id", "user_id"], unique=False
        )

    op.create_table(
        "disclosures",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("impersonator_id", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("students", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "actor_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_disclosures_tenant_id_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_disclosures_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_disclosures")),
    )

    op.create_table(
        "disclosed_students",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("disclosure_id", sa.String(length=40), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "disclosure_id"],
            ["disclosures.tenant_id", "disclosures.id"],
            name=op.f("fk_disclosed_students_tenant_id_disclosure_id_disclosures"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "student_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_disclosed_students_tenant_id_student_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_disclosed_students_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "disclosure_id", "student_id", name=op.f("pk_disclosed_students")
        ),
    )
    with op.batch_alter_table("disclosed_students", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosed_students_tenant_id_student_id_disclosure_id"),
            ["tenant_id", "student_id", "disclosure_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosed_students", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosed_students_tenant_id_student_id_disclosure_id"))

    op.drop_table("disclosed_students")
    op.drop_table("disclosures")
    with op.batch_alter_table("signin_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signin_codes_tenant_id_user_id"))

    op.drop_table("signin_codes")
