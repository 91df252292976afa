"""Booking, cancelling, moving and waitlist promotion.

Every function here is one unit of work. Changes to a session's bookings happen
only while that session's row is locked (SELECT ... FOR UPDATE on PostgreSQL; the
whole database on SQLite, whose write transactions start with BEGIN IMMEDIATE),
and seat counts move by conditional UPDATEs that the database checks against a
CHECK constraint, so concurrent requests cannot oversell a seat.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, insert, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from app import domain_events
from app.accounts.company_scope import project_admin_sees_company
from app.accounts.models import Person, Role
from app.audit import services as audit
from app.bookings.models import (
    SUPPORT_NEEDS,
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingStatus,
)
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, InvalidInput, NotFound, Refusal
from app.extensions import db
from app.formatting import time_span
from app.schedule.authorisations import overlapping_authorisation
from app.schedule.models import AssessorAuthorisation, SessionStatus, ValidationSession

_sessions = ValidationSession.__table__


@dataclass(frozen=True)
class BookingWindow:
    """When a session can be booked, and when employees may still cancel or move."""

    opens_at: datetime
    closes_at: datetime
    cancel_deadline: datetime

    @classmethod
    def for_session(cls, session: ValidationSession) -> "BookingWindow":
        config = current_app.config
        start = session.starts_at
        return cls(
            opens_at=start - timedelta(days=config["BOOKING_OPENS_DAYS"]),
            closes_at=start - timedelta(hours=config["BOOKING_CLOSES_HOURS"]),
            cancel_deadline=start - timedelta(hours=config["CANCEL_DEADLINE_HOURS"]),
        )

    def state(self, now: datetime) -> str:
        if now < self.opens_at:
            return "not_open"
        if now > self.closes_at:
            return "closed"
        return "open"


def bookability_problem(
    session: ValidationSession, now: datetime, assessor_authorised: bool | None = None
) -> str | None:
    """Say why the session cannot be booked now, or None when it can.

    `assessor_authorised` is for callers that looked up many sessions' testledare at
    once (see `bookability_problems`); by default it is read here.
    """
    if session.status != SessionStatus.SCHEDULED:
        return Refusal(_("Passet är inställt."), "session_cancelled")
    if session.starts_at <= now:
        return Refusal(_("Passet har redan börjat."), "session_started")
    window = BookingWindow.for_session(session)
    state = window.state(now)
    if state == "not_open":
        return Refusal(
            _("Bokningen öppnar %(days)s dagar före passet.", days=window_days()),
            "booking_not_open",
        )
    if state == "closed":
        return Refusal(
            _(
                "Bokningen stängde %(hours)s timmar före start.",
                hours=current_app.config["BOOKING_CLOSES_HOURS"],
            ),
            "booking_closed",
        )
    day = session.local_date
    if not session.center.accredited_on(day):
        return Refusal(
            _("Testcentret har ingen giltig ackreditering för passets datum."),
            "center_not_accredited",
        )
    if assessor_authorised is None:
        assessor_authorised = _assessor_authorised(session, day)
    if not assessor_authorised:
        return Refusal(
            _("Testledaren saknar giltig behörighet för valideringen det datumet."),
            "assessor_not_authorised",
        )
    return None


def bookability_problems(
    sessions: Iterable[ValidationSession], now: datetime
) -> dict[int, str | None]:
    """`bookability_problem` for many sessions, reading all authorisations in one query."""
    sessions = list(sessions)
    if not sessions:
        return {}
    grants = db.session.execute(
        select(
            AssessorAuthorisation.person_id,
            AssessorAuthorisation.model_id,
            AssessorAuthorisation.valid_from,
            AssessorAuthorisation.valid_to,
        ).where(
            AssessorAuthorisation.person_id.in_({s.assessor_id for s in sessions}),
            AssessorAuthorisation.model_id.in_({s.model_id for s in sessions}),
        )
    ).all()
    periods: dict[tuple[int, int], list] = {}
    for person_id, model_id, valid_from, valid_to in grants:
        periods.setdefault((person_id, model_id), []).append((valid_from, valid_to))

    def authorised(session: ValidationSession) -> bool:
        day = session.local_date
        return any(
            first <= day <= last
            for first, last in periods.get((session.assessor_id, session.model_id), ())
        )

    return {s.id: bookability_problem(s, now, authorised(s)) for s in sessions}


def window_days() -> int:
    return current_app.config["BOOKING_OPENS_DAYS"]


def _assessor_authorised(session: ValidationSession, day) -> bool:
    if "assessor_grants" not in inspect(session).unloaded:  # loaded with the lock
        return session.assessor_authorised_on(day)
    return overlapping_authorisation(session.assessor_id, session.model_id, day) is not None


def may_book_for(actor: Person, employee: Person) -> bool:
    """An employee books for themself; a coordinator for their company's employees; a
    project admin for anyone (one limited to named projects: their companies' people)."""
    if actor.id == employee.id:
        return True
    if project_admin_sees_company(actor, employee.company_id):
        return True
    return (
        actor.has_role(Role.COORDINATOR)
        and actor.company_id is not None
        and actor.company_id == employee.company_id
    )


# The statements a booking runs while its session is locked are built once, here:
# building one costs about as much as running it.
_LOCK_SESSION = (
    select(ValidationSession)
    .where(ValidationSession.id == bindparam("session_id"))
    # Every rule and the invite read the center, the model and the testledare's
    # authorisations: one statement under the lock instead of four. Only the
    # session's row is locked.
    .options(
        joinedload(ValidationSession.center, innerjoin=True),
        joinedload(ValidationSession.model, innerjoin=True),
        joinedload(ValidationSession.assessor_grants),
    )
    .with_for_update(of=ValidationSession)
    .execution_options(populate_existing=True)
)
_TAKE_SEAT = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("session_id"), _sessions.c.seats_taken < _sessions.c.seats)
    .values(seats_taken=_sessions.c.seats_taken + 1)
)
_NEXT_WAITLIST_NUMBER = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("session_id"))
    .values(waitlist_counter=_sessions.c.waitlist_counter + 1)
    .returning(_sessions.c.waitlist_counter)
)
# What a person holds: a seat, or a place in a queue that may become one.
HELD = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
# The booking's session is scheduled and overlaps the time from :starts_at to :ends_at.
# Asked per booking of the person (a few), by the session's key: as "session_id IN (the
# overlapping sessions)" it read every session starting before :ends_at (0.6 ms a
# booking on the 10,000-booking set, against 0.1 without it).
_OVERLAPPING = (
    select(ValidationSession.id)
    .where(
        ValidationSession.id == Booking.session_id,
        ValidationSession.status == SessionStatus.SCHEDULED,
        ValidationSession.starts_at < bindparam("ends_at"),
        ValidationSession.ends_at > bindparam("starts_at"),
    )
    .exists()
)
_CLASHING = (
    select(Booking)
    .where(
        Booking.employee_id == bindparam("employee_id"),
        Booking.status.in_(HELD),
        Booking.id != bindparam("except_id"),
        _OVERLAPPING,
    )
    .order_by(Booking.id)
    .limit(1)
)
# The booking an earlier request with the same key made, the employee's live booking in
# the session and what they hold at the same time, in one statement (a NULL key matches
# nothing).
_EARLIER_OR_LIVE = select(Booking).where(
    or_(
        and_(
            Booking.booked_by_id == bindparam("actor_id"), Booking.request_key == bindparam("key")
        ),
        and_(
            Booking.session_id == bindparam("session_id"),
            Booking.employee_id == bindparam("employee_id"),
            Booking.status != BookingStatus.CANCELLED,
        ),
        # The employee's seats and queue places at the same time elsewhere: asked here,
        # in the statement the booking makes anyway, not in one more while it holds the lock.
        and_(
            Booking.employee_id == bindparam("employee_id"),
            Booking.status.in_(HELD),
            _OVERLAPPING,
        ),
    )
)
_LIVE_BOOKING = select(Booking).where(
    Booking.session_id == bindparam("session_id"),
    Booking.employee_id == bindparam("employee_id"),
    Booking.status != BookingStatus.CANCELLED,
)


def lock_session(session_id: int) -> ValidationSession:
    found = db.session.execute(_LOCK_SESSION, {"session_id": session_id})
    session = found.unique().scalar_one_or_none()
    if session is None:
        raise NotFound(_("Passet finns inte."))
    return session


def _take_seat(session: ValidationSession) -> bool:
    """Take one free seat if there is one; the database decides, not a Python check."""
    result = db.session.execute(_TAKE_SEAT, {"session_id": session.id})
    db.session.expire(session, ["seats_taken"])
    return result.rowcount == 1


def _release_seat(session: ValidationSession) -> None:
    db.session.execute(
        update(_sessions)
        .where(_sessions.c.id == session.id)
        .values(seats_taken=_sessions.c.seats_taken - 1)
    )
    db.session.expire(session, ["seats_taken"])


def _next_waitlist_number(session: ValidationSession) -> int:
    number = db.session.execute(_NEXT_WAITLIST_NUMBER, {"session_id": session.id}).scalar_one()
    db.session.expire(session, ["waitlist_counter"])
    return number


_INSERT_EVENT = BookingEvent.__table__.insert()
_INSERT_BOOKING = insert(Booking).returning(Booking)


def _record(
    booking: Booking, kind: BookingEventKind, actor: Person | None, now: datetime, **extra
) -> None:
    # Written at once rather than added to the session: the event is never changed
    # again, and the ORM's flush of one more new object costs more than the INSERT.
    db.session.execute(
        _INSERT_EVENT,
        {
            "booking_id": booking.id,
            "kind": kind,
            "actor_id": actor.id if actor is not None else None,
            "at": now,
            **extra,
        },
    )
    audit.record(
        actor,
        "booking",
        booking.id,
        kind + (" (staff override)" if extra.get("staff_override") else ""),
        center_id=booking.session.center_id,
        detail=extra.get("note", ""),
        at=now,
    )


def _earlier_and_live(
    actor: Person, request_key: str | None, session: ValidationSession, employee_id: int
) -> tuple[Booking | None, Booking | None, Booking | None]:
    """The booking made with this request key, the employee's live one in the session,
    and one they hold in another session at the same time."""
    session_id = session.id
    found = db.session.scalars(
        _EARLIER_OR_LIVE,
        {
            "actor_id": actor.id,
            "key": request_key,
            "session_id": session_id,
            "employee_id": employee_id,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
        },
    ).all()
    earlier = next(
        (
            b
            for b in found
            if request_key and (b.booked_by_id, b.request_key) == (actor.id, request_key)
        ),
        None,
    )
    live = next(
        (
            b
            for b in found
            if b.session_id == session_id
            and b.employee_id == employee_id
            and b.status != BookingStatus.CANCELLED
        ),
        None,
    )
    # With no earlier booking, rows of another session are the overlapping ones.
    clash = next(
        (b for b in found if b.session_id != session_id and b.employee_id == employee_id),
        None,
    )
    return earlier, live, clash


def lock_holders(employee_ids: Iterable[int]) -> None:
    """Hold the employees' rows to the end of the unit of work, in id order, after the
    sessions' locks: two bookings of one person for different sessions at once (two
    tabs, two coordinators) then look for a clash one after the other. SQLite's unit of
    work holds the whole database already, so it needs no statement for it."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(
        select(Person.id)
        .where(Person.id.in_(sorted(set(employee_ids))))
        .order_by(Person.id)
        .with_for_update()
    )


def _clashing(employee_id: int, session: ValidationSession, except_id: int) -> Booking | None:
    """A seat or queue place the employee holds in a session overlapping this one."""
    return db.session.scalar(
        _CLASHING,
        {
            "employee_id": employee_id,
            "except_id": except_id,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
        },
    )


def _clash(other: Booking, actor: Person) -> DomainError:
    """The refusal of a second seat at the same time, to the person or to whoever books
    for them, naming what they hold: a seat, or a place in a queue."""
    what = {
        "model": other.session.model.name,
        "when": time_span(other.session.starts_at, other.session.ends_at),
        "name": other.employee.name,
    }
    own = other.employee_id == actor.id
    if other.status == BookingStatus.WAITLISTED:
        message = (
            _("Du står i kö till %(model)s samtidigt, %(when)s. Lämna kön först.", **what)
            if own
            else _(
                "%(name)s står i kö till %(model)s samtidigt, %(when)s. Lämna kön först.",
                **what,
            )
        )
    else:
        message = (
            _(
                "Du har redan en bokning samtidigt: %(model)s, %(when)s. "
                "Avboka eller flytta den först.",
                **what,
            )
            if own
            else _(
                "%(name)s har redan en bokning samtidigt: %(model)s, %(when)s. "
                "Avboka eller flytta den först.",
                **what,
            )
        )
    return DomainError(message, "time_clash")


def _live_booking(session_id: int, employee_id: int) -> Booking | None:
    return db.session.scalar(_LIVE_BOOKING, {"session_id": session_id, "employee_id": employee_id})


def _add_booking(
    session: ValidationSession,
    employee: Person,
    actor: Person,
    now: datetime,
    request_key: str | None = None,
    moved_from: Booking | None = None,
    support_needs: str = "",
    support_note: str = "",
) -> Booking:
    """Seat the employee if a seat is free, otherwise put them last on the waitlist."""
    row = {
        "session_id": session.id,
        "employee_id": employee.id,
        "booked_by_id": actor.id,
        "request_key": request_key,
        "moved_from_id": moved_from.id if moved_from is not None else None,
        "created_at": now,
        "updated_at": now,
        "support_needs": support_needs,
        "support_note": support_note,
        "status": BookingStatus.CONFIRMED,
        "confirmed_at": now,
        "waitlist_number": None,
    }
    if not _take_seat(session):
        row.update(status=BookingStatus.WAITLISTED, confirmed_at=None)
        row["waitlist_number"] = _next_waitlist_number(session)
    try:
        # An INSERT that returns the new booking as an object of the session: the
        # unit-of-work flush of one new object cost about a tenth of the booking.
        booking = db.session.scalars(_INSERT_BOOKING, [row]).one()
    except IntegrityError as error:  # a constraint caught what the checks above missed
        raise DomainError(
            _("Bokningen krockade med en annan ändring. Försök igen."), "concurrent_change"
        ) from error
    kind = BookingEventKind.BOOKED
    if booking.status == BookingStatus.WAITLISTED:
        kind = BookingEventKind.WAITLISTED
    _record(booking, kind, actor, now)
    return booking


def fill_free_seats(session: ValidationSession, now: datetime, actor: Person | None) -> list:
    """Give free seats to the waitlist in order; the caller holds the session lock."""
    promoted = []
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= now:
        return promoted
    while True:
        first = db.session.scalar(
            select(Booking)
            .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.waitlist_number)
            .limit(1)
        )
        if first is None or not _take_seat(session):
            return promoted
        first.status = BookingStatus.CONFIRMED
        first.waitlist_number = None
        first.confirmed_at = now
        _record(first, BookingEventKind.PROMOTED, actor, now)
        db.session.flush()
        domain_events.announce(domain_events.booking_promoted, booking=first, actor=actor, at=now)
        promoted.append(first)


def _already_there(existing: Booking, actor: Person) -> DomainError:
    """The person holds a seat or a queue place in the session: said to whoever booked,
    naming the person when it is someone else (a coordinator booking for them)."""
    own = existing.employee_id == actor.id
    if existing.status == BookingStatus.WAITLISTED:
        if own:
            return DomainError(_("Du står redan i kö till det här passet."), "already_waitlisted")
        return DomainError(
            _("%(name)s står redan i kö till det här passet.", name=existing.employee.name),
            "already_waitlisted",
        )
    if own:
        return DomainError(_("Du har redan en plats på det här passet."), "already_booked")
    return DomainError(
        _("%(name)s har redan en plats på det här passet.", name=existing.employee.name),
        "already_booked",
    )


def book_seat(
    session_id: int,
    employee: Person,
    actor: Person,
    request_key: str | None = None,
    now: datetime | None = None,
    support_needs: Iterable[str] = (),
    support_note: str = "",
) -> Booking:
    """Book a seat in a session, or a place on its waitlist when it is full.

    A repeated request with the same request key returns the booking the first one
    made instead of failing or booking twice. Support needs count against the
    session's limit of such seats, checked under the session's lock.
    """
    now = now or utcnow()
    with unit_of_work():
        # Who books for whom does not depend on the session: read (the people reload in
        # this transaction) before its lock, which a burst of bookers queues for.
        if not may_book_for(actor, employee):
            raise Forbidden(_("Du kan inte boka åt den personen."))
        if not employee.has_role(Role.EMPLOYEE) or not employee.is_active:
            raise DomainError(_("Bara deltagare med aktivt konto kan bokas."), "employee_inactive")
        session = lock_session(session_id)
        lock_holders([employee.id])
        earlier, existing, clash = _earlier_and_live(actor, request_key, session, employee.id)
        if earlier is not None:
            if earlier.session_id != session.id or earlier.employee_id != employee.id:
                raise DomainError(_("Formuläret har redan använts. Ladda om sidan."))
            if earlier.status == BookingStatus.CANCELLED:
                # The form was sent again (a reload, a page from history) after the
                # booking it made was moved (said where to) or cancelled.
                if (gone := no_longer_live(earlier)).code == "already_moved":
                    raise gone
                raise DomainError(
                    _(
                        "Bokningen som formuläret gjorde är avbokad sedan dess. Vill du "
                        "boka igen: ladda om sidan och boka på nytt."
                    )
                )
            return earlier
        if problem := bookability_problem(session, now):
            raise DomainError(problem)
        if existing:
            raise _already_there(existing, actor)
        if clash:
            raise _clash(clash, actor)
        needs = _support_needs(support_needs)
        if needs:
            _check_support_seats(session)
        booking = _add_booking(
            session,
            employee,
            actor,
            now,
            request_key=request_key,
            support_needs=",".join(needs),
            support_note=support_note.strip(),
        )
        domain_events.announce(domain_events.booking_created, booking=booking, actor=actor, at=now)
        return booking


def _support_needs(codes: Iterable[str]) -> list[str]:
    needs = sorted(set(codes))
    if unknown := set(needs) - set(SUPPORT_NEEDS):
        raise InvalidInput(_("Okänt stödbehov: %(codes)s", codes=", ".join(sorted(unknown))))
    return needs


def _check_support_seats(session: ValidationSession) -> None:
    """Refuse one more participant with support needs when the session's limit is reached."""
    if session.support_seats is None:
        return
    taken = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.session_id == session.id,
            Booking.status != BookingStatus.CANCELLED,
            Booking.support_needs != "",
        )
    )
    if taken >= session.support_seats:
        raise DomainError(
            _(
                "Passet kan inte ta emot fler deltagare med stödbehov. "
                "Välj ett annat pass eller kontakta testcentret."
            ),
            "support_seats_full",
        )


def no_longer_live(booking: Booking) -> DomainError:
    """Why a booking cannot be changed any more, for a page opened before it was: a
    moved booking says where it went, not that it was cancelled, and one whose
    attendance is recorded (attended or no-show) says so."""
    if booking.status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW):
        return DomainError(
            _(
                "Närvaron på passet är redan registrerad, så bokningen kan inte längre "
                "avbokas eller flyttas."
            ),
            "attendance_recorded",
        )
    moved = db.session.scalar(select(Booking).where(Booking.moved_from_id == booking.id))
    if moved is not None:
        return DomainError(
            _(
                "Bokningen är redan flyttad till %(when)s, %(center)s.",
                when=time_span(moved.session.starts_at, moved.session.ends_at),
                center=moved.session.center.name,
            ),
            "already_moved",
        )
    return DomainError(_("Bokningen är redan avbokad."), "already_cancelled")


def _check_may_change(booking: Booking, actor: Person, now: datetime) -> bool:
    """Check the actor may cancel or move the booking now; tell if it is a staff override."""
    session = booking.session
    staff = actor.is_staff_for_center(session.center_id)
    if not (staff or may_book_for(actor, booking.employee)):
        raise NotFound(_("Bokningen finns inte."))
    if not booking.is_live:
        raise no_longer_live(booking)
    if session.starts_at <= now:
        raise DomainError(
            _("Passet har redan börjat och kan inte längre ändras."), "session_started"
        )
    deadline = BookingWindow.for_session(session).cancel_deadline
    if now <= deadline:
        return False
    if staff:
        return True
    raise DomainError(
        _(
            "Sista dag att avboka eller flytta har passerat (%(hours)s timmar före start). "
            "Kontakta testcentret.",
            hours=current_app.config["CANCEL_DEADLINE_HOURS"],
        ),
        "deadline_passed",
    )


def check_may_move(booking: Booking, actor: Person, now: datetime | None = None) -> bool:
    """Check, before offering sessions to move to, that the actor may move the booking
    now (the same rules as cancelling); tell if it is a staff override."""
    return _check_may_change(booking, actor, now or utcnow())


def _get_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id, populate_existing=True)
    if booking is None:
        raise NotFound(_("Bokningen finns inte."))
    return booking


def _end_booking(booking: Booking, actor: Person, now: datetime) -> list[Booking]:
    """End a booking; return whom the freed seat went to from the waitlist."""
    held_seat = booking.holds_seat
    booking.status = BookingStatus.CANCELLED
    booking.waitlist_number = None
    booking.cancelled_at = now
    booking.cancelled_by = actor
    db.session.flush()
    if held_seat:
        _release_seat(booking.session)
        return fill_free_seats(booking.session, now, actor)
    return []


@dataclass(frozen=True)
class CancelPreview:
    """What cancelling a booking would do, for the question asked before it is done."""

    booking: Booking
    holds_seat: bool
    waiting: int  # how many stand in the session's queue
    rebook_until: datetime | None  # the session can be booked again until then, if at all
    staff_override: bool  # staff acting after the employees' own deadline
    rebook_from: datetime | None = None  # when booking opens, if it has not yet


@dataclass(frozen=True)
class Cancellation:
    """A cancelled booking, and who got its seat from the waitlist (nobody: empty)."""

    booking: Booking
    held_seat: bool
    promoted: list[Booking]
    rebook_until: datetime | None
    rebook_from: datetime | None = None


def _rebooking(session: ValidationSession, now: datetime) -> dict:
    """When the session could be booked again: from (None: now) and until (None: never).

    A session moved further ahead than bookings open for can be booked again only once
    they open: saying "until" alone would promise a seat the booking then refuses."""
    window = BookingWindow.for_session(session)
    state = window.state(now)
    if session.status != SessionStatus.SCHEDULED or state == "closed":
        return {"rebook_until": None, "rebook_from": None}
    return {
        "rebook_until": window.closes_at,
        "rebook_from": window.opens_at if state == "not_open" else None,
    }


def cancel_preview(booking_id: int, actor: Person, now: datetime | None = None) -> CancelPreview:
    """Check the actor may cancel now and say what would follow; nothing is changed."""
    now = now or utcnow()
    booking = _get_booking(booking_id)
    override = _check_may_change(booking, actor, now)
    waiting = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.session_id == booking.session_id,
            Booking.status == BookingStatus.WAITLISTED,
            Booking.id != booking.id,
        )
    )
    return CancelPreview(
        booking=booking,
        holds_seat=booking.holds_seat,
        waiting=waiting,
        staff_override=override,
        **_rebooking(booking.session, now),
    )


def cancel_and_report(
    booking_id: int,
    actor: Person,
    now: datetime | None = None,
    note: str = "",
    employee_left: bool = False,
) -> Cancellation:
    """Cancel a booking; a freed seat goes to the first on the waitlist at once.

    `note` says how, in the booking's history and the audit log (a calendar reply).
    `employee_left`: the employee has left their company (app.bookings.leavers); the
    coordinator may then cancel after the deadline too, until the session starts."""
    now = now or utcnow()
    with unit_of_work():
        session_id = _get_booking(booking_id).session_id
        lock_session(session_id)
        booking = _get_booking(booking_id)
        if employee_left and booking.is_live and booking.session.starts_at > now:
            override = now > BookingWindow.for_session(booking.session).cancel_deadline
        else:
            override = _check_may_change(booking, actor, now)
        held_seat = booking.holds_seat
        promoted = _end_booking(booking, actor, now)
        _record(booking, BookingEventKind.CANCELLED, actor, now, staff_override=override, note=note)
        domain_events.announce(
            domain_events.booking_cancelled,
            booking=booking,
            actor=actor,
            at=now,
            reason="cancelled",
            held_seat=held_seat,
            employee_left=employee_left,
        )
        return Cancellation(booking, held_seat, promoted, **_rebooking(booking.session, now))


def cancel_booking(
    booking_id: int, actor: Person, now: datetime | None = None, note: str = ""
) -> Booking:
    """Cancel a booking; a freed seat goes to the first on the waitlist at once."""
    return cancel_and_report(booking_id, actor, now, note=note).booking


def move_booking(
    booking_id: int, target_session_id: int, actor: Person, now: datetime | None = None
) -> Booking:
    """Move a booking to another session of the same model, in one transaction.

    The new seat is taken before the old one is given up; if the target has no free
    seat nothing changes, so the employee is never left without either.
    """
    now = now or utcnow()
    with unit_of_work():
        source_id = _get_booking(booking_id).session_id
        if source_id == target_session_id:
            raise DomainError(_("Välj ett annat pass än det du redan har."), "same_session")
        # Lock both sessions in id order so two crossing moves cannot deadlock.
        locked = {sid: lock_session(sid) for sid in sorted((source_id, target_session_id))}
        booking = _get_booking(booking_id)
        lock_holders([booking.employee_id])
        target = locked[target_session_id]
        override = _check_may_change(booking, actor, now)
        if target.model_id != booking.session.model_id:
            raise DomainError(
                _("Du kan bara flytta till ett pass med samma validering."), "different_model"
            )
        if problem := bookability_problem(target, now):
            raise DomainError(problem)
        if _live_booking(target.id, booking.employee_id):
            raise DomainError(_("Du har redan en bokning på det passet."), "already_booked")
        if clash := _clashing(booking.employee_id, target, except_id=booking.id):
            raise _clash(clash, actor)
        if booking.support_needs:
            _check_support_seats(target)
        moved = _add_booking(
            target,
            booking.employee,
            actor,
            now,
            moved_from=booking,
            support_needs=booking.support_needs,
            support_note=booking.support_note,
        )
        if moved.status != BookingStatus.CONFIRMED:
            raise DomainError(
                _("Passet du valde är fullt. Din nuvarande bokning är kvar som den var."),
                "session_full",
            )
        _end_booking(booking, actor, now)
        _record(
            booking,
            BookingEventKind.MOVED,
            actor,
            now,
            staff_override=override,
            note=f"→ {target.id}",
        )
        domain_events.announce(
            domain_events.booking_moved, booking=moved, previous=booking, actor=actor, at=now
        )
        return moved


def waitlist_positions(bookings: Iterable[Booking]) -> dict[int, int]:
    """The queue places of many waitlisted bookings, in one query: {booking id: place}."""
    ids = [b.id for b in bookings if b.status == BookingStatus.WAITLISTED]
    if not ids:
        return {}
    ahead = aliased(Booking)
    rows = db.session.execute(
        select(Booking.id, func.count(ahead.id))
        .outerjoin(
            ahead,
            and_(
                ahead.session_id == Booking.session_id,
                ahead.status == BookingStatus.WAITLISTED,
                ahead.waitlist_number < Booking.waitlist_number,
            ),
        )
        .where(Booking.id.in_(ids))
        .group_by(Booking.id)
    )
    return {booking_id: count + 1 for booking_id, count in rows}


def waitlist_position(booking: Booking) -> int | None:
    """The booking's place in the queue, counting from 1, or None if it is not queued."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.session_id == booking.session_id,
            Booking.status == BookingStatus.WAITLISTED,
            Booking.waitlist_number < booking.waitlist_number,
        )
    )
    return ahead + 1
