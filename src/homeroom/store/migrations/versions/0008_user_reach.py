"""The user reach table: every org whose subtree holds an anchor of a user, back-filled for every tenant.

`user_reach (tenant_id, user_id, org_id, kind)`: each ancestor (the org itself included) of each anchor
of each user: home orgs, role assignment orgs, schools of the classes taught or enrolled in that are not
purged. The index (tenant_id, org_id, kind, user_id) makes "users of one kind under an org, in id order"
one range scan (store/reach.py, docs/store.md "The user reach table").

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The rows store/reach.py `fill` writes, for every tenant at once, in plain SQL: a migration must not
# change when the application's code does.
BACK_FILL = """
INSERT INTO user_reach (tenant_id, user_id, org_id, kind)
SELECT DISTINCT anchor.tenant_id, anchor.user_id, c.ancestor_id, u.kind
FROM (
    SELECT tenant_id, user_id, org_id FROM user_orgs
    UNION SELECT tenant_id, user_id, org_id FROM role_assignments
    UNION SELECT e.tenant_id, e.user_id, k.school_id FROM enrollments e
        JOIN classes k ON k.tenant_id = e.tenant_id AND k.id = e.class_id WHERE k.deleted != 'purged'
    UNION SELECT e.tenant_id, e.user_id, k.school_id FROM teaching e
        JOIN classes k ON k.tenant_id = e.tenant_id AND k.id = e.class_id WHERE k.deleted != 'purged'
) anchor
JOIN org_closure c ON c.tenant_id = anchor.tenant_id AND c.descendant_id = anchor.org_id
JOIN users u ON u.tenant_id = anchor.tenant_id AND u.id = anchor.user_id
"""


def upgrade() -> None:
    op.create_table(
        "user_reach",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_user_reach_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_id"],
            ["orgs.tenant_id", "orgs.id"],
            name=op.f("fk_user_reach_tenant_id_org_id_orgs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_user_reach_tenant_id_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", "org_id", name=op.f("pk_user_reach")),
    )
    with op.batch_alter_table("user_reach", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_reach_tenant_id_org_id_kind_user_id"),
            ["tenant_id", "org_id", "kind", "user_id"],
            unique=False,
        )
    op.execute(BACK_FILL)


def downgrade() -> None:
    with op.batch_alter_table("user_reach", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_reach_tenant_id_org_id_kind_user_id"))
    op.drop_table("user_reach")
