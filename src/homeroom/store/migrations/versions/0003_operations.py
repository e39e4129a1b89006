"""Operations: export credits and their ledger, student products and pathways, class settings and
motivation, parent portal logos and registrations, assessment history, benchmark schedules.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_balances",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("holder_type", sa.String(length=8), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("balance", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("entries", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("holder_type IN ('org', 'user')", name=op.f("ck_credit_balances_holder_type")),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_credit_balances_balance")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_credit_balances_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "holder_type", "holder_id", name=op.f("pk_credit_balances")),
    )
    op.create_table(
        "credit_ledger",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("holder_type", sa.String(length=8), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("counterpart", sa.String(length=80), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.CheckConstraint("balance_after >= 0", name=op.f("ck_credit_ledger_balance_after")),
        sa.CheckConstraint("delta <> 0", name=op.f("ck_credit_ledger_delta")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "actor_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_credit_ledger_tenant_id_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "holder_type", "holder_id"],
            ["credit_balances.tenant_id", "credit_balances.holder_type", "credit_balances.holder_id"],
            name=op.f("fk_credit_ledger_tenant_id_holder_type_holder_id_credit_balances"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_credit_ledger_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_credit_ledger")),
        sa.UniqueConstraint(
            "tenant_id",
            "holder_type",
            "holder_id",
            "seq",
            name=op.f("uq_credit_ledger_tenant_id_holder_type_holder_id_seq"),
        ),
    )
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_ledger_tenant_id_request_id"), ["tenant_id", "request_id"], unique=False
        )

    op.create_table(
        "parent_portal_logos",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('image/png', 'image/jpeg')", name=op.f("ck_parent_portal_logos_media_type")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_parent_portal_logos_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "uploaded_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_parent_portal_logos_tenant_id_uploaded_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_parent_portal_logos_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "org_id", name=op.f("pk_parent_portal_logos")),
    )
    op.create_table(
        "parent_registrations",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=True),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_parent_registrations_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "student_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_parent_registrations_tenant_id_student_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_parent_registrations_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_parent_registrations")),
    )
    with op.batch_alter_table("parent_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parent_registrations_tenant_id_org_id_id"),
            ["tenant_id", "org_id", "id"],
            unique=False,
        )

    op.create_table(
        "student_pathways",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("pathway", sa.String(length=40), nullable=False),
        sa.Column("enrolled_by", sa.String(length=64), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrolled_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_student_pathways_tenant_id_enrolled_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "student_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_student_pathways_tenant_id_student_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_student_pathways_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "student_id", name=op.f("pk_student_pathways")),
    )
    op.create_table(
        "student_products",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=40), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assigned_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_student_products_tenant_id_assigned_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "student_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_student_products_tenant_id_student_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_student_products_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "student_id", "product", name=op.f("pk_student_products")),
    )
    op.create_table(
        "assessment_history",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "event IN ('assigned', 'reassigned', 'invalidated', 'unassigned')",
            name=op.f("ck_assessment_history_event"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "actor_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_assessment_history_tenant_id_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessments.tenant_id", "assessments.id"],
            name=op.f("fk_assessment_history_tenant_id_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_assessment_history_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "assessment_id", "version", name=op.f("pk_assessment_history")),
    )
    op.create_table(
        "benchmark_schedules",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(org_id IS NULL AND class_id IS NOT NULL) OR (org_id IS NOT NULL AND class_id IS NULL)",
            name=op.f("ck_benchmark_schedules_one_target"),
        ),
        sa.CheckConstraint("window_end >= window_start", name=op.f("ck_benchmark_schedules_window")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "class_id"],
            ["classes.tenant_id", "classes.id"],
            name=op.f("fk_benchmark_schedules_tenant_id_class_id_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_benchmark_schedules_tenant_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_benchmark_schedules_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_benchmark_schedules_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_benchmark_schedules")),
    )
    with op.batch_alter_table("benchmark_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benchmark_schedules_tenant_id_class_id"), ["tenant_id", "class_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_benchmark_schedules_tenant_id_org_id"), ["tenant_id", "org_id"], unique=False
        )

    op.create_table(
        "class_motivation",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "class_id"],
            ["classes.tenant_id", "classes.id"],
            name=op.f("fk_class_motivation_tenant_id_class_id_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "updated_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_class_motivation_tenant_id_updated_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_class_motivation_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "class_id", "program", name=op.f("pk_class_motivation")),
    )
    op.create_table(
        "class_settings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("calculator", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("avatar_restricted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("goals", sa.Text(), server_default="[]", nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "class_id"],
            ["classes.tenant_id", "classes.id"],
            name=op.f("fk_class_settings_tenant_id_class_id_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "updated_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_class_settings_tenant_id_updated_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_class_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "class_id", name=op.f("pk_class_settings")),
    )


def downgrade() -> None:
    op.drop_table("class_settings")
    op.drop_table("class_motivation")
    with op.batch_alter_table("benchmark_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benchmark_schedules_tenant_id_org_id"))
        batch_op.drop_index(batch_op.f("ix_benchmark_schedules_tenant_id_class_id"))

    op.drop_table("benchmark_schedules")
    op.drop_table("assessment_history")
    op.drop_table("student_products")
    op.drop_table("student_pathways")
    with op.batch_alter_table("parent_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parent_registrations_tenant_id_org_id_id"))

    op.drop_table("parent_registrations")
    op.drop_table("parent_portal_logos")
    with op.batch_alter_table("credit_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_ledger_tenant_id_request_id"))

    op.drop_table("credit_ledger")
    op.drop_table("credit_balances")
