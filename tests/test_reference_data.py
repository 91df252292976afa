"""The migrations build the schema and load the domain's reference data."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from app.extensions import db
from app.regions.models import County
from app.schedule.models import ValidationModel


def test_both_counties_have_all_their_municipalities_with_official_codes(app):
    with app.app_context():
        counties = {c.name: c for c in db.session.scalars(select(County))}
        assert {"Norrbottens län", "Västerbottens län"} <= set(counties)  # of Sweden's 21
        norrbotten = {m.name: m.code for m in counties["Norrbottens län"].municipalities}
        vasterbotten = {m.name: m.code for m in counties["Västerbottens län"].municipalities}
    assert len(norrbotten) == 14 and len(vasterbotten) == 15
    assert norrbotten["Luleå"] == "2580" and norrbotten["Kiruna"] == "2584"
    assert norrbotten["Övertorneå"] == "2518" and norrbotten["Älvsbyn"] == "2560"
    assert vasterbotten["Umeå"] == "2480" and vasterbotten["Skellefteå"] == "2482"
    assert vasterbotten["Åsele"] == "2463" and vasterbotten["Bjurholm"] == "2403"
    assert all(code.startswith("25") for code in norrbotten.values())
    assert all(code.startswith("24") for code in vasterbotten.values())


def test_validation_models_are_the_real_ones_with_durations_and_group_sizes(app):
    with app.app_context():
        models = {m.name: m for m in db.session.scalars(select(ValidationModel))}
        assert set(models) == {
            "Industriteknik BAS",
            "Automation BAS",
            "Underhåll BAS",
            "Svets VIT",
            "Svets GRÖN",
            "Svets BLÅ",
            "Svets SVART",
            "CNC-Teknik",
            "Gruvteknik",
        }
        bas = models["Industriteknik BAS"]
        assert bas.theory_minutes == 180 and bas.workstation_kind.code == "computer"
        assert models["Svets SVART"].workstation_kind.code == "welding_booth"
        assert models["Svets SVART"].owner == "Svetskommissionen"
        assert models["CNC-Teknik"].owner == "Skärteknikcentrum"
        assert all(m.max_group_size > 0 for m in models.values())


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index"
)
def test_migrations_and_models_describe_the_same_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    # The case-insensitive e-mail index is an expression index that autogenerate skips.
    assert diff == []


def test_every_index_of_the_models_is_in_the_migrated_database(app):
    """Expression indexes too, which the comparison above skips: SQLite's batch mode
    rebuilds a table without them unless the migration puts them back."""
    # Read from the catalogue: SQLAlchemy's reflection leaves expression indexes out.
    catalogue = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
        "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
    }
    with app.app_context(), db.engine.connect() as connection:
        found = set(connection.scalars(text(catalogue[connection.dialect.name])))
    wanted = {index.name for table in db.metadata.tables.values() for index in table.indexes}
    assert "uq_person_email_lower" in wanted
    assert wanted - found == set()
