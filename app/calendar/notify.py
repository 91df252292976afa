"""Tell people's calendars about changes, inside the transaction that made them.

Each person's event is compared with what they were last sent (the entry's
fingerprint): only a change they can see raises SEQUENCE and queues a message, so
one employee's cancellation never touches anyone else's invite.
"""

import hashlib

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Person
from app.bookings.models import SEAT_STATUSES, Booking
from app.calendar import events
from app.calendar.ics import EventData, calendar_bytes
from app.calendar.mail import compose
from app.calendar.models import CalendarEntry
from app.calendar.outbox import enqueue
from app.db import utcnow
from app.extensions import db
from app.formatting import time_span
from app.i18n import speaking_to
from app.schedule.models import ValidationSession


def _subject(reason: str, session: ValidationSession) -> str:
    what = f"{session.model.name}, {time_span(session.starts_at, session.ends_at)}"
    titles = {
        "booked": _("Bokningsbekräftelse: %(what)s", what=what),
        "promoted": _("Du har fått en plats: %(what)s", what=what),
        "moved": _("Din bokning är flyttad: %(what)s", what=what),
        "session_changed": _("Ändrad tid eller plats: %(what)s", what=what),
        "cancelled": _("Avbokad: %(what)s", what=what),
        "session_cancelled": _("Inställt: %(what)s", what=what),
        "assigned": _("Nytt pass som testledare: %(what)s", what=what),
        "unassigned": _("Du är inte längre testledare: %(what)s", what=what),
        "waitlisted": _("Du står i kö: %(what)s", what=what),
        "waitlist_cancelled": _("Inställt, din köplats är borttagen: %(what)s", what=what),
        "reminder": _("Påminnelse: %(what)s", what=what),
    }
    return titles[reason]


def _intro(reason: str) -> str:
    texts = {
        "booked": _("Du har en plats. Kalenderinbjudan är bifogad."),
        "promoted": _("En plats blev ledig och den är nu din. Kalenderinbjudan är bifogad."),
        "moved": _("Din bokning är flyttad till den nya tiden nedan. Kalendern uppdateras."),
        "session_changed": _("Testcentret har ändrat passet. Kalendern uppdateras."),
        "cancelled": _("Din plats är avbokad och tas bort ur kalendern."),
        "session_cancelled": _("Testcentret har ställt in passet. Det tas bort ur kalendern."),
        "assigned": _("Du är testledare för passet nedan."),
        "unassigned": _("Passet nedan har fått en annan testledare och tas bort ur din kalender."),
        "waitlisted": _(
            "Passet är fullt och du står i kö. Blir en plats ledig får du den och ett nytt mejl."
        ),
        "waitlist_cancelled": _("Testcentret har ställt in passet du stod i kö till."),
        "reminder": _("Välkommen till din validering."),
    }
    return texts[reason]


def mail_for(
    person: Person,
    reason: str,
    session: ValidationSession,
    event: EventData | None,
    method: str | None,
):
    """The e-mail about one event: text and HTML from the same data as the invite.

    Written in the recipient's language, whoever's request caused it.
    """
    with speaking_to(person):
        return _compose_mail(person, reason, session, event, method)


def _compose_mail(person, reason, session, event, method):
    context = {
        "person": person,
        "intro": _intro(reason),
        "session": session,
        "when": time_span(session.starts_at, session.ends_at),
        "place": events.location(session),
        "details": event.description
        if event
        else events.participant_description(session)
        if reason == "reminder"
        else None,
        "cancelled": event is not None and event.cancelled,
    }
    calendar = calendar_bytes([event], method=method) if event and method else None
    return compose(
        (person.name, person.email),
        _subject(reason, session),
        render_template("calendar/mail/message.txt", **context),
        render_template("calendar/mail/message.html", **context),
        calendar=calendar,
        method=method,
        reply_to=session.center.contact_email,
    )


def _fingerprint(event: EventData) -> str:
    seen = (event.starts_at, event.ends_at, event.summary, event.location, event.cancelled)
    return hashlib.sha256(repr(seen).encode()).hexdigest()


def _deliver(
    entry: CalendarEntry, event_for, reason: str, session: ValidationSession, cancelled: bool
) -> None:
    """Queue REQUEST or CANCEL if what the person would see differs from what they saw."""
    with speaking_to(entry.person):
        event = event_for(entry, cancelled)
    fingerprint = _fingerprint(event)
    if fingerprint == entry.fingerprint:
        return
    if entry.fingerprint:  # they were told before: this is an update
        entry.sequence += 1
    entry.fingerprint = fingerprint
    entry.cancelled = cancelled
    entry.updated_at = utcnow()
    db.session.flush()
    if session.ends_at <= utcnow():
        return  # nobody needs an invite for what is already over
    with speaking_to(entry.person):
        event = event_for(entry, cancelled)  # again: SEQUENCE may have risen
    message = mail_for(entry.person, reason, session, event, "CANCEL" if cancelled else "REQUEST")
    enqueue(message, kind=reason, recipient=entry.person.email)


def _participant_entry(booking: Booking) -> CalendarEntry | None:
    return db.session.scalar(select(CalendarEntry).where(CalendarEntry.booking_id == booking.id))


def booking_changed(booking: Booking, reason: str) -> None:
    """After a booking, promotion, cancellation or session change, for that employee only."""
    session = booking.session
    if booking.status == "waitlisted":
        if reason == "waitlisted" and session.ends_at > utcnow():
            message = mail_for(booking.employee, reason, session, None, None)
            enqueue(message, reason, booking.employee.email)
        return
    entry = _participant_entry(booking)
    if entry is None:
        if booking.status not in SEAT_STATUSES or session.status != "scheduled":
            return  # never had a seat: nothing in their calendar to take away
        entry = CalendarEntry(
            uid=events.seat_uid(booking.id),
            role="participant",
            person=booking.employee,
            session_id=session.id,
            booking_id=booking.id,
            fingerprint="",
        )
        db.session.add(entry)
    cancelled = booking.status == "cancelled" or session.status == "cancelled"
    _deliver(
        entry,
        lambda e, c: events.participant_event(booking, e, cancelled=c),
        reason,
        session,
        cancelled,
    )


def booking_moved(old: Booking, new: Booking) -> None:
    """The seat keeps its UID: the employee's event moves instead of being duplicated."""
    entry = _participant_entry(old)
    if entry is not None:
        entry.booking_id = None
        db.session.flush()  # booking_id is unique
        entry.booking_id, entry.session_id = new.id, new.session_id
    booking_changed(new, "moved")


def _assessor_entries(session: ValidationSession) -> list[CalendarEntry]:
    return list(
        db.session.scalars(
            select(CalendarEntry).where(
                CalendarEntry.session_id == session.id, CalendarEntry.role == "assessor"
            )
        )
    )


def _sync_assessors(session: ValidationSession, reason: str) -> None:
    entries = {e.person_id: e for e in _assessor_entries(session)}
    current = entries.pop(session.assessor_id, None)
    for former in entries.values():  # someone else took over: theirs is cancelled
        _deliver(
            former,
            lambda e, c: events.assessor_event(session, e, cancelled=c),
            "unassigned",
            session,
            cancelled=True,
        )
    if current is None:
        current = CalendarEntry(
            uid=events.assessor_uid(session.id, session.assessor_id),
            role="assessor",
            person=session.assessor,
            session_id=session.id,
            fingerprint="",
        )
        db.session.add(current)
        reason = "assigned" if reason != "session_cancelled" else reason
    cancelled = session.status == "cancelled"
    _deliver(
        current,
        lambda e, c: events.assessor_event(session, e, cancelled=c),
        reason,
        session,
        cancelled,
    )


def session_created(session: ValidationSession) -> None:
    _sync_assessors(session, "assigned")


def session_changed(session: ValidationSession) -> None:
    """New time or testledare: everyone with a seat and the testledare get an update."""
    _sync_assessors(session, "session_changed")
    seated = db.session.scalars(
        select(Booking).where(Booking.session_id == session.id, Booking.status.in_(SEAT_STATUSES))
    ).all()
    for booking in seated:
        booking_changed(booking, "session_changed")


def session_cancelled(session: ValidationSession, waitlisted: list[Booking]) -> None:
    """Everyone who had the session in their calendar gets a CANCEL; the queue is told."""
    _sync_assessors(session, "session_cancelled")
    entries = db.session.scalars(
        select(CalendarEntry).where(
            CalendarEntry.session_id == session.id,
            CalendarEntry.role == "participant",
            CalendarEntry.cancelled.is_(False),
        )
    ).all()
    for entry in entries:
        booking_changed(db.session.get(Booking, entry.booking_id), "session_cancelled")
    if session.ends_at <= utcnow():
        return
    for booking in waitlisted:
        enqueue(
            mail_for(booking.employee, "waitlist_cancelled", session, None, None),
            "waitlist_cancelled",
            booking.employee.email,
        )
