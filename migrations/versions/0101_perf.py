"""Indexes for the session search and booking at a national scale

Revision ID: 0101_perf
Revises: 0008_calendar
"""

from alembic import op

revision = "0101_perf"
down_revision = "0008_calendar"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_validation_session_status_starts_at",
            ["status", "starts_at", "id", "center_id", "model_id"],
        )
    with op.batch_alter_table("assessor_authorisation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessor_authorisation_person_id_model_id", ["person_id", "model_id"]
        )


def downgrade():
    with op.batch_alter_table("assessor_authorisation", schema=None) as batch_op:
        batch_op.drop_index("ix_assessor_authorisation_person_id_model_id")
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.drop_index("ix_validation_session_status_starts_at")
