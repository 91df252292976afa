"""What a page of someone's bookings shows: the employee's own, or a coordinator's
view of one employee. Both read the same figures in the same few queries."""

from dataclasses import dataclass
from datetime import datetime

from app.bookings.models import BookingStatus
from app.bookings.queries import bookings_of
from app.bookings.services import BookingWindow, waitlist_positions
from app.db import utcnow
from app.results.company_validations import approved_counts, area_counts


@dataclass(frozen=True)
class ResultSummary:
    """A recorded result as the coordinator's validations show it: x of n areas."""

    approved: int
    areas: int

    @property
    def all_approved(self) -> bool:
        return self.approved == self.areas


def booking_overview(person_id: int, now: datetime | None = None) -> dict:
    now = now or utcnow()
    bookings = bookings_of(person_id)
    # Until its session ends a booking is upcoming, checked in (attended) or not: it is
    # done (Genomförd) only once the session has ended. The next one first; the history
    # keeps the newest first.
    upcoming = [
        b for b in bookings if b.status != BookingStatus.CANCELLED and b.session.ends_at > now
    ][::-1]
    approved = approved_counts([b.id for b in bookings if b.status == BookingStatus.ATTENDED])
    with_results = [b for b in bookings if b.id in approved]
    areas = area_counts({b.session.model_id for b in with_results}) if with_results else {}
    results = {
        b.id: ResultSummary(approved[b.id], areas.get(b.session.model_id, 0)) for b in with_results
    }
    return {
        "upcoming": upcoming,
        "history": [b for b in bookings if b not in upcoming],
        "positions": waitlist_positions(bookings),
        "deadlines": {b.id: BookingWindow.for_session(b.session).cancel_deadline for b in bookings},
        "now": now,
        "with_results": set(results),
        # Also on a session still running: results may be recorded from its start.
        "results": results,
        # A booking moved to another session is shown as moved there, not as cancelled.
        "moved_to": {b.moved_from_id: b for b in bookings if b.moved_from_id is not None},
    }
