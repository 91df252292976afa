"""Calendar entries, mail outbox, feed tokens; when a session last changed

Revision ID: 0008_calendar
Revises: 0007_capacity
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_calendar"
down_revision = "0007_capacity"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite cannot add a NOT NULL column without rebuilding the table (which other
    # tables reference), so the column stays nullable and is filled here; the app
    # always sets it.
    op.add_column(
        "validation_session", sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE validation_session SET changed_at = created_at")
    op.create_table(
        "calendar_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_calendar_entry_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["validation_session.id"],
            name=op.f("fk_calendar_entry_session_id_validation_session"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_calendar_entry_booking_id_booking"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_entry")),
        sa.UniqueConstraint("uid", name=op.f("uq_calendar_entry_uid")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_calendar_entry_booking_id")),
    )
    op.create_index(
        "ix_calendar_entry_session_person", "calendar_entry", ["session_id", "person_id"]
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    op.create_index("ix_outbox_message_due", "outbox_message", ["sent_at", "next_attempt_at"])
    op.create_table(
        "feed_token",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_feed_token_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_feed_token")),
        sa.UniqueConstraint("token", name=op.f("uq_feed_token_token")),
    )


def downgrade():
    op.drop_table("feed_token")
    op.drop_table("outbox_message")
    op.drop_table("calendar_entry")
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.drop_column("changed_at")
