"""Indexes for the dashboard's reach: bookings with their employee, approved outcomes

The reach walks from the period's sessions to their seat bookings and asks, for each
attendance, whether an area was approved; both now come from an index alone. The
booking index (session, status) gains the employee instead of a second index beside
it, so that a booking writes no more index entries than before.

Revision ID: 0124_report_indexes
Revises: 0123_feed_text
"""

from alembic import op

revision = "0124_report_indexes"
down_revision = "0123_feed_text"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booking_session_status_employee", ["session_id", "status", "employee_id"]
        )
        batch_op.drop_index("ix_booking_session_status")
    with op.batch_alter_table("area_outcome", schema=None) as batch_op:
        batch_op.create_index("ix_area_outcome_booking_result", ["booking_id", "result"])


def downgrade():
    with op.batch_alter_table("area_outcome", schema=None) as batch_op:
        batch_op.drop_index("ix_area_outcome_booking_result")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_session_status", ["session_id", "status"])
        batch_op.drop_index("ix_booking_session_status_employee")
