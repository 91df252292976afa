"""Funding projects and their targets per county and industry, for the dashboard

Revision ID: 0102_reports
Revises: 0101_perf
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0102_reports"
down_revision = "0101_perf"
branch_labels = None
depends_on = None

# The regional project's launch text: 30 steel companies with 300 employees in
# Norrbotten (county code 25) and 20 metal subcontractors with 200 employees in
# Västerbotten (24), over three years from 1 June 2023.
REGIONAL_PROJECT = "Industrivalidering Norr"
REGIONAL_TARGETS = [("25", "steel", 30, 300), ("24", "metal", 20, 200)]


def upgrade():
    project = op.create_table(
        "funding_project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_funding_project_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_project")),
        sa.UniqueConstraint("name", name=op.f("uq_funding_project_name")),
    )
    op.create_table(
        "project_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Integer(), nullable=False),
        sa.Column("industry", sa.String(length=10), nullable=False),
        sa.Column("companies", sa.Integer(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "industry IN ('steel', 'metal', 'other')", name=op.f("ck_project_target_industry")
        ),
        sa.CheckConstraint(
            "companies >= 0 AND employees >= 0", name=op.f("ck_project_target_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["county_id"], ["county.id"], name=op.f("fk_project_target_county_id_county")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["funding_project.id"],
            name=op.f("fk_project_target_project_id_funding_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_target")),
        sa.UniqueConstraint(
            "project_id", "county_id", "industry", name=op.f("uq_project_target_scope")
        ),
    )
    with op.batch_alter_table("project_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_target_project_id"), ["project_id"])

    connection = op.get_bind()
    connection.execute(
        project.insert().values(
            name=REGIONAL_PROJECT, starts_on=date(2023, 6, 1), ends_on=date(2026, 5, 31)
        )
    )
    project_id = connection.scalar(
        sa.text("SELECT id FROM funding_project WHERE name = :name"), {"name": REGIONAL_PROJECT}
    )
    for county_code, industry, companies, employees in REGIONAL_TARGETS:
        connection.execute(
            sa.text(
                "INSERT INTO project_target (project_id, county_id, industry, companies, employees)"
                " SELECT :project_id, id, :industry, :companies, :employees"
                " FROM county WHERE code = :code"
            ),
            {
                "project_id": project_id,
                "industry": industry,
                "companies": companies,
                "employees": employees,
                "code": county_code,
            },
        )


def downgrade():
    with op.batch_alter_table("project_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_target_project_id"))
    op.drop_table("project_target")
    op.drop_table("funding_project")
