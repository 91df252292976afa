"""Why a session was cancelled, for the participants' mail and calendar event

The center admin's reason ("visas för deltagarna") was kept only in the booking
events and the audit log. Existing cancelled sessions have none (an empty text).

Revision ID: 0127_session_cancel_reason
Revises: 0126_all_regions
"""

import sqlalchemy as sa
from alembic import op

revision = "0127_session_cancel_reason"
down_revision = "0126_all_regions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancel_reason", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
