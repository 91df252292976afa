"""A company's validations: every booking of its employees, upcoming and past apart,
each with the state it is in and its result as "x of n areas"."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Person
from app.bookings.models import Booking, BookingStatus
from app.db import utcnow
from app.extensions import db
from app.results.models import AreaOutcome, ModelArea, OutcomeResult
from app.schedule.models import ValidationSession

# What the page filters by: the booking's status, with attendance split by the result.
STATUSES = (
    "booked",
    "waitlisted",
    "checked_in",
    "approved",
    "not_yet",
    "no_show",
    "cancelled",
    "session_cancelled",  # cancelled because the test center cancelled the session
    "moved",  # cancelled by moving it: the booking it became is listed on its own
)
_CANCELLED = ("cancelled", "session_cancelled", "moved")
_PLAIN = {
    BookingStatus.CONFIRMED: "booked",
    BookingStatus.WAITLISTED: "waitlisted",
    BookingStatus.NO_SHOW: "no_show",
    BookingStatus.CANCELLED: "cancelled",
}


@dataclass
class ValidationRow:
    booking: Booking
    status: str
    approved: int | None  # areas approved, None before a result
    areas: int  # areas the model assesses


@dataclass
class Validations:
    upcoming: list[ValidationRow]
    past: list[ValidationRow]


def _status(booking: Booking, approved: int | None, areas: int, moved: set[int]) -> str:
    if booking.id in moved:
        return "moved"
    if booking.ended_with_session:
        return "session_cancelled"
    if booking.status != BookingStatus.ATTENDED:
        return _PLAIN[booking.status]
    if approved is None:
        return "checked_in"
    return "approved" if approved == areas else "not_yet"


def company_validations(
    company_id: int,
    name: str = "",
    person_id: int | None = None,
    model_id: int | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> Validations:
    """The company's bookings, filtered; cancelled ones only when asked for.

    Upcoming (the session has not ended) soonest first, past newest first. Names are
    matched in Python, case-folded, so "åsa" finds "Åsa" on every database.
    """
    now = now or utcnow()
    query = (
        select(Booking)
        .join(Booking.employee)
        .join(Booking.session)
        .where(Person.company_id == company_id, Person.erased_at.is_(None))
        .options(
            joinedload(Booking.session).joinedload(ValidationSession.model),
            joinedload(Booking.session).joinedload(ValidationSession.center),
            joinedload(Booking.employee),
        )
        .order_by(ValidationSession.starts_at, Person.name, Booking.id)
    )
    if status not in _CANCELLED:
        query = query.where(Booking.status != BookingStatus.CANCELLED)
    if person_id:
        query = query.where(Booking.employee_id == person_id)
    if model_id:
        query = query.where(ValidationSession.model_id == model_id)
    bookings = list(db.session.scalars(query).unique())
    needle = name.strip().casefold()
    if needle:
        bookings = [b for b in bookings if needle in b.employee.name.casefold()]
    approved = approved_counts([b.id for b in bookings])
    areas = area_counts({b.session.model_id for b in bookings})
    moved = _moved({b.id for b in bookings if b.status == BookingStatus.CANCELLED})
    rows = []
    for b in bookings:
        count = approved.get(b.id)
        row = ValidationRow(b, "", count, areas.get(b.session.model_id, 0))
        row.status = _status(b, count, row.areas, moved)
        rows.append(row)
    if status:
        rows = [r for r in rows if r.status == status]
    return Validations(
        upcoming=[r for r in rows if r.booking.session.ends_at > now],
        past=[r for r in reversed(rows) if r.booking.session.ends_at <= now],
    )


def _moved(cancelled_ids: set[int]) -> set[int]:
    """Those of the cancelled bookings that were moved: a booking names the one it was
    moved from."""
    if not cancelled_ids:
        return set()
    return set(
        db.session.scalars(
            select(Booking.moved_from_id).where(Booking.moved_from_id.in_(cancelled_ids))
        )
    )


def approved_counts(booking_ids: list[int]) -> dict[int, int]:
    """Approved areas per booking that has a result."""
    if not booking_ids:
        return {}
    approved = func.sum(case((AreaOutcome.result == OutcomeResult.APPROVED, 1), else_=0))
    return dict(
        db.session.execute(
            select(AreaOutcome.booking_id, approved)
            .where(AreaOutcome.booking_id.in_(booking_ids))
            .group_by(AreaOutcome.booking_id)
        ).all()
    )


def area_counts(model_ids: set[int]) -> dict[int, int]:
    if not model_ids:
        return {}
    return dict(
        db.session.execute(
            select(ModelArea.model_id, func.count(ModelArea.id))
            .where(ModelArea.model_id.in_(model_ids))
            .group_by(ModelArea.model_id)
        ).all()
    )
