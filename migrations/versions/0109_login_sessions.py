"""Sign-ins as server-side sessions that signing out ends

Revision ID: 0109_login_sessions
Revises: 0108_mail_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0109_login_sessions"
down_revision = "0108_mail_claims"
branch_labels = None
depends_on = None


def upgrade():
    # One row per sign-in; the cookie carries a random id whose SHA-256 is the key,
    # so signing out (deleting the row) ends every copy of that cookie.
    op.create_table(
        "login_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=120), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_login_session_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_person_id"), ["person_id"])
        batch_op.create_index(batch_op.f("ix_login_session_last_seen_at"), ["last_seen_at"])


def downgrade():
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_last_seen_at"))
        batch_op.drop_index(batch_op.f("ix_login_session_person_id"))
    op.drop_table("login_session")
