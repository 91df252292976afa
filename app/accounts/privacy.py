"""GDPR: everything stored about a person, and erasing a person.

Erasing keeps the person's row (with its company and roles) and their bookings and
outcomes, so the reports still count them, but removes everything that tells who
they were: name, e-mail, phone, password, free-text notes, tokens and mail.
"""

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.accounts.models import Person
from app.api.models import ApiToken
from app.audit import services as audit
from app.bookings.models import Booking, BookingEvent
from app.calendar.models import CalendarEntry, FeedToken, OutboxMessage
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.results.models import AreaOutcome
from app.schedule.models import ValidationSession

ERASED_NAME = "Borttagen person"


def _iso(value):
    return value.isoformat() if value is not None else None


def export(person: Person) -> dict:
    """Everything stored about the person, as plain JSON-ready data."""
    bookings = db.session.scalars(
        select(Booking).where(Booking.employee_id == person.id).order_by(Booking.id)
    ).all()
    outcomes = db.session.scalars(
        select(AreaOutcome)
        .where(AreaOutcome.booking_id.in_([b.id for b in bookings]))
        .order_by(AreaOutcome.id)
    ).all()
    by_booking: dict[int, list] = {}
    for o in outcomes:
        by_booking.setdefault(o.booking_id, []).append(
            {
                "area": o.area.name,
                "result": o.result,
                "training": o.training,
                "recorded_at": _iso(o.recorded_at),
            }
        )
    events = db.session.scalars(
        select(BookingEvent)
        .where(BookingEvent.booking_id.in_([b.id for b in bookings]))
        .order_by(BookingEvent.id)
    ).all()
    return {
        "person": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "company": person.company.name if person.company else None,
            "company_org_number": person.company.org_number if person.company else None,
            "roles": sorted(person.roles),
            "created_at": _iso(person.created_at),
            "active": person.active,
        },
        "bookings": [
            {
                "id": b.id,
                "validation": b.session.model.name,
                "test_center": b.session.center.name,
                "starts_at": _iso(b.session.starts_at),
                "ends_at": _iso(b.session.ends_at),
                "status": b.status,
                "booked_at": _iso(b.created_at),
                "booked_by_self": b.booked_by_id == person.id,
                "cancelled_at": _iso(b.cancelled_at),
                "checked_in_at": _iso(b.checked_in_at),
                "support_needs": b.support_need_codes,
                "support_note": b.support_note,
                "result_comment": b.result_comment,
                "outcomes": by_booking.get(b.id, []),
            }
            for b in bookings
        ],
        "booking_history": [
            {"booking_id": e.booking_id, "event": e.kind, "at": _iso(e.at), "note": e.note}
            for e in events
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in db.session.scalars(select(ApiToken).where(ApiToken.person_id == person.id))
        ],
        "calendar_feed": db.session.get(FeedToken, person.id) is not None,
        "mail": [
            {"subject": m.subject, "created_at": _iso(m.created_at), "state": m.state}
            for m in db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == person.email)
                .order_by(OutboxMessage.id)
            )
        ],
        "changes_made": [
            {"entity": a.entity, "id": a.entity_id, "action": a.action, "at": _iso(a.at)}
            for a in audit.entries_by_actor(person.id)
        ],
    }


def erase(person_id: int, actor: Person) -> Person:
    """Remove a person's personal data; their bookings and outcomes stay, anonymous."""
    if not actor.has_role("project_admin"):
        raise Forbidden()
    now = utcnow()
    with unit_of_work():
        person = db.session.get(Person, person_id)
        if person is None:
            raise NotFound(_("Personen finns inte."))
        if person.erased_at is not None:
            raise DomainError(_("Personens uppgifter är redan borttagna."))
        if person.id == actor.id:
            raise DomainError(_("Du kan inte ta bort dina egna uppgifter själv."))
        upcoming = db.session.scalar(
            select(Booking.id)
            .join(Booking.session)
            .where(
                Booking.employee_id == person.id,
                Booking.status.in_(("confirmed", "waitlisted")),
                ValidationSession.ends_at > now,
            )
            .limit(1)
        )
        if upcoming is not None:
            raise DomainError(
                _("Personen har kommande bokningar. Avboka dem först, så får kön platserna.")
            )
        old_email = person.email
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == old_email))
        db.session.execute(delete(FeedToken).where(FeedToken.person_id == person.id))
        db.session.execute(delete(ApiToken).where(ApiToken.person_id == person.id))
        db.session.execute(delete(CalendarEntry).where(CalendarEntry.person_id == person.id))
        bookings = db.session.scalars(select(Booking).where(Booking.employee_id == person.id))
        for booking in bookings:
            booking.support_note = ""
            booking.support_needs = ""
            booking.result_comment = ""
            for outcome in db.session.scalars(
                select(AreaOutcome).where(AreaOutcome.booking_id == booking.id)
            ):
                outcome.training = ""
        person.name = ERASED_NAME
        person.email = f"borttagen-{person.id}@invalid.invalid"
        person.phone = None
        person.password_hash = None
        person.active = False
        person.session_version += 1
        person.erased_at = now
        audit.record(actor, "person", person.id, "erased", at=now)
        return person
