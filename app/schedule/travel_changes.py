"""Changing a travel time that planned sessions already rely on.

Planning keeps a testledare's sessions at two centers at least the travel time apart
(app.schedule.planning). A longer time set afterwards, or a stored time removed in
favour of a longer estimate, would leave sessions already planned closer than that
with nothing said: the change is refused while such sessions are coming, naming
them, as closures and opening hours are.
"""

from datetime import datetime, timedelta
from itertools import combinations, groupby
from operator import attrgetter

from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.centers.models import TestCenter
from app.centers.services import remove_travel_time, set_travel_time
from app.db import unit_of_work, utcnow
from app.errors import SessionsInTheWay
from app.extensions import db
from app.regions.models import TravelBuffer
from app.regions.travel import travel_minutes
from app.schedule.models import SessionStatus, ValidationSession


class TravelTimeOverSessions(SessionsInTheWay):
    def __init__(self, sessions: list[ValidationSession]):
        super().__init__(
            sessions,
            ngettext(
                "Med den restiden hinner testledaren inte resa mellan %(num)s planerade "
                "pass. Flytta ett av dem eller byt testledare först; restiden är inte ändrad.",
                "Med den restiden hinner testledaren inte resa mellan %(num)s planerade "
                "pass. Flytta ett av dem eller byt testledare först; restiden är inte ändrad.",
                len(sessions),
            ),
            "travel_time_over_sessions",
        )


def sessions_too_close(
    first_id: int, second_id: int, minutes: int, now: datetime | None = None
) -> list[ValidationSession]:
    """Coming sessions of one testledare, one in each municipality, closer in time than
    `minutes` of travel between them."""
    coming = db.session.scalars(
        select(ValidationSession)
        .join(TestCenter, TestCenter.id == ValidationSession.center_id)
        .where(
            TestCenter.municipality_id.in_((first_id, second_id)),
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationSession.ends_at > (now or utcnow()),
        )
        .options(joinedload(ValidationSession.center), joinedload(ValidationSession.assessor))
        .order_by(ValidationSession.assessor_id, ValidationSession.starts_at)
    ).all()
    buffer = timedelta(minutes=minutes)
    close: dict[int, ValidationSession] = {}
    for _assessor, theirs in groupby(coming, key=attrgetter("assessor_id")):
        for one, other in combinations(list(theirs), 2):
            if one.center.municipality_id == other.center.municipality_id:
                continue
            if one.starts_at < other.ends_at + buffer and other.starts_at < one.ends_at + buffer:
                close[one.id], close[other.id] = one, other
    return sorted(close.values(), key=lambda s: (s.starts_at, s.id))


def _unless_too_close(first_id: int, second_id: int) -> None:
    """Inside the change's unit of work, after it: refuse it if sessions are too close."""
    db.session.flush()
    minutes = travel_minutes(first_id, second_id)
    if close := sessions_too_close(first_id, second_id, minutes):
        raise TravelTimeOverSessions(close)


def change_travel_time(first_id: int, second_id: int, minutes: int, actor) -> TravelBuffer:
    """Set a pair's travel time, unless sessions already planned would be too close."""
    with unit_of_work():
        row = set_travel_time(first_id, second_id, minutes, actor)
        _unless_too_close(first_id, second_id)
        return row


def forget_travel_time(buffer_id: int, actor) -> None:
    """Remove a pair's stored time, unless its estimate would leave sessions too close."""
    with unit_of_work():
        row = db.session.get(TravelBuffer, buffer_id)
        pair = (row.from_municipality_id, row.to_municipality_id) if row else None
        remove_travel_time(buffer_id, actor)
        if pair:
            _unless_too_close(*pair)
