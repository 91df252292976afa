"""GDPR: everything stored about a person, and erasing a person.

Erasing keeps the person's row (with its company and roles) and their bookings and
outcomes, so the reports still count them, but removes everything that tells who
they were: name, e-mail, phone, language, password, free-text notes, a testledare's
authorisations, availability and absences, tokens, calendar entries and mail.

What others wrote about a participant (the testledare's result comment and proposed
training) belongs to that participant and stays when its author is erased; only a
mention of the erased person's own name or address in it is replaced.
"""

import re

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Person
from app.api.models import ApiToken
from app.audit import services as audit
from app.audit.models import AuditEntry
from app.bookings.models import Booking, BookingEvent
from app.calendar.models import CalendarEntry, FeedToken, OutboxMessage
from app.centers.models import TestCenter
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.results.models import AreaOutcome
from app.schedule.models import (
    AssessorAbsence,
    AssessorAuthorisation,
    AssessorAvailability,
    ValidationSession,
)

ERASED_NAME = "Borttagen person"
# Free text in which a mention of the erased person's name or address is replaced.
FREE_TEXT_COLUMNS = (
    AuditEntry.detail,
    BookingEvent.note,
    Booking.result_comment,
    Booking.support_note,
    AreaOutcome.training,
    AssessorAbsence.reason,
)


def _iso(value):
    return value.isoformat() if value is not None else None


def _session(session: ValidationSession) -> dict:
    return {
        "session_id": session.id,
        "validation": session.model.name,
        "test_center": session.center.name,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
    }


def export(person: Person) -> dict:
    """Everything stored about the person, as plain JSON-ready data.

    Other people appear in it only as ids (a booking, a session): what the person
    did to someone else's booking is theirs, who that someone is is not. Secrets
    (password hash, token values) are never included, only that they exist.
    """
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
    booking_ids = [b.id for b in bookings]
    by_booking: dict[int, list] = {}
    for o in scalars(
        select(AreaOutcome).where(AreaOutcome.booking_id.in_(booking_ids)).order_by(AreaOutcome.id)
    ):
        by_booking.setdefault(o.booking_id, []).append(
            {
                "area": o.area.name,
                "result": o.result,
                "training": o.training,
                "recorded_at": _iso(o.recorded_at),
            }
        )
    events = scalars(
        select(BookingEvent)
        .where(BookingEvent.booking_id.in_(booking_ids))
        .order_by(BookingEvent.id)
    ).all()
    # What they did to other people's bookings: booked, cancelled, checked in, assessed.
    actions = scalars(
        select(BookingEvent)
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .where(BookingEvent.actor_id == person.id, Booking.employee_id != person.id)
        .order_by(BookingEvent.id)
    ).all()
    sessions_run = scalars(
        select(ValidationSession)
        .where(ValidationSession.assessor_id == person.id)
        .options(selectinload(ValidationSession.model), selectinload(ValidationSession.center))
        .order_by(ValidationSession.starts_at, ValidationSession.id)
    ).all()
    recorded = scalars(
        select(AreaOutcome)
        .where(AreaOutcome.recorded_by_id == person.id)
        .options(selectinload(AreaOutcome.booking))
        .order_by(AreaOutcome.id)
    ).all()
    authorisations = scalars(
        select(AssessorAuthorisation)
        .where(AssessorAuthorisation.person_id == person.id)
        .options(selectinload(AssessorAuthorisation.model))
        .order_by(AssessorAuthorisation.valid_from, AssessorAuthorisation.id)
    ).all()
    weekly = scalars(
        select(AssessorAvailability)
        .where(AssessorAvailability.person_id == person.id)
        .order_by(AssessorAvailability.weekday)
    ).all()
    absences = scalars(
        select(AssessorAbsence)
        .where(AssessorAbsence.person_id == person.id)
        .order_by(AssessorAbsence.first_day, AssessorAbsence.id)
    ).all()
    entries = scalars(
        select(CalendarEntry).where(CalendarEntry.person_id == person.id).order_by(CalendarEntry.id)
    ).all()
    feed = db.session.get(FeedToken, person.id)
    session_ids = [s.id for s in sessions_run]
    about_me = scalars(
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id),
                AuditEntry.entity.in_(("booking", "outcome"))
                & AuditEntry.entity_id.in_(booking_ids),
                (AuditEntry.entity == "session") & AuditEntry.entity_id.in_(session_ids),
            )
        )
        .order_by(AuditEntry.id)
    ).all()
    return {
        "person": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "language": person.locale,
            "company": person.company.name if person.company else None,
            "company_org_number": person.company.org_number if person.company else None,
            "home_center": person.home_center.name if person.home_center else None,
            "roles": sorted(person.roles),
            "role_grants": [
                {
                    "role": g.role,
                    "center_id": g.center_id,
                    "center": _center_name(g.center_id),
                }
                for g in sorted(person.role_grants, key=lambda g: (g.role, g.center_id or 0))
            ],
            "created_at": _iso(person.created_at),
            "active": person.active,
            "has_password": bool(person.password_hash),
        },
        "bookings": [
            {
                "id": b.id,
                **_session(b.session),
                "status": b.status,
                "waitlist_number": b.waitlist_number,
                "booked_at": _iso(b.created_at),
                "booked_by_self": b.booked_by_id == person.id,
                "confirmed_at": _iso(b.confirmed_at),
                "moved_from_booking_id": b.moved_from_id,
                "cancelled_at": _iso(b.cancelled_at),
                "cancelled_by_self": b.cancelled_by_id == person.id
                if b.cancelled_by_id is not None
                else None,
                "checked_in_at": _iso(b.checked_in_at),
                "updated_at": _iso(b.updated_at),
                "support_needs": b.support_need_codes,
                "support_note": b.support_note,
                "result_comment": b.result_comment,
                "outcomes": by_booking.get(b.id, []),
            }
            for b in bookings
        ],
        "booking_history": [
            {
                "booking_id": e.booking_id,
                "event": e.kind,
                "at": _iso(e.at),
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
                "at": _iso(e.at),
                "staff_override": e.staff_override,
            }
            for e in actions
        ],
        "assessor_authorisations": [
            {
                "validation": a.model.name,
                "valid_from": _iso(a.valid_from),
                "valid_to": _iso(a.valid_to),
            }
            for a in authorisations
        ],
        "availability": {
            "weekly": [
                {"weekday": a.weekday, "starts": _iso(a.starts), "ends": _iso(a.ends)}
                for a in weekly
            ],
            "absences": [
                {
                    "first_day": _iso(a.first_day),
                    "last_day": _iso(a.last_day),
                    "reason": a.reason,
                }
                for a in absences
            ],
        },
        "sessions_as_assessor": [
            {
                **_session(s),
                "status": s.status,
                "seats": s.seats,
                "seats_taken": s.seats_taken,
                "created_at": _iso(s.created_at),
            }
            for s in sessions_run
        ],
        # The participant's verdict is theirs: only that, when and where it was recorded.
        "outcomes_recorded": [
            {
                "booking_id": o.booking_id,
                "session_id": o.booking.session_id,
                "area": o.area.name,
                "recorded_at": _iso(o.recorded_at),
            }
            for o in recorded
        ],
        "calendar_entries": [
            {
                "uid": c.uid,
                "role": c.role,
                "session_id": c.session_id,
                "booking_id": c.booking_id,
                "sequence": c.sequence,
                "cancelled": c.cancelled,
                "updated_at": _iso(c.updated_at),
            }
            for c in entries
        ],
        "calendar_feed": feed is not None,
        "calendar_feed_created_at": _iso(feed.created_at) if feed else None,
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in scalars(
                select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.id)
            )
        ],
        "mail": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
                "state": m.state,
            }
            for m in scalars(
                select(OutboxMessage).where(_to(person.email)).order_by(OutboxMessage.id)
            )
        ],
        # Details may name others (a session moved to another testledare): left out.
        "changes_made": [
            {"entity": a.entity, "id": a.entity_id, "action": a.action, "at": _iso(a.at)}
            for a in audit.entries_by_actor(person.id)
        ],
        "changes_about_me": [
            {
                "entity": a.entity,
                "id": a.entity_id,
                "action": a.action,
                "at": _iso(a.at),
                "by_self": a.actor_id == person.id,
                "detail": a.detail if a.entity in ("booking", "outcome", "person") else None,
            }
            for a in about_me
        ],
    }


def _center_name(center_id: int | None) -> str | None:
    center = db.session.get(TestCenter, center_id) if center_id is not None else None
    return center.name if center else None


def _to(email: str):
    """Mail to the address, also if it was written in other case."""
    return or_(
        OutboxMessage.recipient == email,
        func.lower(OutboxMessage.recipient) == email.lower(),
    )


def _mention(text: str) -> re.Pattern:
    """The text as a whole word, or with a genitive s: "Anna Bergs" yes, "Anna Bergström" no."""
    return re.compile(rf"(?<!\w){re.escape(text)}(?=s?(?!\w))")


def _replace_mentions(texts: list[str]) -> None:
    """Replace the texts wherever they appear in the free-text columns, as whole words.

    LIKE narrows the rows in the database (SQLite's ignores the case of ASCII letters,
    PostgreSQL's does not); the regular expression decides, the same on both.
    """
    texts = [t for t in texts if t and len(t.strip()) >= 3]
    if not texts:
        return
    for column in FREE_TEXT_COLUMNS:
        table = column.class_
        rows = db.session.scalars(
            select(table).where(or_(*(column.contains(t, autoescape=True) for t in texts)))
        ).all()
        for row in rows:
            value = getattr(row, column.key)
            for text in texts:
                value = _mention(text).sub(ERASED_NAME, value)
            if value != getattr(row, column.key):
                setattr(row, column.key, value)


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
        # A session still to come (or running) would have nobody to run it.
        running = db.session.scalar(
            select(ValidationSession.id)
            .where(
                ValidationSession.assessor_id == person.id,
                ValidationSession.status == "scheduled",
                ValidationSession.ends_at > now,
            )
            .limit(1)
        )
        if running is not None:
            raise DomainError(
                _(
                    "Personen är testledare för kommande pass. "
                    "Byt testledare eller ställ in passen först."
                )
            )
        old_name, old_email = person.name, person.email
        db.session.execute(delete(OutboxMessage).where(_to(old_email)))
        for table in (
            FeedToken,
            ApiToken,
            CalendarEntry,
            AssessorAuthorisation,
            AssessorAvailability,
            AssessorAbsence,
        ):
            db.session.execute(delete(table).where(table.person_id == person.id))
        bookings = db.session.scalars(select(Booking).where(Booking.employee_id == person.id)).all()
        booking_ids = [b.id for b in bookings]
        for booking in bookings:
            booking.support_note = ""
            booking.support_needs = ""
            booking.result_comment = ""
        for outcome in db.session.scalars(
            select(AreaOutcome).where(AreaOutcome.booking_id.in_(booking_ids))
        ):
            outcome.training = ""
        for event in db.session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id.in_(booking_ids))
        ):
            event.note = ""
        db.session.flush()
        _replace_mentions([old_name, old_email])
        person.name = ERASED_NAME
        person.email = f"borttagen-{person.id}@invalid.invalid"
        person.phone = None
        person.locale = None
        person.home_center_id = None
        person.password_hash = None
        person.active = False
        person.session_version += 1
        person.erased_at = now
        audit.record(actor, "person", person.id, "erased", at=now)
        return person
