"""Sign-ins as server-side sessions that signing out ends

Revision ID: 0109_login_sessions
Revises: 0108_mail_claims
"""

revision = "0109_login_sessions"
down_revision = "0108_mail_claims"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
