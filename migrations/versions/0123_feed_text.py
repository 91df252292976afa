"""Each calendar entry keeps its event's finished VEVENT text for the personal feed

A cold feed of a thousand events joins the stored texts instead of building every
event anew (app/calendar/feed_texts.py); feed_key says what a text was written from.

Revision ID: 0123_feed_text
Revises: 0121_import
"""

import sqlalchemy as sa
from alembic import op

revision = "0123_feed_text"
down_revision = "0121_import"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calendar_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("feed_key", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("calendar_entry", schema=None) as batch_op:
        batch_op.drop_column("feed_key")
        batch_op.drop_column("feed_text")
