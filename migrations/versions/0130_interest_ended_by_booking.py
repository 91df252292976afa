"""Which booking ended an interest, so a seat the center takes back opens it again

An interest ended by a booking (end_reason booked) stayed "Bokad" after the center
cancelled that session: the person had no seat, and no more mail about new sessions.
The interest now names the booking that ended it; when that booking is cancelled with
its session (by the center, or a closure), the interest is live again. Interests
ended before this have no booking named and stay as they are.

Revision ID: 0130_interest_ended_by_booking
Revises: 0129_closure_cancellation
"""

import sqlalchemy as sa
from alembic import op

revision = "0130_interest_ended_by_booking"
down_revision = "0129_closure_cancellation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_by_booking_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_interest_ended_by_booking_id_booking"),
            "booking",
            ["ended_by_booking_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_interest_ended_by_booking_id"), ["ended_by_booking_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interest_ended_by_booking_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_interest_ended_by_booking_id_booking"), type_="foreignkey"
        )
        batch_op.drop_column("ended_by_booking_id")
