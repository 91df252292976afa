"""Invite mails queued as a snapshot and written when sent

Revision ID: 0105_outbox_letters
Revises: 0104_locale
"""

import sqlalchemy as sa
from alembic import op

revision = "0105_outbox_letters"
down_revision = "0104_locale"
branch_labels = None
depends_on = None


def upgrade():
    # A queued invite holds `payload` until the worker sends it; `raw` is then the
    # message as sent. Other mail (invitations, resets) is queued as `raw` at once.
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch_op.alter_column("raw", existing_type=sa.LargeBinary(), nullable=True)


def downgrade():
    op.execute(
        "DELETE FROM outbox_message WHERE raw IS NULL"
    )  # unsent snapshots cannot be kept without their message
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("raw", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("payload")
