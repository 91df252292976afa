"""A testledare can take a check-in back: the booking event 'undo_checkin'

Revision ID: 0107_undo_check_in
Revises: 0106_feed_validator
"""

from alembic import op

revision = "0107_undo_check_in"
down_revision = "0106_feed_validator"
branch_labels = None
depends_on = None

OLD_EVENT_KINDS = (
    "('booked', 'waitlisted', 'promoted', 'cancelled', 'moved', "
    "'checked_in', 'attended', 'no_show', 'outcome')"
)
NEW_EVENT_KINDS = (
    "('booked', 'waitlisted', 'promoted', 'cancelled', 'moved', "
    "'checked_in', 'undo_checkin', 'attended', 'no_show', 'outcome')"
)


def upgrade():
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_booking_event_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN {NEW_EVENT_KINDS}")


def downgrade():
    op.execute("DELETE FROM booking_event WHERE kind = 'undo_checkin'")
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_booking_event_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN {OLD_EVENT_KINDS}")
