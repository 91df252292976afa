"""Reference data: counties, municipalities, workstation kinds, validation models

These are facts of the domain, not demo data, so every database gets them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COUNTIES = [(1, "25", "Norrbottens län"), (2, "24", "Västerbottens län")]

# Official municipality codes (kommunkoder) from SCB.
MUNICIPALITIES = {
    1: [
        ("2505", "Arvidsjaur"), ("2506", "Arjeplog"), ("2510", "Jokkmokk"),
        ("2513", "Överkalix"), ("2514", "Kalix"), ("2518", "Övertorneå"),
        ("2521", "Pajala"), ("2523", "Gällivare"), ("2560", "Älvsbyn"),
        ("2580", "Luleå"), ("2581", "Piteå"), ("2582", "Boden"),
        ("2583", "Haparanda"), ("2584", "Kiruna"),
    ],
    2: [
        ("2401", "Nordmaling"), ("2403", "Bjurholm"), ("2404", "Vindeln"),
        ("2409", "Robertsfors"), ("2417", "Norsjö"), ("2418", "Malå"),
        ("2421", "Storuman"), ("2422", "Sorsele"), ("2425", "Dorotea"),
        ("2460", "Vännäs"), ("2462", "Vilhelmina"), ("2463", "Åsele"),
        ("2480", "Umeå"), ("2481", "Lycksele"), ("2482", "Skellefteå"),
    ],
}

WORKSTATION_KINDS = [
    (1, "computer", "Datorplats för teoriprov"),
    (2, "automation_station", "Automationsstation"),
    (3, "maintenance_station", "Underhållsstation"),
    (4, "welding_booth", "Svetsbås"),
    (5, "cnc_machine", "CNC-maskin"),
]

SIV = "Svensk industrivalidering"
# code, name, owner, theory min, practical min, workstation kind, max group, description
MODELS = [
    ("industriteknik-bas", "Industriteknik BAS", SIV, 180, 0, 1, 12,
     "Grundläggande industrikompetens i tio kompetensområden."),
    ("automation-bas", "Automation BAS", SIV, 180, 120, 2, 6,
     "Industriteknik BAS:s tio områden och fem områden inom automation."),
    ("underhall-bas", "Underhåll BAS", SIV, 180, 120, 3, 6,
     "Industriteknik BAS:s tio områden och sex områden inom underhåll."),
    ("svets-vit", "Svets VIT", "Svetskommissionen", 180, 120, 4, 4,
     "Svetsvalidering, nivå VIT."),
    ("svets-gron", "Svets GRÖN", "Svetskommissionen", 180, 120, 4, 4,
     "Svetsvalidering, nivå GRÖN."),
    ("svets-bla", "Svets BLÅ", "Svetskommissionen", 180, 120, 4, 4,
     "Svetsvalidering, nivå BLÅ."),
    ("svets-svart", "Svets SVART", "Svetskommissionen", 180, 120, 4, 4,
     "Svetsvalidering, nivå SVART."),
    ("cnc-teknik", "CNC-Teknik", "Skärteknikcentrum", 180, 120, 5, 4,
     "Validering av kompetens inom CNC-bearbetning."),
    ("gruvteknik", "Gruvteknik", SIV, 180, 0, 1, 12,
     "Validering av kompetens för arbete i gruvindustrin."),
]


def upgrade():
    meta = sa.MetaData()
    meta.reflect(
        bind=op.get_bind(),
        only=["county", "municipality", "workstation_kind", "validation_model"],
    )
    op.bulk_insert(
        meta.tables["county"], [{"id": i, "code": c, "name": n} for i, c, n in COUNTIES]
    )
    op.bulk_insert(
        meta.tables["municipality"],
        [
            {"code": code, "name": name, "county_id": county_id}
            for county_id, rows in MUNICIPALITIES.items()
            for code, name in rows
        ],
    )
    op.bulk_insert(
        meta.tables["workstation_kind"],
        [{"id": i, "code": c, "name": n} for i, c, n in WORKSTATION_KINDS],
    )
    op.bulk_insert(
        meta.tables["validation_model"],
        [
            {
                "code": code, "name": name, "owner": owner, "theory_minutes": theory,
                "practical_minutes": practical, "workstation_kind_id": kind,
                "max_group_size": group, "description": description,
            }
            for code, name, owner, theory, practical, kind, group, description in MODELS
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids above leave the sequences behind; move them past the rows.
        for table in ("county", "workstation_kind"):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def downgrade():
    for table in ("validation_model", "workstation_kind", "municipality", "county"):
        op.execute(f"DELETE FROM {table}")
