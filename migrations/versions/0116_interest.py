"""Interest in a validation when no session fits

Revision ID: 0116_interest
Revises: 0115_model_families
"""

import sqlalchemy as sa
from alembic import op

revision = "0116_interest"
down_revision = "0115_model_families"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_session_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=12), nullable=True),
        sa.CheckConstraint("from_date <= to_date", name=op.f("ck_interest_period")),
        sa.CheckConstraint(
            "(ended_at IS NULL) = (end_reason IS NULL)",
            name=op.f("ck_interest_ended_with_reason"),
        ),
        sa.CheckConstraint(
            "(notified_at IS NULL) = (notified_session_id IS NULL)",
            name=op.f("ck_interest_notified_with_session"),
        ),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('booked', 'withdrawn', 'expired')",
            name=op.f("ck_interest_end_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_interest_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["validation_model.id"], name=op.f("fk_interest_model_id_validation_model")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_interest_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_interest_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["notified_session_id"],
            ["validation_session.id"],
            name=op.f("fk_interest_notified_session_id_validation_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest")),
    )
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interest_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_interest_model_id_ended_at", ["model_id", "ended_at"])


def downgrade():
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_index("ix_interest_model_id_ended_at")
        batch_op.drop_index(batch_op.f("ix_interest_person_id"))
    op.drop_table("interest")
