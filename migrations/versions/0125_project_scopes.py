"""Several funding projects: the companies taking part, project admins limited to projects

A company takes part in a project by a row in project_company (one company may take
part in several). Each existing project gets the companies it counted until now: those
of its targets' counties and industries. A project admin's grant may name a project
(role_grant.project_id); existing grants name none and keep seeing everything.

Revision ID: 0125_project_scopes
Revises: 0124_report_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0125_project_scopes"
down_revision = "0124_report_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_company",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_project_company_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["funding_project.id"],
            name=op.f("fk_project_company_project_id_funding_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "company_id", name=op.f("pk_project_company")),
    )
    with op.batch_alter_table("project_company", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_company_company_id"), ["company_id"], unique=False
        )
    op.execute(
        """
        INSERT INTO project_company (project_id, company_id)
        SELECT DISTINCT t.project_id, c.id
        FROM project_target t
        JOIN municipality m ON m.county_id = t.county_id
        JOIN company c ON c.municipality_id = m.id AND c.industry = t.industry
        """
    )
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_role_grant_project_id"), ["project_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_role_grant_project_id_funding_project"),
            "funding_project",
            ["project_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            "project_for_project_admin", "project_id IS NULL OR role = 'project_admin'"
        )
        batch_op.drop_constraint("uq_role_grant_person_role", type_="unique")
        batch_op.create_unique_constraint(
            "uq_role_grant_person_role", ["person_id", "role", "center_id", "project_id"]
        )


def downgrade():
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_constraint("uq_role_grant_person_role", type_="unique")
        batch_op.create_unique_constraint(
            "uq_role_grant_person_role", ["person_id", "role", "center_id"]
        )
        batch_op.drop_constraint(op.f("ck_role_grant_project_for_project_admin"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_role_grant_project_id_funding_project"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_role_grant_project_id"))
        batch_op.drop_column("project_id")
    with op.batch_alter_table("project_company", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_company_company_id"))
    op.drop_table("project_company")
