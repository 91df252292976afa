"""A webhook form's one-time key, so that sending the form again registers no second webhook

Reloading the page that showed a new webhook's secret sent the form again: a second
subscription to the same URL with another secret, never seen, and every event twice.
The form now carries a key, unique per owner, as the API-key form does (0128).

Revision ID: 0131_webhook_request_key
Revises: 0130_interest_ended_by_booking
"""

import sqlalchemy as sa
from alembic import op

revision = "0131_webhook_request_key"
down_revision = "0130_interest_ended_by_booking"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            "uq_webhook_subscription_request_key", ["owner_id", "request_key"]
        )


def downgrade():
    with op.batch_alter_table("webhook_subscription", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webhook_subscription_request_key", type_="unique")
        batch_op.drop_column("request_key")
