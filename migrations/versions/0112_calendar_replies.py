"""Calendar replies (DECLINE) and public feed sequence

Revision ID: 0112_calendar_replies
Revises: 0111_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0112_calendar_replies"
down_revision = "0111_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    # The center feed's SEQUENCE per session. Existing sessions start at 0: that is
    # what every subscriber has seen of them so far, and the next change raises it.
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.drop_column("revision")
