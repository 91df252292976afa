"""Check-in, attendance and outcomes: the testledare's work on the day and after."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app import domain_events
from app.accounts.company_scope import project_admin_sees_company
from app.accounts.models import Person, Role
from app.audit import services as audit
from app.bookings.models import (
    SEAT_STATUSES,
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingStatus,
)
from app.bookings.services import lock_session
from app.db import unit_of_work, utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.formatting import clock
from app.results.models import AreaOutcome, CompetenceArea, ModelArea, OutcomeResult
from app.schedule.models import SessionStatus, ValidationSession

# The longest proposed training (kompetensutvecklande åtgärder) of one area.
MAX_TRAINING_CHARS = 1000


def may_assess(actor: Person, session: ValidationSession) -> bool:
    """The session's own testledare, the center's admins and project admins."""
    return actor.id == session.assessor_id or actor.is_staff_for_center(session.center_id)


def may_see_results(actor: Person, booking: Booking) -> bool:
    """The employee, their company's coordinator, project admins who see the company, and
    those who may assess the session."""
    if actor.id == booking.employee_id or may_assess(actor, booking.session):
        return True
    if project_admin_sees_company(actor, booking.employee.company_id):
        return True
    return (
        actor.has_role(Role.COORDINATOR)
        and actor.company_id is not None
        and actor.company_id == booking.employee.company_id
    )


def model_areas(model_id: int) -> list[CompetenceArea]:
    return [
        row.area
        for row in db.session.scalars(
            select(ModelArea).where(ModelArea.model_id == model_id).order_by(ModelArea.position)
        )
    ]


def has_started(session: ValidationSession, now: datetime) -> bool:
    """Attendance and results can be recorded from the session's start, not before."""
    return now >= session.starts_at


def check_in_opens_at(session: ValidationSession) -> datetime:
    """Participants can be checked in from this moment (an hour before the start)."""
    return session.starts_at - timedelta(minutes=current_app.config["CHECK_IN_OPENS_MINUTES"])


def check_in_open(session: ValidationSession, now: datetime) -> bool:
    return check_in_opens_at(session) <= now <= session.ends_at


def has_ended(session: ValidationSession, now: datetime) -> bool:
    """A session is done (genomfört) only once it has ended."""
    return now >= session.ends_at


def may_undo_check_in(booking: Booking, now: datetime) -> bool:
    """A check-in can be taken back until the session ends."""
    return (
        booking.status == BookingStatus.ATTENDED
        and booking.checked_in_at is not None
        and not has_ended(booking.session, now)
    )


def _locked_booking(booking_id: int, actor: Person) -> tuple[Booking, ValidationSession]:
    """Load a booking the actor may assess, with its session's row locked."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not may_assess(actor, booking.session):
        raise NotFound(_("Bokningen finns inte."))
    session = lock_session(booking.session_id)
    db.session.refresh(booking)  # read again now that nobody else can change it
    return booking, session


def _record(booking, kind, actor, now, note=""):
    db.session.add(BookingEvent(booking=booking, kind=kind, actor=actor, at=now, note=note))
    entity = "outcome" if kind == BookingEventKind.OUTCOME else "booking"
    audit.record(
        actor, entity, booking.id, kind, center_id=booking.session.center_id, detail=note, at=now
    )


def check_in(booking_id: int, actor: Person, now: datetime | None = None) -> Booking:
    """Check a participant in on the day: they are there, so they attended."""
    now = now or utcnow()
    with unit_of_work():
        booking, session = _locked_booking(booking_id, actor)
        if now < check_in_opens_at(session):
            raise DomainError(_("Incheckningen öppnar en timme före start."))
        if now > session.ends_at:
            raise DomainError(_("Passet är slut. Registrera närvaro i stället."))
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW):
            raise DomainError(_("Bara deltagare med bekräftad plats kan checkas in."))
        booking.status = BookingStatus.ATTENDED
        booking.checked_in_at = now
        _record(booking, BookingEventKind.CHECKED_IN, actor, now)
        return booking


def undo_check_in(booking_id: int, actor: Person, now: datetime | None = None) -> Booking:
    """Take a check-in back (checked in by mistake): the seat is booked, not yet attended."""
    now = now or utcnow()
    with unit_of_work():
        booking, session = _locked_booking(booking_id, actor)
        if booking.status != BookingStatus.ATTENDED or booking.checked_in_at is None:
            raise DomainError(_("Deltagaren är inte incheckad."))
        if has_ended(session, now):
            raise DomainError(_("Passet är slut. Ändra närvaron i stället."))
        if db.session.scalar(
            select(func.count(AreaOutcome.id)).where(AreaOutcome.booking_id == booking.id)
        ):
            raise DomainError(
                _("Deltagaren har redan resultat. Ändra resultatet i stället för incheckningen.")
            )
        booking.status = BookingStatus.CONFIRMED
        booking.checked_in_at = None
        _record(booking, BookingEventKind.UNDO_CHECKIN, actor, now)
        return booking


def set_attendance(booking_id: int, status: str, actor: Person, now=None) -> Booking:
    """Record afterwards that a participant attended or did not come."""
    now = now or utcnow()
    if status not in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW):
        raise InvalidInput(_("Välj närvarande eller uteblev."))
    with unit_of_work():
        booking, session = _locked_booking(booking_id, actor)
        if now < session.starts_at:
            raise DomainError(_("Närvaro kan registreras först när passet har börjat."))
        if booking.status not in SEAT_STATUSES:
            raise DomainError(_("Bara deltagare med plats på passet har närvaro."))
        if status == BookingStatus.NO_SHOW and db.session.scalar(
            select(func.count(AreaOutcome.id)).where(AreaOutcome.booking_id == booking.id)
        ):
            raise DomainError(
                _("Deltagaren har redan resultat och kan inte markeras som utebliven.")
            )
        booking.status = BookingStatus(status)
        # The event has the name of the attendance it records.
        _record(booking, BookingEventKind(status), actor, now)
        return booking


def mark_no_shows(now: datetime | None = None) -> int:
    """Mark everyone not checked in a while after their session started as a no-show."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=current_app.config["NO_SHOW_AFTER_MINUTES"])
    with unit_of_work():
        late = db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.checked_in_at.is_(None),
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.starts_at <= cutoff,
            )
        ).all()
        for booking in late:
            # Conditional, so a check-in that just landed wins over this sweep.
            changed = db.session.execute(
                update(Booking)
                .where(Booking.id == booking.id, Booking.status == BookingStatus.CONFIRMED)
                .values(status=BookingStatus.NO_SHOW)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                _record(booking, BookingEventKind.NO_SHOW, None, now, note="automatiskt")
        return len(late)


@dataclass
class AreaVerdict:
    area_id: int
    result: str
    training: str = ""


def verdict_problem(verdict: AreaVerdict, kept: str = "") -> str | None:
    """What is wrong with one area's verdict as given, or None: the rules' own order.

    `kept`: the training stored for the area, which the form shows filled in; left as it
    was beside an area now approved, it is no typed text to lose, and goes."""
    if verdict.result not in tuple(OutcomeResult):
        return _("Okänt resultat.")
    training = verdict.training.strip()
    if verdict.result == OutcomeResult.NOT_YET:
        if not training:
            return _("Föreslå kompetensutvecklande åtgärder för områden som inte är godkända.")
        if len(training) > MAX_TRAINING_CHARS:
            return _("Högst %(n)s tecken.", n=MAX_TRAINING_CHARS)
    elif training and training != kept.strip():
        # Proposed training for an approved area would be dropped: ask rather than lose it.
        return _("Markera området Inte ännu, eller töm texten om åtgärder.")
    return None


class ResultChanged(DomainError):
    """A result form opened before the stored result last changed: saving it would
    overwrite that change unseen. Says who changed it and when."""

    def __init__(self, message, changed_by: str, changed_at: datetime):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


def _last_outcome_change(booking_id: int) -> BookingEvent | None:
    return db.session.scalar(
        select(BookingEvent)
        .where(BookingEvent.booking_id == booking_id, BookingEvent.kind == BookingEventKind.OUTCOME)
        .order_by(BookingEvent.id.desc())
        .limit(1)
    )


def result_marker(booking_id: int) -> str:
    """A marker of the booking's result as it is now, for a result form to carry: the
    number of its last recorded change, "0" while nothing is recorded."""
    last = _last_outcome_change(booking_id)
    return str(last.id) if last is not None else "0"


def record_outcomes(
    booking_id: int,
    verdicts: list[AreaVerdict],
    comment: str,
    actor: Person,
    now: datetime | None = None,
    first_only: bool = False,
    seen: str | None = None,
) -> Booking:
    """Store the verdict on every competence area of the model for one participant.

    The result form overwrites what is recorded (a deliberate edit) when it was opened
    on the result as it is: `seen` is the form's `result_marker` from when it was
    rendered, and a result changed since is refused (`ResultChanged`). A one-click
    approve-all (`first_only`), pressed on a list or page opened before someone else
    recorded a result, is refused instead of approving over their exceptions."""
    now = now or utcnow()
    with unit_of_work():
        booking, session = _locked_booking(booking_id, actor)
        if not has_started(session, now):
            raise DomainError(_("Resultat kan registreras först när passet har börjat."))
        if booking.status != BookingStatus.ATTENDED:
            raise DomainError(_("Resultat kan bara registreras för deltagare som var närvarande."))
        areas = {area.id for area in model_areas(booking.session.model_id)}
        given = {v.area_id: v for v in verdicts if v.result}
        if set(given) != areas:
            raise InvalidInput(_("Ange ett resultat för varje kompetensområde."))
        kept = stored_training(booking.id)
        for verdict in verdicts:
            problem = verdict_problem(verdict, kept.get(verdict.area_id, ""))
            if problem:
                raise InvalidInput(problem)
        # Read under the session's lock: a result saved a moment ago is seen here.
        last = _last_outcome_change(booking.id)
        if seen is not None and last is not None and seen != str(last.id):
            by = last.actor.display_name if last.actor is not None else ""
            raise ResultChanged(
                _(
                    "Resultatet har ändrats sedan du öppnade sidan, av %(name)s kl. %(time)s: "
                    "kontrollera och spara igen.",
                    name=by,
                    time=clock(last.at),
                ),
                by,
                last.at,
            )
        # Read under the session's lock: a result saved a moment ago is seen here.
        existing = {
            o.area_id: o
            for o in db.session.scalars(
                select(AreaOutcome).where(AreaOutcome.booking_id == booking.id)
            )
        }
        if first_only and existing:
            raise DomainError(
                _(
                    "Resultatet för %(name)s är redan registrerat. "
                    "Öppna resultatet för att ändra det.",
                    name=booking.employee.name,
                )
            )
        for verdict in verdicts:
            outcome = existing.get(verdict.area_id) or AreaOutcome(
                booking=booking, area_id=verdict.area_id
            )
            outcome.result = OutcomeResult(verdict.result)
            outcome.training = (
                verdict.training.strip() if verdict.result == OutcomeResult.NOT_YET else ""
            )
            outcome.recorded_by = actor
            outcome.recorded_at = now
            db.session.add(outcome)
        booking.result_comment = comment.strip()
        _record(booking, BookingEventKind.OUTCOME, actor, now)
        domain_events.announce(domain_events.result_recorded, booking=booking, actor=actor, at=now)
        return booking


def stored_training(booking_id: int) -> dict[int, str]:
    """The training stored per area of the booking's result (areas without any left out)."""
    rows = db.session.execute(
        select(AreaOutcome.area_id, AreaOutcome.training).where(
            AreaOutcome.booking_id == booking_id, AreaOutcome.training != ""
        )
    )
    return {area_id: training or "" for area_id, training in rows}


def outcomes_of(booking: Booking) -> list[AreaOutcome]:
    """The booking's outcomes in the model's order of areas."""
    order = {area.id: i for i, area in enumerate(model_areas(booking.session.model_id))}
    rows = db.session.scalars(select(AreaOutcome).where(AreaOutcome.booking_id == booking.id))
    return sorted(rows, key=lambda o: order.get(o.area_id, 999))


def no_show_counts(employee_ids: list[int]) -> dict[int, int]:
    if not employee_ids:
        return {}
    return dict(
        db.session.execute(
            select(Booking.employee_id, func.count(Booking.id))
            .where(Booking.employee_id.in_(employee_ids), Booking.status == BookingStatus.NO_SHOW)
            .group_by(Booking.employee_id)
        ).all()
    )


def bookings_with_outcomes(booking_ids: list[int]) -> set[int]:
    if not booking_ids:
        return set()
    return set(
        db.session.scalars(
            select(AreaOutcome.booking_id).where(AreaOutcome.booking_id.in_(booking_ids)).distinct()
        )
    )


def check_in_many(
    session_id: int, booking_ids: list[int], actor: Person, now: datetime | None = None
) -> list[Booking]:
    """Check the ticked participants of one session in, all or none; those already
    checked in are left as they are, so a form sent twice does no harm."""
    now = now or utcnow()
    with unit_of_work():
        done = []
        for booking_id in dict.fromkeys(booking_ids):
            booking = db.session.get(Booking, booking_id)
            if booking is None or booking.session_id != session_id:
                raise NotFound(_("Bokningen finns inte."))
            if booking.status == BookingStatus.ATTENDED and booking.checked_in_at is not None:
                continue
            done.append(check_in(booking_id, actor, now))
        return done


def not_checked_in(session_id: int) -> list[Booking]:
    """The participants with a confirmed seat who have not been checked in."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.session_id == session_id, Booking.status == BookingStatus.CONFIRMED)
            .order_by(Booking.id)
        )
    )


def mark_rest_absent(session_id: int, actor: Person, now: datetime | None = None) -> list[Booking]:
    """Mark everyone not checked in at a session that has started as not come (no-show)."""
    now = now or utcnow()
    with unit_of_work():
        session = db.session.get(ValidationSession, session_id)
        if session is None or not may_assess(actor, session):
            raise NotFound(_("Passet finns inte."))
        lock_session(session_id)
        if not has_started(session, now):
            raise DomainError(_("Närvaro kan registreras först när passet har börjat."))
        # Read under the lock: a check-in that landed first is not marked absent.
        return [
            set_attendance(b.id, BookingStatus.NO_SHOW, actor, now)
            for b in not_checked_in(session_id)
        ]
