"""What happened to a booking, announced by the layer that did it to the layers above.

A lower layer (bookings, results) must not call up into webhooks, reports or
whatever comes next; it sends one of these signals instead, and the features that
care connect to them in the application factory. Each signal is sent inside the
unit of work that made the change, before its commit, with the app as sender:

    domain_events.booking_created.send(current_app._get_current_object(), booking=b, ...)

so a receiver that writes rows (an outbox) writes them in the same transaction:
a change that rolls back leaves nothing behind, and one that commits always has
them. A receiver must therefore not commit, not do slow work (no network), and
raise only when the whole change should fail.

Keyword arguments, the same for every signal: `booking` (the Booking as it is
now), `actor` (the Person who did it, None for the system) and `at` (the UTC time
of the change); `booking_moved` adds `previous` (the booking that was given up),
`booking_cancelled` adds `reason` ("cancelled" or "session_cancelled").
"""

from blinker import Namespace
from flask import current_app

_signals = Namespace()

booking_created = _signals.signal("booking-created", doc="A seat or a waitlist place was booked.")
booking_cancelled = _signals.signal("booking-cancelled", doc="A live booking was cancelled.")
booking_moved = _signals.signal("booking-moved", doc="A booking moved to another session.")
booking_promoted = _signals.signal(
    "booking-promoted", doc="A waitlisted booking got a seat that came free."
)
result_recorded = _signals.signal(
    "result-recorded", doc="A participant's outcome per competence area was recorded."
)


def announce(signal, **event) -> None:
    """Send `signal` for the current app; costs next to nothing when nobody listens."""
    if signal.receivers:
        signal.send(current_app._get_current_object(), **event)
