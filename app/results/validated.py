"""Who has a validation of a model already, approved or on its way, for picking a group."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, exists, or_, select

from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.results.models import AreaOutcome, OutcomeResult
from app.schedule.models import ValidationSession


def validated_or_booked(
    person_ids: Iterable[int], model_ids: Iterable[int], now: datetime
) -> set[int]:
    """The people with a live booking of one of the models in a session not yet ended,
    or an attended one in which every area recorded was approved."""
    person_ids, model_ids = list(person_ids), list(model_ids)
    if not person_ids or not model_ids:
        return set()
    outcome = AreaOutcome.booking_id == Booking.id
    approved = and_(
        Booking.status == BookingStatus.ATTENDED,
        exists().where(outcome, AreaOutcome.result == OutcomeResult.APPROVED),
        ~exists().where(outcome, AreaOutcome.result == OutcomeResult.NOT_YET),
    )
    upcoming = and_(
        Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)),
        ValidationSession.ends_at > now,
    )
    return set(
        db.session.scalars(
            select(Booking.employee_id)
            .join(Booking.session)
            .where(
                Booking.employee_id.in_(person_ids),
                ValidationSession.model_id.in_(model_ids),
                or_(upcoming, approved),
            )
            .distinct()
        )
    )
