"""Seats and workstation-hours per ISO week: offered, booked and used."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from app.bookings.models import Booking
from app.centers.models import TestCenter
from app.centers.services import closed_reason, closures_between
from app.extensions import db
from app.schedule.models import ValidationSession
from app.timeutil import day_start


@dataclass
class WeekCapacity:
    year: int
    week: int
    monday: date
    sessions: int = 0
    seats_offered: int = 0
    seats_booked: int = 0
    seats_used: int = 0
    hours_offered: float = 0.0
    hours_booked: float = 0.0
    hours_used: float = 0.0
    closed_days: list[tuple[date, str]] = field(default_factory=list)

    @property
    def booked_share(self) -> float:
        return self.seats_booked / self.seats_offered if self.seats_offered else 0.0


def weekly_capacity(center: TestCenter, first_monday: date, weeks: int) -> list[WeekCapacity]:
    """One row per ISO week from first_monday; used means attended."""
    last_day = first_monday + timedelta(weeks=weeks) - timedelta(days=1)
    attended = (
        select(func.count(Booking.id))
        .where(Booking.session_id == ValidationSession.id, Booking.status == "attended")
        .correlate(ValidationSession)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(ValidationSession, attended).where(
            ValidationSession.center_id == center.id,
            ValidationSession.status == "scheduled",
            ValidationSession.starts_at >= day_start(first_monday),
            ValidationSession.starts_at < day_start(last_day + timedelta(days=1)),
        )
    ).all()
    result = []
    closures = closures_between(center.id, first_monday, last_day)
    for index in range(weeks):
        monday = first_monday + timedelta(weeks=index)
        year, week, _ = monday.isocalendar()
        row = WeekCapacity(year=year, week=week, monday=monday)
        for offset in range(7):
            day = monday + timedelta(days=offset)
            if reason := closed_reason(center, day, closures):
                row.closed_days.append((day, reason))
        result.append(row)
    for session, used in rows:
        row = result[(session.local_date - first_monday).days // 7]
        hours = (session.ends_at - session.starts_at).total_seconds() / 3600
        row.sessions += 1
        row.seats_offered += session.seats
        row.seats_booked += session.seats_taken
        row.seats_used += used
        row.hours_offered += session.seats * hours
        row.hours_booked += session.seats_taken * hours
        row.hours_used += used * hours
    return result
