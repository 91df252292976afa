"""API: idempotency fingerprints, updated_since

Revision ID: 0110_api_sync
Revises: 0109_login_sessions
"""

revision = "0110_api_sync"
down_revision = "0109_login_sessions"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
