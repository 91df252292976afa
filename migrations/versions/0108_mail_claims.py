"""Mail worker: a claim per message, a Message-ID kept across attempts

Revision ID: 0108_mail_claims
Revises: 0107_undo_check_in
"""

revision = "0108_mail_claims"
down_revision = "0107_undo_check_in"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
