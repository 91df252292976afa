"""A CSV import of employees, kept 24 hours for its report and its rejected rows

Revision ID: 0121_import
Revises: 0118_person_team
"""

import sqlalchemy as sa
from alembic import op

revision = "0121_import"
down_revision = "0118_person_team"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "employee_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_employee_import_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_employee_import_created_by_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_import")),
    )
    with op.batch_alter_table("employee_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employee_import_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_employee_import_created_at"), ["created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("employee_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_import_created_at"))
        batch_op.drop_index(batch_op.f("ix_employee_import_company_id"))
    op.drop_table("employee_import")
