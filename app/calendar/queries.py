"""Reading people's calendar entries for the calendar pages."""

from sqlalchemy import select

from app.calendar.models import CalendarEntry, EntryRole
from app.extensions import db


def booking_entry(booking_id: int) -> CalendarEntry | None:
    """The participant's calendar entry for a booking, if an invitation was sent."""
    return db.session.scalar(select(CalendarEntry).where(CalendarEntry.booking_id == booking_id))


def assessor_entry(session_id: int, assessor_id: int) -> CalendarEntry | None:
    """The testledare's calendar entry for a session, if an invitation was sent."""
    return db.session.scalar(
        select(CalendarEntry).where(
            CalendarEntry.session_id == session_id,
            CalendarEntry.person_id == assessor_id,
            CalendarEntry.role == EntryRole.ASSESSOR,
        )
    )
