"""Every status column checked by the database: calendar_entry.role was the one left

Revision ID: 0113_status_checks
Revises: 0112_calendar_replies
"""

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0113_status_checks"
down_revision = "0112_calendar_replies"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): written out, not read from the models, so
# that this migration keeps meaning what it meant when later ones change the enums.
CHECKS = (("calendar_entry", "role", ("participant", "assessor")),)


def _refuse_strays(table: str, column: str, allowed: tuple[str, ...]) -> None:
    """Stop before any change if rows hold other values: they are someone's data, and
    only a person can tell whether to correct or remove them."""
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT {column}, COUNT(*) FROM {table} "
                f"WHERE {column} NOT IN :allowed GROUP BY {column} ORDER BY {column}"
            ).bindparams(sa.bindparam("allowed", expanding=True)),
            {"allowed": list(allowed)},
        )
        .all()
    )
    if rows:
        found = ", ".join(
            f"{value!r} ({count} {'row' if count == 1 else 'rows'})" for value, count in rows
        )
        raise CommandError(
            f"{table}.{column} holds values outside {allowed!r}: {found}. "
            "Nothing was changed; correct or remove those rows and upgrade again."
        )


def upgrade():
    for table, column, allowed in CHECKS:
        _refuse_strays(table, column, allowed)
    for table, column, allowed in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            values = ", ".join(f"'{value}'" for value in allowed)
            batch_op.create_check_constraint(column, f"{column} IN ({values})")


def downgrade():
    for table, column, _allowed in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
