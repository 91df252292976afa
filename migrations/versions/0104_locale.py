"""A person's chosen language (sv or en) for pages, mails and invites

Revision ID: 0104_locale
Revises: 0101_perf
"""

import sqlalchemy as sa
from alembic import op

revision = "0104_locale"
down_revision = "0103_accounts"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: NULL means "not chosen", so the browser's language still decides.
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("locale")
