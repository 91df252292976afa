"""Model families (the Svets levels)

Svets VIT, GRÖN, BLÅ and SVART are Svetskommissionen's four levels of one welding
validation (the models of migration 0002, whose names and descriptions say
"nivå VIT" ... "nivå SVART"; docs: DESIGN.md, *Domain facts*). They become one family,
"Svets", that a search can ask for as a whole; each model keeps its own id and stays
bookable as before, and learns its level's short label and its place in the order
VIT < GRÖN < BLÅ < SVART.

Revision ID: 0115_model_families
Revises: 0114_place
"""

import sqlalchemy as sa
from alembic import op

revision = "0115_model_families"
down_revision = "0114_place"
branch_labels = None
depends_on = None

# Written out, not read from the models: the migration keeps meaning what it meant.
FAMILIES = [("svets", "Svets")]
# model code (migration 0002), family code, level label, rank within the family
LEVELS = [
    ("svets-vit", "svets", "VIT", 1),
    ("svets-gron", "svets", "GRÖN", 2),
    ("svets-bla", "svets", "BLÅ", 3),
    ("svets-svart", "svets", "SVART", 4),
]


def upgrade():
    op.create_table(
        "model_family",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_family")),
        sa.UniqueConstraint("code", name=op.f("uq_model_family_code")),
        sa.UniqueConstraint("name", name=op.f("uq_model_family_name")),
    )
    # Added in place (ALTER TABLE ... ADD COLUMN): validation_model is referenced by
    # sessions and authorisations, and batch mode's rebuild on SQLite would drop it under
    # their foreign keys. SQLite takes the named key inside the column's definition only.
    fk = "fk_validation_model_family_id_model_family"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE validation_model ADD COLUMN family_id INTEGER "
            f"CONSTRAINT {fk} REFERENCES model_family (id)"
        )
    else:
        op.add_column("validation_model", sa.Column("family_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "validation_model", "model_family", ["family_id"], ["id"])
    op.add_column("validation_model", sa.Column("level", sa.String(length=20), nullable=True))
    op.add_column("validation_model", sa.Column("level_rank", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_validation_model_family_id"), "validation_model", ["family_id"], unique=False
    )

    family = sa.table(
        "model_family", sa.column("id", sa.Integer), sa.column("code"), sa.column("name")
    )
    model = sa.table(
        "validation_model",
        sa.column("code"),
        sa.column("family_id", sa.Integer),
        sa.column("level"),
        sa.column("level_rank", sa.Integer),
    )
    bind = op.get_bind()
    op.bulk_insert(family, [{"code": code, "name": name} for code, name in FAMILIES])
    ids = dict(bind.execute(sa.select(family.c.code, family.c.id)).all())
    for model_code, family_code, level, rank in LEVELS:
        bind.execute(
            model.update()
            .where(model.c.code == model_code)
            .values(family_id=ids[family_code], level=level, level_rank=rank)
        )


def downgrade():
    op.drop_index(op.f("ix_validation_model_family_id"), table_name="validation_model")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            "fk_validation_model_family_id_model_family", "validation_model", type_="foreignkey"
        )
    # SQLite (3.35+) drops a column in place; its key goes with it.
    for column in ("level_rank", "level", "family_id"):
        op.drop_column("validation_model", column)
    op.drop_table("model_family")
