"""An employee who left their company gives up what lies ahead.

Accounts announces `employment_ended` before it deactivates the person; this cancels
each of their seats and queue places in sessions not yet started, one by one through
`cancel_and_report`, so the queue moves up, invites are withdrawn (a seat's CANCEL
reaches their calendar) and webhooks hear of it, all in the coordinator's unit of
work; what was cancelled goes back to accounts for the one mail the person gets. Their
interest ends too.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from app import domain_events
from app.bookings.interest import end_for_leaver
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import cancel_and_report
from app.db import utcnow
from app.extensions import db
from app.formatting import time_span
from app.i18n import speaking_to
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


def _line(booking: Booking) -> str:
    """'Industriteknik BAS, tisdag 3 mars 2026, kl. 08.00–12.00, Luleå testcenter'."""
    s = booking.session
    line = f"{s.model.name}, {time_span(s.starts_at, s.ends_at)}, {s.center.name}"
    if booking.status == BookingStatus.WAITLISTED:
        line += f" ({_('plats i kön')})"
    return line


def cancel_ahead(person, actor, now: datetime) -> list[str]:
    """Cancel what the person holds ahead; what was cancelled, in the person's language,
    for the account-closed mail (the one mail they get: no mail per booking, except a
    seat's calendar CANCEL)."""
    note = _("Har slutat på företaget")
    bookings = _ahead(person.id, now)
    with speaking_to(person):
        lines = [_line(booking) for booking in bookings]
    for booking in bookings:
        cancel_and_report(booking.id, actor, now, note=note, employee_left=True)
    return lines


def on_employment_ended(app, person, actor=None, at=None, **_event):
    now = at or utcnow()
    lines = cancel_ahead(person, actor, now)
    end_for_leaver(person.id, now)  # their interest no longer counts for the planners
    return lines


def connect(app: Flask) -> None:
    domain_events.employment_ended.connect(on_employment_ended, sender=app)
