"""Travel time between two municipalities: the one rule every page and planner uses.

A pair's time is the travel_buffer row a project admin stored for it, when there is
one. Otherwise it is estimated from the great-circle distance between the two
municipalities' seats (their coordinates, from GeoNames: migration 0114_place):

    minutes = max(MINIMUM_MINUTES, ceil5(distance_km * ROAD_FACTOR / SPEED_KMH * 60))

capped at MAX_TRAVEL_MINUTES (a day, the most a stored row may say), where ceil5
rounds up to whole 5 minutes and the distance is the haversine distance on a sphere
of EARTH_RADIUS_KM. Within one municipality the time is 0.

- ROAD_FACTOR 1.3: roads are longer than the straight line. In the two counties they
  follow the coast and the river valleys (E4 along the coast, E10, E12 and E45
  inland), so 1.3 is a middle value for a rural road network's detour (on average
  it lies between about 1.2 and 1.4).
- SPEED_KMH 75: the average over a whole trip, from E4 at 100–110 km/h through
  inland roads at 70–90 km/h to driving through town and parking at the center.
- MINIMUM_MINUTES 20: two neighbouring seats a few kilometres apart are still a
  drive, a parking place and a walk to the room apart.

The estimate is deliberately plain and stated only here. For the trips the demo
stores times for it gives the same or a little more (Luleå–Boden 40 min for 34 km,
Kiruna–Gällivare 90, Luleå–Kiruna 280 for 266 km, where the demo says 45, 90 and
240); a project admin who knows better stores the pair (Testcenter → Restider
mellan kommuner), and that wins.
"""

import math
from collections.abc import Iterable

from sqlalchemy import Select, and_, or_, select

from app.extensions import db
from app.regions.models import MAX_TRAVEL_MINUTES, Municipality, TravelBuffer

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
ROAD_FACTOR = 1.3
SPEED_KMH = 75
MINIMUM_MINUTES = 20


def distance_km(first: tuple[float, float], second: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*first, *second))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def estimated_minutes(first: tuple[float, float], second: tuple[float, float]) -> int:
    """The estimate for two different municipalities' seats (see the module's formula)."""
    minutes = distance_km(first, second) * ROAD_FACTOR / SPEED_KMH * 60
    rounded = 5 * math.ceil(round(minutes, 6) / 5)
    return min(MAX_TRAVEL_MINUTES, max(MINIMUM_MINUTES, rounded))


def travel_minutes(from_municipality_id: int, to_municipality_id: int) -> int:
    """Minutes between two municipalities: the stored pair, else the estimate."""
    if from_municipality_id == to_municipality_id:
        return 0
    return travel_minutes_from(from_municipality_id, [to_municipality_id])[to_municipality_id]


def travel_minutes_from(
    from_municipality_id: int, to_ids: Iterable[int], among: Select | None = None
) -> dict[int, int]:
    """Minutes from one municipality to each of many (every one, when to_ids is empty).

    One query whatever the number: each municipality's seat with the stored time of
    its pair with the starting one, if any. An id that names no municipality is left out.
    `among`, a query of municipality ids, narrows "every one" (say, to those with a test
    center: a handful of the country's 290, which the search then orders by in SQL).
    """
    wanted = set(to_ids)
    pair = or_(
        and_(
            TravelBuffer.from_municipality_id == from_municipality_id,
            TravelBuffer.to_municipality_id == Municipality.id,
        ),
        and_(
            TravelBuffer.to_municipality_id == from_municipality_id,
            TravelBuffer.from_municipality_id == Municipality.id,
        ),
    )
    query = select(
        Municipality.id, Municipality.latitude, Municipality.longitude, TravelBuffer.minutes
    ).outerjoin(TravelBuffer, pair)
    if wanted:
        query = query.where(Municipality.id.in_(wanted | {from_municipality_id}))
    elif among is not None:
        query = query.where(
            or_(Municipality.id.in_(among), Municipality.id == from_municipality_id)
        )
    rows = db.session.execute(query).all()
    seats = {row.id: (row.latitude, row.longitude) for row in rows}
    stored = {row.id: row.minutes for row in rows if row.minutes is not None}
    start = seats.get(from_municipality_id)
    result = {}
    for other in wanted or set(seats):
        if other == from_municipality_id:
            result[other] = 0
        elif other in stored:
            result[other] = stored[other]
        elif start is not None and other in seats:
            result[other] = estimated_minutes(start, seats[other])
    return result
