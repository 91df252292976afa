"""Tell people's calendars about changes, inside the transaction that made them.

Each person's event is compared with what they were last sent (the entry's
fingerprint): only a change they can see raises SEQUENCE and queues a message, so
one employee's cancellation never touches anyone else's invite.
"""

import dataclasses
import hashlib
from datetime import datetime

from sqlalchemy import select, update

from app.bookings.models import SEAT_STATUSES, Booking, BookingStatus
from app.calendar import events
from app.calendar.ics import EventData
from app.calendar.letters import enqueue_letter, snapshot
from app.calendar.models import CalendarEntry, EntryRole
from app.calendar.reminders import withdraw_reminder
from app.db import utcnow
from app.extensions import db
from app.i18n import speaking_to
from app.schedule.models import SessionStatus, ValidationSession


def _fingerprint(event: EventData) -> str:
    seen = (event.starts_at, event.ends_at, event.summary, event.location, event.cancelled)
    return hashlib.sha256(repr(seen).encode()).hexdigest()


def _deliver(
    entry: CalendarEntry,
    event_for,
    reason: str,
    session: ValidationSession,
    cancelled: bool,
    was: tuple | None = None,
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
    if session.ends_at <= utcnow():
        return  # nobody needs an invite for what is already over
    # The event as the entry now stands: only its SEQUENCE and LAST-MODIFIED moved.
    event = dataclasses.replace(event, sequence=entry.sequence, last_modified=entry.updated_at)
    method = "CANCEL" if cancelled else "REQUEST"
    enqueue_letter(snapshot(entry.person, reason, session, event, method, was), kind=reason)


def _participant_entry(booking: Booking) -> CalendarEntry | None:
    return db.session.scalar(select(CalendarEntry).where(CalendarEntry.booking_id == booking.id))


def booking_changed(
    booking: Booking, reason: str, new_booking: bool = False, was: tuple | None = None
) -> None:
    """After a booking, promotion, cancellation or session change, for that employee only.

    `new_booking`: the booking was made in this unit of work, so no calendar entry can
    point at it yet (one statement less while the seat is locked).
    """
    session = booking.session
    if reason in ("cancelled", "session_cancelled", "employee_left"):
        withdraw_reminder(booking.id, session.starts_at)
    elif was:
        withdraw_reminder(booking.id, was[0])
    if booking.status == BookingStatus.WAITLISTED:
        if reason == "waitlisted" and session.ends_at > utcnow():
            enqueue_letter(snapshot(booking.employee, reason, session, None, None), reason)
        return
    entry = None if new_booking else _participant_entry(booking)
    first = entry is None
    if first:
        if booking.status not in SEAT_STATUSES or session.status != SessionStatus.SCHEDULED:
            return  # never had a seat: nothing in their calendar to take away
        entry = CalendarEntry(
            uid=events.seat_uid(booking.id),
            role=EntryRole.PARTICIPANT,
            person=booking.employee,
            person_id=booking.employee_id,
            session_id=session.id,
            booking_id=booking.id,
            sequence=0,  # set now: the invite is written before the INSERT
            fingerprint="",
        )
    cancelled = (
        booking.status == BookingStatus.CANCELLED or session.status == SessionStatus.CANCELLED
    )
    _deliver(
        entry,
        # Written now: after the deadline it says whom to ask, not how to cancel.
        lambda e, c: events.participant_event(
            booking, e, cancelled=c, now=utcnow(), left=reason == "employee_left"
        ),
        reason,
        session,
        cancelled,
        was,
    )
    if first:
        # A plain INSERT of the entry as _deliver left it, not an object for the ORM's
        # flush: this runs while the session is locked, for every new booking.
        db.session.execute(_INSERT_ENTRY, _row(entry))


_INSERT_ENTRY = CalendarEntry.__table__.insert()


def waitlist_left(booking: Booking) -> None:
    """A place in the queue was cancelled (by the employee, their coordinator or staff):
    they were told "Du står i kö", so they are told it is gone, as a cancelled seat is."""
    session = booking.session
    if session.ends_at > utcnow():
        letter = snapshot(booking.employee, "waitlist_left", session, None, None)
        enqueue_letter(letter, "waitlist_left")


def _row(entry: CalendarEntry) -> dict:
    """The entry's columns that are set (the others take their defaults)."""
    values = {c.key: getattr(entry, c.key) for c in CalendarEntry.__table__.columns}
    return {key: value for key, value in values.items() if value is not None}


def booking_moved(old: Booking, new: Booking) -> None:
    """The seat keeps its UID: the employee's event moves instead of being duplicated."""
    withdraw_reminder(old.id, old.session.starts_at)
    entry = _participant_entry(old)
    if entry is not None:
        entry.booking_id = None
        db.session.flush()  # booking_id is unique
        entry.booking_id, entry.session_id = new.id, new.session_id
    was = (old.session.starts_at, old.session.ends_at)
    booking_changed(
        new, "moved", was=was if was != (new.session.starts_at, new.session.ends_at) else None
    )


def _assessor_entries(session: ValidationSession) -> list[CalendarEntry]:
    return list(
        db.session.scalars(
            select(CalendarEntry).where(
                CalendarEntry.session_id == session.id, CalendarEntry.role == EntryRole.ASSESSOR
            )
        )
    )


def _sync_assessors(session: ValidationSession, reason: str, was: tuple | None = None) -> None:
    entries = {e.person_id: e for e in _assessor_entries(session)}
    current = entries.pop(session.assessor_id, None)
    if current is not None and current.cancelled and reason == "session_changed":
        reason = "assigned"  # given back a session they were taken off: new to them again
    for former in entries.values():  # someone else took over: theirs is cancelled
        if former.cancelled:
            # Told once: each later change would otherwise tell them again, at its new time.
            continue
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
            role=EntryRole.ASSESSOR,
            person=session.assessor,
            session_id=session.id,
            sequence=0,  # set now: the invite is written before the INSERT
            fingerprint="",
        )
        db.session.add(current)
        reason = "assigned" if reason != "session_cancelled" else reason
    cancelled = session.status == SessionStatus.CANCELLED
    _deliver(
        current,
        lambda e, c: events.assessor_event(session, e, cancelled=c),
        reason,
        session,
        cancelled,
        was if reason == "session_changed" else None,
    )


def session_created(session: ValidationSession) -> None:
    _sync_assessors(session, "assigned")


def session_changed(session: ValidationSession, was: tuple | None = None) -> None:
    """New time or testledare: everyone with a seat and the testledare get an update,
    which says the time it had (`was`) when that changed."""
    _sync_assessors(session, "session_changed", was)
    held = db.session.scalars(
        select(Booking).where(
            Booking.session_id == session.id,
            Booking.status.in_((*SEAT_STATUSES, BookingStatus.WAITLISTED)),
        )
    ).all()
    tell_queue = was is not None and session.ends_at > utcnow()
    for booking in held:
        if booking.status != BookingStatus.WAITLISTED:
            booking_changed(booking, "session_changed", was=was)
        elif tell_queue:
            # The queue has no event in their calendars, but a seat given to them later
            # would be at a time they never chose: they are told, as of a cancellation.
            letter = snapshot(booking.employee, "waitlist_moved", session, None, None, was)
            enqueue_letter(letter, "waitlist_moved")


def center_changed(center, at: datetime) -> None:
    """A center's address or contact changed: every coming session's event says it, so
    everyone with a seat and the testledare get an update, and the feeds change (the
    center feed's SEQUENCE and both feeds' validators read the session's revision and
    time of change)."""
    coming = db.session.scalars(
        select(ValidationSession).where(
            ValidationSession.center_id == center.id,
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationSession.ends_at > at,
        )
    ).all()
    for session in coming:
        session.revision += 1
        session.changed_at = at
        session_changed(session)


def language_changed(person, at: datetime) -> None:
    """Every event in the person's feed now reads in another language: their entries
    say so, so that the feed's Last-Modified moves (a client asking If-Modified-Since
    would otherwise keep the old language) and each event's LAST-MODIFIED with it.
    Nothing is mailed: the events are the same."""
    db.session.execute(
        update(CalendarEntry).where(CalendarEntry.person_id == person.id).values(updated_at=at)
    )


def session_cancelled(session: ValidationSession, waitlisted: list[Booking]) -> None:
    """Everyone who had the session in their calendar gets a CANCEL; the queue is told."""
    _sync_assessors(session, "session_cancelled")
    entries = db.session.scalars(
        select(CalendarEntry).where(
            CalendarEntry.session_id == session.id,
            CalendarEntry.role == EntryRole.PARTICIPANT,
            CalendarEntry.cancelled.is_(False),
        )
    ).all()
    for entry in entries:
        booking_changed(db.session.get(Booking, entry.booking_id), "session_cancelled")
    if session.ends_at <= utcnow():
        return
    for booking in waitlisted:
        letter = snapshot(booking.employee, "waitlist_cancelled", session, None, None)
        enqueue_letter(letter, "waitlist_cancelled")
