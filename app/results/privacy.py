"""A person's bookings with their outcomes, and the outcomes a testledare recorded, in
the GDPR export and erasure (see app.accounts.privacy).

The bookings are exported here, not in app.bookings.privacy, because each carries its
outcomes and only this layer knows both.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import Person
from app.accounts.privacy import CODE, REFERENCE, Part, iso
from app.bookings.models import Booking
from app.extensions import db
from app.results.models import AreaOutcome
from app.schedule.models import ValidationSession
from app.schedule.privacy import session_entry


def _export(person: Person) -> dict:
    scalars = db.session.scalars
    bookings = scalars(
        select(Booking)
        .where(Booking.employee_id == person.id)
        .options(
            selectinload(Booking.session).selectinload(ValidationSession.model),
            selectinload(Booking.session).selectinload(ValidationSession.center),
        )
        .order_by(Booking.id)
    ).all()
    by_booking: dict[int, list] = {}
    for o in scalars(
        select(AreaOutcome)
        .where(AreaOutcome.booking_id.in_([b.id for b in bookings]))
        .order_by(AreaOutcome.id)
    ):
        by_booking.setdefault(o.booking_id, []).append(
            {
                "area": o.area.name,
                "result": o.result,
                "training": o.training,
                "recorded_at": iso(o.recorded_at),
            }
        )
    recorded = scalars(
        select(AreaOutcome)
        .where(AreaOutcome.recorded_by_id == person.id)
        .options(selectinload(AreaOutcome.booking))
        .order_by(AreaOutcome.id)
    ).all()
    return {
        "bookings": [
            {
                "id": b.id,
                **session_entry(b.session),
                "status": b.status,
                "waitlist_number": b.waitlist_number,
                "booked_at": iso(b.created_at),
                "booked_by_self": b.booked_by_id == person.id,
                "confirmed_at": iso(b.confirmed_at),
                "moved_from_booking_id": b.moved_from_id,
                "cancelled_at": iso(b.cancelled_at),
                "cancelled_by_self": b.cancelled_by_id == person.id
                if b.cancelled_by_id is not None
                else None,
                "checked_in_at": iso(b.checked_in_at),
                "updated_at": iso(b.updated_at),
                "support_needs": b.support_need_codes,
                "support_note": b.support_note,
                "result_comment": b.result_comment,
                "outcomes": by_booking.get(b.id, []),
            }
            for b in bookings
        ],
        # The participant's verdict is theirs: only that, when and where it was recorded.
        "outcomes_recorded": [
            {
                "booking_id": o.booking_id,
                "session_id": o.booking.session_id,
                "area": o.area.name,
                "recorded_at": iso(o.recorded_at),
            }
            for o in recorded
        ],
    }


def _erase(person: Person) -> None:
    own = select(Booking.id).where(Booking.employee_id == person.id)
    for outcome in db.session.scalars(select(AreaOutcome).where(AreaOutcome.booking_id.in_(own))):
        outcome.training = ""


PART = Part(
    "results",
    export=_export,
    erase=_erase,
    free_text=("area_outcome.training",),
    no_personal_text={
        "competence_area.code": REFERENCE,
        "competence_area.name": REFERENCE,
        "area_outcome.result": CODE,
    },
)
