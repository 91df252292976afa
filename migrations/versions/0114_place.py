"""Places: coordinates of municipalities and centers, a person's own place

Revision ID: 0114_place
Revises: 0113_status_checks
"""

revision = "0114_place"
down_revision = "0113_status_checks"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
