"""Reading calendar entries and the mail outbox for the calendar pages."""

from sqlalchemy import select

from app.calendar.models import CalendarEntry, OutboxMessage
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
            CalendarEntry.role == "assessor",
        )
    )


def find_outbox_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


def latest_outbox_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )
