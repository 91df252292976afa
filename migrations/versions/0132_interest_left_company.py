"""An interest ends when its person leaves their company: end_reason 'left_company'

A leaver's interest stayed live and counted in the planners' demand. Ending the
employment now ends it with this reason.

Revision ID: 0132_interest_left_company
Revises: 0131_webhook_request_key
"""

from alembic import op

revision = "0132_interest_left_company"
down_revision = "0131_webhook_request_key"
branch_labels = None
depends_on = None

OLD_REASONS = "('booked', 'withdrawn', 'expired')"
NEW_REASONS = "('booked', 'withdrawn', 'expired', 'left_company')"


def upgrade():
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_interest_end_reason"), type_="check")
        batch_op.create_check_constraint(
            "end_reason", f"end_reason IS NULL OR end_reason IN {NEW_REASONS}"
        )


def downgrade():
    op.execute("UPDATE interest SET end_reason = 'withdrawn' WHERE end_reason = 'left_company'")
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_interest_end_reason"), type_="check")
        batch_op.create_check_constraint(
            "end_reason", f"end_reason IS NULL OR end_reason IN {OLD_REASONS}"
        )
