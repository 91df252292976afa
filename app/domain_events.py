"""What happened to a booking or a session, told by the layer that did it to those above.

A lower layer (schedule, bookings, results) must not call up into calendar, webhooks
or whatever comes next; it sends one of these signals instead, and the features that
care connect to them in the application factory. Each signal is sent inside the
unit of work that made the change, before its commit, with the app as sender:

    domain_events.booking_created.send(current_app._get_current_object(), booking=b, ...)

so a receiver that writes rows (an outbox) writes them in the same transaction:
a change that rolls back leaves nothing behind, and one that commits always has
them. A receiver must therefore not commit, not do slow work (no network), and
raise only when the whole change should fail.

Keyword arguments of every signal: `actor` (the Person who did it, None for the
system) and `at` (the UTC time of the change), and

- booking_* and result_recorded: `booking` (the Booking as it is now).
  `booking_created` is sent only for a booking made in this unit of work (a move
  makes one too, but sends `booking_moved`); `booking_moved` adds `previous` (the
  booking that was given up); `booking_cancelled` adds `reason`: "cancelled", or
  "session_cancelled" for each booking of a cancelled session, sent after that
  session's `session_cancelled`; with "cancelled" also `held_seat`: False for a
  place in the queue, and `employee_left`: True when it was cancelled because the
  employee left their company (they are told once, in the account-closed mail).
  `booking_rescheduled` is sent for each seat and queue place of a session the center
  moved to another time, after that session's `session_changed`, and adds `was`, the
  session's earlier (start, end).
- session_*: `session` (the ValidationSession as it is now). `session_cancelled`
  adds `waitlisted`, the bookings that stood in its queue (cancelled now as well);
  `session_changed` adds `was`, its earlier (start, end) when the time changed.
- center_changed: `center` (the TestCenter as it is now), whose name, address or
  contact, which every event of its sessions shows, changed.
- employment_ended: `person`, who has left their company (a coordinator said so); sent
  before the person is deactivated, so that their future bookings and interest end
  and their feed and API tokens are revoked. A receiver may return lines, in the
  person's language, for the account-closed mail (what they gave up).
- language_changed: `person`, who chose another language for pages, mails and
  calendars (their events' texts change with it).
"""

from blinker import Namespace
from flask import current_app

_signals = Namespace()

booking_created = _signals.signal("booking-created", doc="A seat or a waitlist place was booked.")
booking_cancelled = _signals.signal("booking-cancelled", doc="A live booking was cancelled.")
booking_moved = _signals.signal("booking-moved", doc="A booking moved to another session.")
booking_rescheduled = _signals.signal(
    "booking-rescheduled",
    doc="A live booking's session was moved to another time (was: its earlier start and end).",
)
booking_promoted = _signals.signal(
    "booking-promoted", doc="A waitlisted booking got a seat that came free."
)
session_created = _signals.signal("session-created", doc="A session was planned.")
session_changed = _signals.signal(
    "session-changed",
    doc="A session moved in time or got another testledare (was: its earlier start and end).",
)
session_cancelled = _signals.signal(
    "session-cancelled", doc="A session was cancelled with every live booking in it."
)
center_changed = _signals.signal(
    "center-changed", doc="A test center's name, address or contact changed."
)
employment_ended = _signals.signal(
    "employment-ended", doc="A person left their company; their account is being closed."
)
language_changed = _signals.signal(
    "language-changed", doc="A person chose another language for pages, mails and calendars."
)
result_recorded = _signals.signal(
    "result-recorded", doc="A participant's outcome per competence area was recorded."
)


def announce(signal, **event) -> list:
    """Send `signal` for the current app; costs next to nothing when nobody listens.

    Returns what the receivers returned that is not None, for the few signals whose
    sender asks for something back (employment_ended's lines for its mail)."""
    if not signal.receivers:
        return []
    answers = signal.send(current_app._get_current_object(), **event)
    return [value for _receiver, value in answers if value is not None]
