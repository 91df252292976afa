"""Accounts: sign-out everywhere, erased people, the audit log

Revision ID: 0103_accounts
Revises: 0101_perf
"""

import sqlalchemy as sa
from alembic import op

revision = "0103_accounts"
down_revision = "0102_reports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["person.id"],
            name=op.f("fk_audit_log_actor_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["center_id"], ["test_center.id"], name=op.f("fk_audit_log_center_id_test_center")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"])
        batch_op.create_index("ix_audit_log_at", ["at"])
        batch_op.create_index("ix_audit_log_center_id", ["center_id"])


def downgrade():
    op.drop_table("audit_log")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("session_version")
