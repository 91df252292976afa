"""Mail worker: a claim per message, a Message-ID kept across attempts

Revision ID: 0108_mail_claims
Revises: 0107_undo_check_in
"""

import sqlalchemy as sa
from alembic import op

revision = "0108_mail_claims"
down_revision = "0107_undo_check_in"
branch_labels = None
depends_on = None


def upgrade():
    # Who holds a message's claim (a random token per worker round), so a worker
    # finishes a message only while the claim is still its own.
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
