"""Whether a session was cancelled because its center closed the day

A closure stored "Testcentret är stängt: <reason>" as the session's cancel reason, in
the language of the admin who closed it, and every participant read that prefix in
the admin's language. The flag says "closed" instead, and each reader's language
words it; the reason keeps only the admin's own text. Sessions cancelled by closures
before are found by the prefix either language gave them.

Revision ID: 0129_closure_cancellation
Revises: 0128_api_token_request_key
"""

import sqlalchemy as sa
from alembic import op

revision = "0129_closure_cancellation"
down_revision = "0128_api_token_request_key"
branch_labels = None
depends_on = None

# What app.bookings.closures stored before, in Swedish and English.
PREFIXES = ("Testcentret är stängt: ", "The test center is closed: ")
WHOLE_DAY = ("Testcentret är stängt den dagen.", "The test center is closed that day.")


def upgrade():
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "cancelled_for_closure", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    session = sa.table(
        "validation_session",
        sa.column("cancel_reason", sa.String),
        sa.column("cancelled_for_closure", sa.Boolean),
    )
    reason = session.c.cancel_reason
    for prefix in PREFIXES:
        op.execute(
            session.update()
            .where(reason.startswith(prefix, autoescape=True))
            .values(
                cancelled_for_closure=True, cancel_reason=sa.func.substr(reason, len(prefix) + 1)
            )
        )
    op.execute(
        session.update()
        .where(reason.in_(WHOLE_DAY))
        .values(cancelled_for_closure=True, cancel_reason="")
    )


def downgrade():
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.drop_column("cancelled_for_closure")
