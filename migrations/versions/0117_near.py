"""Interest by travel time and by model family

An interest matches sessions within max_minutes' travel of its municipality
(app.regions.travel; 0: any distance) instead of those in the same county, and may
name a whole model family (any level) instead of one model: exactly one of them.

Revision ID: 0117_near
Revises: 0116_interest
"""

import sqlalchemy as sa
from alembic import op

revision = "0117_near"
down_revision = "0116_interest"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("max_minutes", sa.Integer(), server_default="120", nullable=False)
        )
        batch_op.alter_column("model_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_interest_family_id_model_family"), "model_family", ["family_id"], ["id"]
        )
        batch_op.create_check_constraint(
            "model_or_family", "(model_id IS NULL) <> (family_id IS NULL)"
        )
        batch_op.create_check_constraint("max_minutes", "max_minutes >= 0")
        batch_op.create_index("ix_interest_family_id_ended_at", ["family_id", "ended_at"])


def downgrade():
    op.execute("DELETE FROM interest WHERE model_id IS NULL")
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_index("ix_interest_family_id_ended_at")
        batch_op.drop_constraint(batch_op.f("ck_interest_max_minutes"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_interest_model_or_family"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_interest_family_id_model_family"), type_="foreignkey")
        batch_op.alter_column("model_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("max_minutes")
        batch_op.drop_column("family_id")
