"""Keep invites in step with the domain events of schedule and bookings."""

from flask import Flask

from app import domain_events
from app.bookings.models import BookingStatus
from app.calendar import feeds, notify


def on_booking_created(app, booking, **_event):
    reason = "booked" if booking.status == BookingStatus.CONFIRMED else "waitlisted"
    notify.booking_changed(booking, reason, new_booking=True)


def on_booking_promoted(app, booking, **_event):
    notify.booking_changed(booking, "promoted")


def on_booking_cancelled(
    app, booking, reason="cancelled", held_seat=True, employee_left=False, **_event
):
    if reason == "session_cancelled":
        return  # on_session_cancelled told everyone in the session at once
    if not held_seat:
        if not employee_left:  # a leaver's queue places are listed in the account-closed mail
            notify.waitlist_left(booking)
        return
    # A leaver's seat still needs its CANCEL in their calendar: one iTIP message per event
    # (mail clients act on one invite per mail), without the rebooking link.
    notify.booking_changed(booking, "employee_left" if employee_left else "cancelled")


def on_booking_moved(app, booking, previous, **_event):
    notify.booking_moved(previous, booking)


def on_session_created(app, session, **_event):
    notify.session_created(session)


def on_session_changed(app, session, was=None, **_event):
    notify.session_changed(session, was)


def on_session_cancelled(app, session, waitlisted, **_event):
    notify.session_cancelled(session, waitlisted)


def on_center_changed(app, center, at, **_event):
    notify.center_changed(center, at)


def on_language_changed(app, person, at, **_event):
    notify.language_changed(person, at)


def on_employment_ended(app, person, **_event):
    feeds.revoke_feed_token(person.id)  # their feed URL stops working for good


RECEIVERS = {
    domain_events.booking_created: on_booking_created,
    domain_events.booking_promoted: on_booking_promoted,
    domain_events.booking_cancelled: on_booking_cancelled,
    domain_events.booking_moved: on_booking_moved,
    domain_events.session_created: on_session_created,
    domain_events.session_changed: on_session_changed,
    domain_events.session_cancelled: on_session_cancelled,
    domain_events.center_changed: on_center_changed,
    domain_events.language_changed: on_language_changed,
    domain_events.employment_ended: on_employment_ended,
}


def connect(app: Flask) -> None:
    """Listen to this app's domain events (each app its own: tests build many)."""
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, sender=app)
