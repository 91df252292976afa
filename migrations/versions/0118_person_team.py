"""A person's team or site within their company (avdelning)

Optional free text set by the company's coordinator (employee page, CSV import);
the competence overview groups and filters by it.

Revision ID: 0118_person_team
Revises: 0117_near
"""

import sqlalchemy as sa
from alembic import op

revision = "0118_person_team"
down_revision = "0117_near"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team", sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("team")
