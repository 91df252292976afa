"""A token form's one-time key, so that sending the form again makes no second token

Reloading the page after creating an API token sent the form again: a second token,
active and never seen. The form now carries a key, unique per person.

Revision ID: 0128_api_token_request_key
Revises: 0127_session_cancel_reason
"""

import sqlalchemy as sa
from alembic import op

revision = "0128_api_token_request_key"
down_revision = "0127_session_cancel_reason"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            "uq_api_token_request_key", ["person_id", "request_key"]
        )


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint("uq_api_token_request_key", type_="unique")
        batch_op.drop_column("request_key")
