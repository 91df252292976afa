"""A person's bookings in the GDPR export and erasure (see app.accounts.privacy).

The bookings themselves are exported with their outcomes, by app.results.privacy.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select

from app.accounts.models import Person
from app.accounts.privacy import CODE, GENERATED, Part, iso
from app.audit.models import AuditEntry
from app.bookings.models import Booking, BookingEvent, Interest
from app.bookings.queries import upcoming_live_bookings_of
from app.errors import DomainError
from app.extensions import db
from app.schedule.models import ValidationSession


def _own_booking_ids(person: Person):
    return select(Booking.id).where(Booking.employee_id == person.id)


def _export(person: Person) -> dict:
    scalars = db.session.scalars
    events = scalars(
        select(BookingEvent)
        .where(BookingEvent.booking_id.in_(_own_booking_ids(person)))
        .order_by(BookingEvent.id)
    ).all()
    # What they did to other people's bookings: booked, cancelled, checked in, assessed.
    actions = scalars(
        select(BookingEvent)
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .where(BookingEvent.actor_id == person.id, Booking.employee_id != person.id)
        .order_by(BookingEvent.id)
    ).all()
    # The log about them, their bookings (and outcomes) and the sessions they run: here,
    # the lowest layer that knows both.
    sessions_run = select(ValidationSession.id).where(ValidationSession.assessor_id == person.id)
    about_me = scalars(
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id),
                AuditEntry.entity.in_(("booking", "outcome"))
                & AuditEntry.entity_id.in_(_own_booking_ids(person)),
                (AuditEntry.entity == "session") & AuditEntry.entity_id.in_(sessions_run),
            )
        )
        .order_by(AuditEntry.id)
    ).all()
    return {
        "booking_history": [
            {
                "booking_id": e.booking_id,
                "event": e.kind,
                "at": iso(e.at),
                "by_self": e.actor_id == person.id,
                "staff_override": e.staff_override,
                "note": e.note,
            }
            for e in events
        ],
        "actions_on_others_bookings": [
            {
                "booking_id": e.booking_id,
                "event": e.kind,
                "at": iso(e.at),
                "staff_override": e.staff_override,
            }
            for e in actions
        ],
        "changes_about_me": [
            {
                "entity": a.entity,
                "id": a.entity_id,
                "action": a.action,
                "at": iso(a.at),
                "by_self": a.actor_id == person.id,
                "detail": a.detail if a.entity in ("booking", "outcome", "person") else None,
            }
            for a in about_me
        ],
    }


def _check(person: Person, now: datetime) -> None:
    # The erase page lists them (with a way to cancel each): the same query.
    if upcoming_live_bookings_of(person.id, now):
        raise DomainError(
            _("Personen har kommande bokningar. Avboka dem först, så får kön platserna.")
        )


def _erase(person: Person) -> None:
    bookings = db.session.scalars(select(Booking).where(Booking.employee_id == person.id)).all()
    for booking in bookings:
        booking.support_note = ""
        booking.support_needs = ""
        booking.result_comment = ""
    for event in db.session.scalars(
        select(BookingEvent).where(BookingEvent.booking_id.in_([b.id for b in bookings]))
    ):
        event.note = ""


PART = Part(
    "bookings",
    export=_export,
    check=_check,
    erase=_erase,
    free_text=("booking_event.note", "booking.result_comment", "booking.support_note"),
    no_personal_text={
        "booking.status": CODE,
        "booking.request_key": GENERATED,
        "booking.support_needs": "codes from a fixed list (the person's own are cleared)",
        "booking_event.kind": CODE,
    },
)


def _export_interest(person: Person) -> dict:
    rows = db.session.scalars(
        select(Interest).where(Interest.person_id == person.id).order_by(Interest.id)
    ).all()
    return {
        "interest": [
            {
                "id": i.id,
                "model": i.model.name if i.model else None,
                "family": i.family.name if i.family else None,
                "municipality": i.municipality.name,
                "max_minutes": i.max_minutes,
                "from_date": i.from_date.isoformat(),
                "to_date": i.to_date.isoformat(),
                "registered_at": iso(i.created_at),
                "registered_by_self": i.created_by_id == person.id,
                "notified_at": iso(i.notified_at) if i.notified_at else None,
                "notified_session_id": i.notified_session_id,
                "ended_at": iso(i.ended_at) if i.ended_at else None,
                "end_reason": i.end_reason,
            }
            for i in rows
        ]
    }


def _erase_interest(person: Person) -> None:
    """Their interest goes altogether: it says where and when they would validate."""
    db.session.execute(delete(Interest).where(Interest.person_id == person.id))


INTEREST_PART = Part(
    "interest",
    export=_export_interest,
    erase=_erase_interest,
    no_personal_text={"interest.end_reason": CODE},
)
