"""Seats and workstation-hours per ISO week: offered, booked and used."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from app.bookings.models import Booking, BookingStatus
from app.centers.models import TestCenter
from app.centers.services import _swedish_holidays, closed_reason, closures_between
from app.extensions import db
from app.schedule.models import SessionStatus, ValidationSession
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
    # Days closed besides the weekdays the center never opens (see closed_weekdays):
    # public holidays and the center's own closures.
    closed_days: list[tuple[date, str]] = field(default_factory=list)
    # Days on such a weekday that the center opens on purpose.
    opened_days: list[date] = field(default_factory=list)

    @property
    def booked_share(self) -> float:
        return self.seats_booked / self.seats_offered if self.seats_offered else 0.0


def closed_weekdays(center: TestCenter) -> list[int]:
    """The weekdays (0 = Monday) without opening hours: closed every week."""
    open_days = {h.weekday for h in center.opening_hours}
    return [day for day in range(7) if day not in open_days]


def _named_closure(day: date, closures) -> bool:
    """Closed for a reason of its own (a holiday, a closure), not only for its weekday."""
    return _swedish_holidays(day.year).get(day) is not None or any(
        c.first_day <= day <= c.last_day and not c.open_anyway for c in closures
    )


def weekly_capacity(center: TestCenter, first_monday: date, weeks: int) -> list[WeekCapacity]:
    """One row per ISO week from first_monday; used means attended.

    A weekday the center never opens is said once for the page (closed_weekdays), not
    on every week: a week lists only the other closed days, and those opened on purpose.
    """
    last_day = first_monday + timedelta(weeks=weeks) - timedelta(days=1)
    attended = (
        select(func.count(Booking.id))
        .where(Booking.session_id == ValidationSession.id, Booking.status == BookingStatus.ATTENDED)
        .correlate(ValidationSession)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(ValidationSession, attended).where(
            ValidationSession.center_id == center.id,
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationSession.starts_at >= day_start(first_monday),
            ValidationSession.starts_at < day_start(last_day + timedelta(days=1)),
        )
    ).all()
    result = []
    closures = closures_between(center.id, first_monday, last_day)
    weekly = set(closed_weekdays(center))
    for index in range(weeks):
        monday = first_monday + timedelta(weeks=index)
        year, week, _ = monday.isocalendar()
        row = WeekCapacity(year=year, week=week, monday=monday)
        for offset in range(7):
            day = monday + timedelta(days=offset)
            reason = closed_reason(center, day, closures)
            if reason is None:
                if day.weekday() in weekly:
                    row.opened_days.append(day)
            elif day.weekday() not in weekly or _named_closure(day, closures):
                # A holiday or the center's own closure is named even on a closed weekday.
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
