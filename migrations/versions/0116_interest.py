"""Interest in a validation when no session fits

Revision ID: 0116_interest
Revises: 0115_model_families
"""

revision = "0116_interest"
down_revision = "0115_model_families"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
