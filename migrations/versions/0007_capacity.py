"""Opening hours, closures, travel buffers, assessor availability and home center

Revision ID: 0007_capacity
Revises: 0006_api
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_capacity"
down_revision = "0006_api"
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete=None):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "opening_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_opening_hours_weekday")),
        sa.CheckConstraint("opens < closes", name=op.f("ck_opening_hours_opens_before_closes")),
        _fk("opening_hours", "center_id", "test_center", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_hours")),
        sa.UniqueConstraint("center_id", "weekday", name="uq_opening_hours_center_weekday"),
    )
    op.create_table(
        "center_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("open_anyway", sa.Boolean(), nullable=False),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_center_closure_period")),
        _fk("center_closure", "center_id", "test_center", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_center_closure")),
    )
    with op.batch_alter_table("center_closure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_center_closure_center_id"), ["center_id"])
    op.create_table(
        "travel_buffer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_municipality_id", sa.Integer(), nullable=False),
        sa.Column("to_municipality_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_travel_buffer_minutes")),
        sa.CheckConstraint(
            "from_municipality_id < to_municipality_id", name=op.f("ck_travel_buffer_ordered")
        ),
        _fk("travel_buffer", "from_municipality_id", "municipality"),
        _fk("travel_buffer", "to_municipality_id", "municipality"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_buffer")),
        sa.UniqueConstraint(
            "from_municipality_id", "to_municipality_id", name="uq_travel_buffer_pair"
        ),
    )
    op.create_table(
        "assessor_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_assessor_availability_weekday")),
        sa.CheckConstraint("starts < ends", name=op.f("ck_assessor_availability_span")),
        _fk("assessor_availability", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessor_availability")),
        sa.UniqueConstraint("person_id", "weekday", name="uq_assessor_availability_day"),
    )
    op.create_table(
        "assessor_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_assessor_absence_period")),
        _fk("assessor_absence", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessor_absence")),
    )
    with op.batch_alter_table("assessor_absence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessor_absence_person_id"), ["person_id"])
    # Not a batch operation: rebuilding person on SQLite would lose the lower(email)
    # index, which SQLAlchemy cannot reflect. SQLite adds a referencing column in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE person ADD COLUMN home_center_id INTEGER "
            "CONSTRAINT fk_person_home_center_id_test_center REFERENCES test_center (id)"
        )
    else:
        op.add_column("person", sa.Column("home_center_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_person_home_center_id_test_center"), "person", "test_center",
            ["home_center_id"], ["id"],
        )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            op.f("fk_person_home_center_id_test_center"), "person", type_="foreignkey"
        )
    op.drop_column("person", "home_center_id")
    for table in (
        "assessor_absence", "assessor_availability", "travel_buffer", "center_closure",
        "opening_hours",
    ):
        op.drop_table(table)
