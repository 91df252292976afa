"""API: idempotency records with request fingerprints, bookings found by updated_at

Revision ID: 0110_api_sync
Revises: 0109_login_sessions
"""

import sqlalchemy as sa
from alembic import op

revision = "0110_api_sync"
down_revision = "0109_login_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_headers", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('in_flight', 'done')", name=op.f("ck_api_idempotency_record_state")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_api_idempotency_record_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_record")),
        sa.UniqueConstraint("person_id", "key", name=op.f("uq_api_idempotency_record_person_id")),
    )
    with op.batch_alter_table("api_idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_idempotency_record_expires_at"), ["expires_at"], unique=False
        )
    # An HR system's sync reads the bookings changed since its last call, in this order.
    op.create_index("ix_booking_updated_at_id", "booking", ["updated_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_booking_updated_at_id", table_name="booking")
    op.drop_table("api_idempotency_record")
