"""Index for the personal feed's validator: a person's latest calendar change

Revision ID: 0106_feed_validator
Revises: 0105_outbox_letters
"""

from alembic import op

revision = "0106_feed_validator"
down_revision = "0105_outbox_letters"
branch_labels = None
depends_on = None


def upgrade():
    # max(updated_at) for one person is then one step down the index, however many
    # events their feed holds.
    op.create_index(
        "ix_calendar_entry_person_id_updated_at", "calendar_entry", ["person_id", "updated_at"]
    )


def downgrade():
    op.drop_index("ix_calendar_entry_person_id_updated_at", table_name="calendar_entry")
