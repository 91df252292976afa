"""An employee who left their company gives up what lies ahead.

Accounts announces `employment_ended` before it deactivates the person; this cancels
each of their seats and queue places in sessions not yet started, one by one through
`cancel_and_report`, so the queue moves up, invites are withdrawn, the person is told
and webhooks hear of it, all in the coordinator's unit of work.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from app import domain_events
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import cancel_and_report
from app.db import utcnow
from app.extensions import db
from app.schedule.models import ValidationSession


def _ahead(person_id: int, now: datetime) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(
                Booking.employee_id == person_id,
                Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)),
                ValidationSession.starts_at > now,
            )
            .order_by(ValidationSession.starts_at, Booking.id)
        )
    )


@dataclass(frozen=True)
class Ahead:
    """What a leaver holds in sessions not yet started, for the question asked first."""

    seats: list[Booking]
    queue_places: list[Booking]


def ahead_of(person_id: int, now: datetime | None = None) -> Ahead:
    bookings = _ahead(person_id, now or utcnow())
    return Ahead(
        seats=[b for b in bookings if b.status == BookingStatus.CONFIRMED],
        queue_places=[b for b in bookings if b.status == BookingStatus.WAITLISTED],
    )


def cancel_ahead(person, actor, now: datetime) -> None:
    note = _("Har slutat på företaget")
    for booking in _ahead(person.id, now):
        cancel_and_report(booking.id, actor, now, note=note, employee_left=True)


def on_employment_ended(app, person, actor=None, at=None, **_event):
    cancel_ahead(person, actor, at or utcnow())


def connect(app: Flask) -> None:
    domain_events.employment_ended.connect(on_employment_ended, sender=app)
