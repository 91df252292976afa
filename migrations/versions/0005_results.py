"""Support needs, check-in, attendance and outcomes per competence area

Revision ID: 0005_results
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_results"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_EVENT_KINDS = "('booked', 'waitlisted', 'promoted', 'cancelled', 'moved')"
NEW_EVENT_KINDS = (
    "('booked', 'waitlisted', 'promoted', 'cancelled', 'moved', "
    "'checked_in', 'attended', 'no_show', 'outcome')"
)

SHARED = [
    ("arbetsmiljo", "Arbetsmiljö och säkerhet"),
    ("kvalitet", "Kvalitet och ständiga förbättringar"),
    ("produktionsekonomi", "Produktionsekonomi"),
    ("miljo", "Miljö och hållbar produktion"),
    ("ritningslasning", "Ritningsläsning"),
    ("matteknik", "Mätteknik"),
    ("material", "Material och materialhantering"),
    ("produktionsteknik", "Produktionsteknik och utrustning"),
    ("digitalisering", "Digitalisering och IT i produktionen"),
    ("samarbete", "Kommunikation och samarbete"),
]
AUTOMATION = [
    ("automationsteknik", "Automationsteknik"),
    ("styrteknik", "Styr- och reglerteknik"),
    ("pneumatik", "Pneumatik och hydraulik"),
    ("elteknik", "Elteknik"),
    ("robotteknik", "Robotteknik"),
]
UNDERHALL = [
    ("underhallsteknik", "Underhållsteknik"),
    ("felsokning", "Felsökning"),
    ("maskinelement", "Mekanik och maskinelement"),
    ("elsakerhet", "Elsäkerhet"),
    ("tillstandskontroll", "Smörjning och tillståndskontroll"),
    ("underhallsplanering", "Underhållsplanering"),
]
SVETS = [("svetsteori", "Svetsteori"), ("svetsprov", "Praktiskt svetsprov")]
CNC = [("cnc-programmering", "CNC-programmering"), ("cnc-uppsattning", "Uppsättning och körning")]
GRUV = [
    ("brytningsmetoder", "Gruvteknik och brytningsmetoder"),
    ("gruvmaskiner", "Berg- och gruvmaskiner"),
    ("gruvlogistik", "Gruvans logistik och infrastruktur"),
]
SHARED_CODES = [code for code, _ in SHARED]
MODEL_AREAS = {
    "industriteknik-bas": SHARED_CODES,
    "automation-bas": SHARED_CODES + [code for code, _ in AUTOMATION],
    "underhall-bas": SHARED_CODES + [code for code, _ in UNDERHALL],
    "svets-vit": ["svetsteori", "svetsprov"],
    "svets-gron": ["svetsteori", "svetsprov"],
    "svets-bla": ["svetsteori", "svetsprov"],
    "svets-svart": ["svetsteori", "svetsprov"],
    "cnc-teknik": ["ritningslasning", "matteknik", "cnc-programmering", "cnc-uppsattning"],
    "gruvteknik": ["arbetsmiljo", *[code for code, _ in GRUV]],
}


def upgrade():
    area = op.create_table(
        "competence_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_area")),
        sa.UniqueConstraint("code", name=op.f("uq_competence_area_code")),
    )
    op.create_table(
        "model_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["competence_area.id"], name=op.f("fk_model_area_area_id_competence_area")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["validation_model.id"],
            name=op.f("fk_model_area_model_id_validation_model"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_area")),
        sa.UniqueConstraint("model_id", "area_id", name="uq_model_area_model_area"),
    )
    with op.batch_alter_table("model_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_area_area_id"), ["area_id"], unique=False)
    op.create_table(
        "area_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("training", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "result IN ('approved', 'not_yet')", name=op.f("ck_area_outcome_result")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["competence_area.id"],
            name=op.f("fk_area_outcome_area_id_competence_area"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_area_outcome_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_area_outcome_recorded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_outcome")),
        sa.UniqueConstraint("booking_id", "area_id", name="uq_area_outcome_booking_area"),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("support_needs", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("support_note", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("result_comment", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("support_seats", sa.Integer(), nullable=True))
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_booking_event_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN {NEW_EVENT_KINDS}")

    conn = op.get_bind()
    op.bulk_insert(
        area,
        [{"code": c, "name": n} for c, n in SHARED + AUTOMATION + UNDERHALL + SVETS + CNC + GRUV],
    )
    area_ids = dict(conn.execute(sa.text("SELECT code, id FROM competence_area")).all())
    model_ids = dict(conn.execute(sa.text("SELECT code, id FROM validation_model")).all())
    for model_code, codes in MODEL_AREAS.items():
        for position, code in enumerate(codes, start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO model_area (model_id, area_id, position) VALUES (:m, :a, :p)"
                ),
                {"m": model_ids[model_code], "a": area_ids[code], "p": position},
            )


def downgrade():
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_booking_event_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN {OLD_EVENT_KINDS}")
    with op.batch_alter_table("validation_session", schema=None) as batch_op:
        batch_op.drop_column("support_seats")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("result_comment")
        batch_op.drop_column("checked_in_at")
        batch_op.drop_column("support_note")
        batch_op.drop_column("support_needs")
    op.drop_table("area_outcome")
    op.drop_table("model_area")
    op.drop_table("competence_area")
