"""Model families (the Svets levels)

Revision ID: 0115_model_families
Revises: 0114_place
"""

revision = "0115_model_families"
down_revision = "0114_place"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
