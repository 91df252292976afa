"""Moving and cancelling a planned session, which carries its bookings along.

A move keeps every seat, so it is checked against the seats taken; a cancellation
ends every live booking with the session. Both run under the planning rules of
app.schedule.planning and hold the session's row locked as a booking does, so no
seat is taken or given up while the session changes.
"""

from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import select

from app import domain_events
from app.accounts.models import Person
from app.audit import services as audit
from app.bookings.models import Booking, BookingEvent, BookingEventKind, BookingStatus
from app.bookings.services import HELD, fill_free_seats, lock_session
from app.centers.services import lock_center
from app.db import unit_of_work, utcnow
from app.errors import DomainError, NotFound
from app.extensions import db
from app.schedule.models import SessionStatus, ValidationSession
from app.schedule.planning import lock_assessor, may_plan, plan_session

# The audit action of a session given another testledare at the same time.
ASSESSOR_CHANGED = "assessor changed"


def _locked_session(session_id: int, actor: Person) -> ValidationSession:
    session = lock_session(session_id)
    if not may_plan(actor, session.center_id):
        raise NotFound(_("Passet finns inte."))
    if session.status != SessionStatus.SCHEDULED:
        raise DomainError(_("Passet är redan inställt."))
    if session.starts_at <= utcnow():
        raise DomainError(_("Passet har redan börjat."))
    return session


def move_session(
    session_id: int, day: date, start: time, actor: Person, assessor_id: int | None = None
) -> ValidationSession:
    """Move a session (and maybe change testledare); the booked keep their seats."""
    with unit_of_work():
        session = _locked_session(session_id, actor)
        lock_center(session.center_id)
        assessor = lock_assessor(assessor_id or session.assessor_id)
        plan = plan_session(
            session.center, session.model, assessor, day, start, exclude_session_id=session.id
        )
        # Only a new time asks again how many fit and who is free then: a new testledare
        # alone, or the form saved as it was, changes neither seats nor participants.
        moving = (plan.starts_at, plan.ends_at) != (session.starts_at, session.ends_at)
        if moving and plan.seats < session.seats_taken:
            plan.problems.append(
                _(
                    "Bara %(seats)s platser får plats då, men %(taken)s är bokade.",
                    seats=plan.seats,
                    taken=session.seats_taken,
                )
            )
        if moving and (names := _participants_busy_then(session, plan.starts_at, plan.ends_at)):
            plan.problems.append(
                _(
                    "Deltagare har en annan bokning vid den tiden: %(names)s. Välj en annan "
                    "tid, eller be dem flytta den bokningen först.",
                    names=", ".join(names),
                )
            )
        if not plan.ok:
            raise DomainError(" ".join(plan.problems))
        was = (session.starts_at, session.ends_at)
        previous_assessor = session.assessor
        now = utcnow()
        if moving:
            session.revision += 1  # the public feed's SEQUENCE (a new testledare is not in it)
            _undo_check_ins(session, actor, now)
            session.seats = plan.seats
        session.starts_at, session.ends_at = plan.starts_at, plan.ends_at
        session.assessor = assessor
        session.changed_at = now
        db.session.flush()
        if moving:
            # More seats at the new time go to the waitlist in its order, as a freed seat
            # does, before anyone new can book one. Before the change is announced: those
            # given a seat are invited at the new time, not told that they still wait.
            fill_free_seats(session, now, actor)
        domain_events.announce(
            domain_events.session_changed,
            session=session,
            actor=actor,
            at=session.changed_at,
            was=was if was != (session.starts_at, session.ends_at) else None,
        )
        if moving:
            _reschedule_live_bookings(session, was, actor, now)
            # The earlier start, the new one and the testledare then: the log says from when
            # to when (entries before this one have no earlier start).
            detail = f"{was[0].isoformat()} → {session.starts_at.isoformat()} {assessor.name}"
            audit.record(
                actor, "session", session.id, "moved", center_id=session.center_id, detail=detail
            )
        elif previous_assessor.id != assessor.id:
            # The same time with another testledare is no move (the log called it one).
            audit.record(
                actor,
                "session",
                session.id,
                ASSESSOR_CHANGED,
                center_id=session.center_id,
                detail=f"{previous_assessor.name} → {assessor.name}",
            )
        return session


def _reschedule_live_bookings(session: ValidationSession, was: tuple, actor: Person, now) -> None:
    """Each seat and queue place now holds another time: it changed (`updated_at`, which
    an HR system's `updated_since` sync reads) and is announced, as a cancelled session's
    bookings are. Only for a new time: a booking shows no testledare."""
    live = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status.in_(HELD))
        .order_by(Booking.id)
    ).all()
    for booking in live:
        booking.updated_at = now
    db.session.flush()
    for booking in live:
        domain_events.announce(
            domain_events.booking_rescheduled, booking=booking, actor=actor, at=now, was=was
        )


def _undo_check_ins(session: ValidationSession, actor: Person, now) -> None:
    """Check-ins made for the old time (it opens an hour before the start) say nothing
    about the new one: those people hold their seats and check in again then."""
    checked_in = db.session.scalars(
        select(Booking).where(
            Booking.session_id == session.id, Booking.status == BookingStatus.ATTENDED
        )
    ).all()
    for booking in checked_in:
        booking.status = BookingStatus.CONFIRMED
        booking.checked_in_at = None
        _event(booking, BookingEventKind.UNDO_CHECKIN, actor, now, "passet flyttades")


def _event(booking: Booking, kind: BookingEventKind, actor: Person, now, note: str) -> None:
    db.session.add(BookingEvent(booking=booking, kind=kind, actor=actor, at=now, note=note))


def _participants_busy_then(session: ValidationSession, starts_at, ends_at) -> list[str]:
    """Who, of those holding a seat or a queue place in the session, holds another at the
    new time: the move would give them two at once, which no booking may. Checked in
    (before the start) counts as holding: the move makes them booked again."""
    holding = (*HELD, BookingStatus.ATTENDED)
    here = select(Booking.employee_id).where(
        Booking.session_id == session.id, Booking.status.in_(holding)
    )
    return list(
        db.session.scalars(
            select(Person.name)
            .join(Booking, Booking.employee_id == Person.id)
            .join(ValidationSession, ValidationSession.id == Booking.session_id)
            .where(
                Booking.employee_id.in_(here),
                Booking.status.in_(holding),
                Booking.session_id != session.id,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.starts_at < ends_at,
                ValidationSession.ends_at > starts_at,
            )
            .distinct()
            .order_by(Person.name)
        )
    )


def cancel_session(
    session_id: int, actor: Person, reason: str = "", closure: bool = False
) -> ValidationSession:
    """Cancel a session and every live booking in it, recorded for the invites.

    `reason` is the admin's own words for the participants; `closure`, that the center
    closed the day (app.calendar.events.cancellation_reason says both)."""
    now = utcnow()
    with unit_of_work():
        session = _locked_session(session_id, actor)
        # Checked in already (it opens an hour before the start) counts as live: the
        # session they came for is not held.
        live = db.session.scalars(
            select(Booking).where(
                Booking.session_id == session.id,
                Booking.status.in_((*HELD, BookingStatus.ATTENDED)),
            )
        ).all()
        waitlisted = [b for b in live if b.status == BookingStatus.WAITLISTED]
        for booking in live:
            booking.status = BookingStatus.CANCELLED
            booking.waitlist_number = None
            booking.cancelled_at = now
            booking.cancelled_by = actor
            note = reason[:500] or ("stängt" if closure else "passet ställdes in")
            _event(booking, BookingEventKind.CANCELLED, actor, now, note)
        session.seats_taken = 0
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = reason.strip()[:500]
        session.cancelled_for_closure = closure
        session.revision += 1
        session.changed_at = now
        db.session.flush()
        domain_events.announce(
            domain_events.session_cancelled,
            session=session,
            waitlisted=waitlisted,
            actor=actor,
            at=now,
        )
        for booking in live:
            domain_events.announce(
                domain_events.booking_cancelled,
                booking=booking,
                actor=actor,
                at=now,
                reason="session_cancelled",
            )
        audit.record(
            actor, "session", session.id, "cancelled", center_id=session.center_id, detail=reason
        )
        return session
