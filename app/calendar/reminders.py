"""The reminder the day before: time, address and what to bring, sent once."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.bookings.models import Booking, BookingStatus
from app.calendar.letters import enqueue_letter, snapshot
from app.db import unit_of_work, utcnow
from app.extensions import db
from app.mail.models import OutboxMessage
from app.schedule.models import SessionStatus, ValidationSession


def reminder_key(booking_id: int, starts_at: datetime) -> str:
    """The outbox's dedupe key of a seat's reminder for a start time."""
    return f"reminder:{booking_id}:{starts_at:%Y%m%dT%H%M}"


def withdraw_reminder(booking_id: int, starts_at: datetime) -> None:
    """Take back a reminder not sent yet: the seat is gone, or its session moved (the next
    run queues one for the new time). Sent from a backed-up outbox after a cancellation,
    it would send people to a session that is not there."""
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.dedupe_key == reminder_key(booking_id, starts_at),
            OutboxMessage.sent_at.is_(None),
        )
    )


def queue_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for every seat in a session starting within REMINDER_HOURS.

    The outbox's unique dedupe key (booking and start time) makes this safe to run
    from several workers and every minute: each seat is reminded once per start time,
    and again only if the session is moved.
    """
    now = now or utcnow()
    horizon = now + timedelta(hours=current_app.config["REMINDER_HOURS"])
    queued = 0
    with unit_of_work():
        bookings = db.session.scalars(
            select(Booking)
            .join(ValidationSession, Booking.session_id == ValidationSession.id)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.starts_at > now,
                ValidationSession.starts_at <= horizon,
            )
            .options(joinedload(Booking.session), joinedload(Booking.employee))
        ).all()
        for booking in bookings:
            session = booking.session
            key = reminder_key(booking.id, session.starts_at)
            letter = snapshot(booking.employee, "reminder", session, None, None, now=now)
            if enqueue_letter(letter, "reminder", dedupe_key=key):
                queued += 1
    return queued
