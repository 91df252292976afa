"""Turn the domain events of bookings and results into webhook deliveries."""

from flask import Flask

from app import domain_events
from app.webhooks import payloads
from app.webhooks.outbox import enqueue


def on_booking_created(app, booking, at, **_event):
    enqueue("booking.created", booking, at, lambda: payloads.booking_data(booking))


def on_booking_cancelled(app, booking, at, reason="cancelled", **_event):
    enqueue("booking.cancelled", booking, at, lambda: payloads.booking_data(booking, reason=reason))


def on_booking_moved(app, booking, previous, at, **_event):
    enqueue(
        "booking.moved",
        booking,
        at,
        lambda: payloads.booking_data(
            booking, previous_booking_id=previous.id, previous_session_id=previous.session_id
        ),
    )


def on_booking_rescheduled(app, booking, at, was, **_event):
    enqueue(
        "booking.rescheduled",
        booking,
        at,
        lambda: payloads.booking_data(
            booking, previous_starts_at=payloads.iso(was[0]), previous_ends_at=payloads.iso(was[1])
        ),
    )


def on_booking_promoted(app, booking, at, **_event):
    enqueue("booking.promoted", booking, at, lambda: payloads.booking_data(booking))


def on_result_recorded(app, booking, at, **_event):
    enqueue("result.recorded", booking, at, lambda: payloads.result_data(booking))


RECEIVERS = {
    domain_events.booking_created: on_booking_created,
    domain_events.booking_cancelled: on_booking_cancelled,
    domain_events.booking_moved: on_booking_moved,
    domain_events.booking_rescheduled: on_booking_rescheduled,
    domain_events.booking_promoted: on_booking_promoted,
    domain_events.result_recorded: on_result_recorded,
}


def connect(app: Flask) -> None:
    """Listen to this app's domain events (each app its own: tests build many)."""
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, sender=app)
