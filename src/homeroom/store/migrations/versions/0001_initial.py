"""The initial schema: tenants, the org tree and its closure, classes, accounts, roles, settings, objects.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("name", name=op.f("uq_tenants_name")),
    )
    op.create_table(
        "orgs",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("deleted", sa.String(length=8), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.CheckConstraint("deleted IN ('none', 'soft', 'purged')", name=op.f("ck_orgs_deleted")),
        sa.CheckConstraint(
            "kind IN ('customer', 'district', 'school', 'school_group', 'organization')",
            name=op.f("ck_orgs_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_orgs_tenant_id_parent_id_orgs"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_orgs_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_orgs")),
        sa.UniqueConstraint("tenant_id", "source_id", name=op.f("uq_orgs_tenant_id_source_id")),
    )
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_orgs_tenant_id_parent_id"), ["tenant_id", "parent_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("deleted", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.CheckConstraint("deleted IN ('none', 'soft', 'purged')", name=op.f("ck_users_deleted")),
        sa.CheckConstraint("kind IN ('staff', 'student')", name=op.f("ck_users_kind")),
        sa.CheckConstraint("status IN ('invited', 'active', 'inactive')", name=op.f("ck_users_status")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_users_tenant_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_users_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_users")),
        sa.UniqueConstraint("tenant_id", "source_id", name=op.f("uq_users_tenant_id_source_id")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_tenant_id_created_by"), ["tenant_id", "created_by"], unique=False
        )

    op.create_table(
        "assessments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("deleted IN ('none', 'soft', 'purged')", name=op.f("ck_assessments_deleted")),
        sa.CheckConstraint("kind IN ('benchmark', 'pretest', 'placement')", name=op.f("ck_assessments_kind")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_assessments_tenant_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "student_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_assessments_tenant_id_student_id_users"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_assessments_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_tenant_id_student_id"), ["tenant_id", "student_id"], unique=False
        )

    op.create_table(
        "classes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("deleted", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.CheckConstraint("deleted IN ('none', 'soft', 'purged')", name=op.f("ck_classes_deleted")),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_classes_status")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_classes_tenant_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "school_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_classes_tenant_id_school_id_orgs"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_classes_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_classes")),
        sa.UniqueConstraint("tenant_id", "source_id", name=op.f("uq_classes_tenant_id_source_id")),
    )
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_classes_tenant_id_created_by"), ["tenant_id", "created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_classes_tenant_id_school_id"), ["tenant_id", "school_id"], unique=False
        )

    op.create_table(
        "custom_roles",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("deleted IN ('none', 'soft', 'purged')", name=op.f("ck_custom_roles_deleted")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_custom_roles_tenant_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_custom_roles_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_custom_roles_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_custom_roles")),
    )
    with op.batch_alter_table("custom_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custom_roles_tenant_id_org_id"), ["tenant_id", "org_id"], unique=False
        )

    op.create_table(
        "objects",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("deleted", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=True),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.CheckConstraint("deleted IN ('none', 'soft', 'purged')", name=op.f("ck_objects_deleted")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_objects_tenant_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_objects_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "recipient_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_objects_tenant_id_recipient_id_users"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_objects_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_objects")),
    )
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objects_tenant_id_created_by"), ["tenant_id", "created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_objects_tenant_id_org_id_type"), ["tenant_id", "org_id", "type"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_objects_tenant_id_recipient_id"), ["tenant_id", "recipient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_objects_tenant_id_type_id"), ["tenant_id", "type", "id"], unique=False
        )

    op.create_table(
        "org_closure",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("descendant_id", sa.String(length=64), nullable=False),
        sa.Column("ancestor_id", sa.String(length=64), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ancestor_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_org_closure_tenant_id_ancestor_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "descendant_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_org_closure_tenant_id_descendant_id_orgs"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_org_closure_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "descendant_id", "ancestor_id", name=op.f("pk_org_closure")),
    )
    with op.batch_alter_table("org_closure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_org_closure_tenant_id_ancestor_id_descendant_id"),
            ["tenant_id", "ancestor_id", "descendant_id"],
            unique=False,
        )

    op.create_table(
        "role_assignments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_role_assignments_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_role_assignments_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_role_assignments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", "role", "org_id", name=op.f("pk_role_assignments")),
    )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_role_assignments_tenant_id_org_id_user_id"),
            ["tenant_id", "org_id", "user_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_role_assignments_tenant_id_role"), ["tenant_id", "role"], unique=False
        )

    op.create_table(
        "school_group_members",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "group_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_school_group_members_tenant_id_group_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "school_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_school_group_members_tenant_id_school_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_school_group_members_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "group_id", "school_id", name=op.f("pk_school_group_members")),
    )
    op.create_table(
        "settings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("is_set", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_settings_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_settings_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "org_id", "key", name=op.f("pk_settings")),
    )
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settings_tenant_id_key_org_id"), ["tenant_id", "key", "org_id"], unique=False
        )

    op.create_table(
        "user_orgs",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_user_orgs_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_user_orgs_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_user_orgs_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", "org_id", name=op.f("pk_user_orgs")),
    )
    with op.batch_alter_table("user_orgs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_orgs_tenant_id_org_id_user_id"),
            ["tenant_id", "org_id", "user_id"],
            unique=False,
        )

    op.create_table(
        "custom_role_grants",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "role_id"],
            ["custom_roles.tenant_id", "custom_roles.id"],
            name=op.f("fk_custom_role_grants_tenant_id_role_id_custom_roles"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_custom_role_grants_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "role_id", "position", name=op.f("pk_custom_role_grants")),
    )
    op.create_table(
        "enrollments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "class_id"],
            ["classes.tenant_id", "classes.id"],
            name=op.f("fk_enrollments_tenant_id_class_id_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_enrollments_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_enrollments_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", "class_id", name=op.f("pk_enrollments")),
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollments_tenant_id_class_id_user_id"),
            ["tenant_id", "class_id", "user_id"],
            unique=False,
        )

    op.create_table(
        "teaching",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "class_id"],
            ["classes.tenant_id", "classes.id"],
            name=op.f("fk_teaching_tenant_id_class_id_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_teaching_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_teaching_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", "class_id", name=op.f("pk_teaching")),
    )
    with op.batch_alter_table("teaching", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teaching_tenant_id_class_id_user_id"),
            ["tenant_id", "class_id", "user_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("teaching", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teaching_tenant_id_class_id_user_id"))

    op.drop_table("teaching")
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollments_tenant_id_class_id_user_id"))

    op.drop_table("enrollments")
    op.drop_table("custom_role_grants")
    with op.batch_alter_table("user_orgs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_orgs_tenant_id_org_id_user_id"))

    op.drop_table("user_orgs")
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settings_tenant_id_key_org_id"))

    op.drop_table("settings")
    op.drop_table("school_group_members")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_assignments_tenant_id_role"))
        batch_op.drop_index(batch_op.f("ix_role_assignments_tenant_id_org_id_user_id"))

    op.drop_table("role_assignments")
    with op.batch_alter_table("org_closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_closure_tenant_id_ancestor_id_descendant_id"))

    op.drop_table("org_closure")
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objects_tenant_id_type_id"))
        batch_op.drop_index(batch_op.f("ix_objects_tenant_id_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_objects_tenant_id_org_id_type"))
        batch_op.drop_index(batch_op.f("ix_objects_tenant_id_created_by"))

    op.drop_table("objects")
    with op.batch_alter_table("custom_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_roles_tenant_id_org_id"))

    op.drop_table("custom_roles")
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classes_tenant_id_school_id"))
        batch_op.drop_index(batch_op.f("ix_classes_tenant_id_created_by"))

    op.drop_table("classes")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_tenant_id_student_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_tenant_id_created_by"))

    op.drop_table("users")
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orgs_tenant_id_parent_id"))

    op.drop_table("orgs")
    op.drop_table("tenants")
