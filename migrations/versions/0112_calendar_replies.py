"""Calendar replies (DECLINE) and public feed sequence

Revision ID: 0112_calendar_replies
Revises: 0111_webhooks
"""

revision = "0112_calendar_replies"
down_revision = "0111_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
