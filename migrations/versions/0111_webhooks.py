"""Webhook subscriptions and their deliveries

Revision ID: 0111_webhooks
Revises: 0110_api_sync
"""

revision = "0111_webhooks"
down_revision = "0110_api_sync"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
