"""Interest when nothing fits: an employee would validate in a model, near a place, in a period.

Registered by the employee or by their company's coordinator (for several at once).
When a session is planned that matches (the same model, or any level of the family the
interest names; a day inside the period; a center within the interest's travel time of
its municipality, app.regions.travel), each interested person is
mailed once, with a link to the session; the interest then stays for the planners'
counts but is never mailed again. It ends when the person books the model (a seat,
not a waitlist place), withdraws it, leaves their company, or its period passes (read
as ended at once, and swept in the send-mail round). When the center cancels the
session whose seat ended it (or closes that day), it is live again and told about the
next matching session.

Receivers of the domain events are connected in create_app (`connect`).
"""

from collections.abc import Iterable
from datetime import date, datetime

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from app import domain_events
from app.accounts.models import Person, Role
from app.bookings.models import (
    INTEREST_DEFAULT_MINUTES,
    INTEREST_MAX_DAYS,
    Booking,
    BookingStatus,
    Interest,
    InterestEnd,
)
from app.bookings.services import BookingWindow, may_book_for
from app.db import unit_of_work, utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.formatting import long_date, time_span, travel_duration
from app.i18n import speaking_to
from app.mail.compose import compose
from app.mail.outbox import enqueue
from app.regions.models import Municipality
from app.regions.travel import travel_minutes_from
from app.schedule.models import ModelFamily, SessionStatus, ValidationModel, ValidationSession
from app.timeutil import local_date

_interests = Interest.__table__


class InterestOverlaps(DomainError):
    """Someone already has live interest in the model covering some of the days."""

    status_code = 409
    code = "interest_exists"

    def __init__(self, message: str, people: list[Person]):
        super().__init__(message)
        self.people = people


def today() -> date:
    return local_date(utcnow())


def period_problem(from_date: date | None, to_date: date | None, on: date) -> str | None:
    """Why the period cannot be registered, or None: not past, starting within a year, to
    after from, a year at most."""
    if from_date is None or to_date is None:
        return _("Ange både första och sista dag.")
    if from_date < on:
        return _("Perioden kan inte börja före i dag.")
    if (from_date - on).days >= INTEREST_MAX_DAYS:
        # No session is planned that far ahead; the API's dates have no other bound.
        return _("Perioden måste börja inom ett år.")
    if to_date < from_date:
        return _("Sista dagen ligger före första dagen.")
    if (to_date - from_date).days >= INTEREST_MAX_DAYS:
        return _("Perioden kan vara högst ett år.")
    return None


def _live_on(on: date):
    """Live interest: not ended, and the period not yet passed (expiry is read, not waited for)."""
    return and_(Interest.ended_at.is_(None), Interest.to_date >= on)


def lock_people(ids: list[int]) -> None:
    """Lock the people's rows for the rest of the unit of work, in id order.

    Each person's row is the lock for their interests: two registrations for the same
    person wait for each other, so the overlap check after it holds (on SQLite the
    unit of work holds the whole database already).
    """
    db.session.execute(
        select(Person.id).where(Person.id.in_(ids)).order_by(Person.id).with_for_update()
    )


def register_interest(
    people: Iterable[Person],
    model_id: int | None,
    municipality_id: int,
    from_date: date,
    to_date: date,
    actor: Person,
    family_id: int | None = None,
    max_minutes: int = INTEREST_DEFAULT_MINUTES,
) -> list[Interest]:
    """Register the interest for each person, all or none; the caller need not commit.

    The interest is in one model or (family_id) in any level of a family: exactly one.
    A person who already has live interest in the same model or family on any of the
    days makes the whole registration fail (InterestOverlaps, naming them), so that a
    coordinator's list is not half saved.
    """
    people = list(people)
    if not people:
        raise InvalidInput(_("Välj minst en medarbetare."))
    for person in people:
        if person.erased_at is not None or not may_book_for(actor, person):
            raise NotFound(_("Personen finns inte bland dem du kan boka åt."))
        if not person.has_role(Role.EMPLOYEE) or not person.is_active:
            # Interest leads to a booking, and only an active participant can be booked
            # (a coordinator for themself, say, never could).
            raise DomainError(
                _("Bara deltagare med aktivt konto kan anmäla intresse."), "employee_inactive"
            )
    if problem := period_problem(from_date, to_date, today()):
        raise DomainError(problem, "interest_period")
    if (model_id is None) == (family_id is None):
        raise InvalidInput(_("Välj en validering eller en familj av valideringar."))
    if max_minutes < 0:
        raise InvalidInput(_("Restiden kan inte vara negativ."))
    with unit_of_work():
        if model_id is not None and db.session.get(ValidationModel, model_id) is None:
            raise NotFound(_("Valideringen finns inte."))
        if family_id is not None and db.session.get(ModelFamily, family_id) is None:
            raise NotFound(_("Valideringen finns inte."))
        if db.session.get(Municipality, municipality_id) is None:
            raise NotFound(_("Kommunen finns inte."))
        ids = sorted({p.id for p in people})
        lock_people(ids)
        taken = set(
            db.session.scalars(
                select(Interest.person_id).where(
                    Interest.person_id.in_(ids),
                    Interest.model_id == model_id
                    if model_id is not None
                    else Interest.family_id == family_id,
                    _live_on(today()),
                    Interest.from_date <= to_date,
                    Interest.to_date >= from_date,
                )
            )
        )
        if taken:
            named = [p for p in people if p.id in taken]
            raise InterestOverlaps(
                _(
                    "Det finns redan en intresseanmälan för valideringen under en del av "
                    "perioden: %(names)s.",
                    names=", ".join(p.name for p in named),
                ),
                named,
            )
        made = []
        by_id = {p.id: p for p in people}
        for person_id in ids:
            interest = Interest(
                person_id=person_id,
                model_id=model_id,
                family_id=family_id,
                max_minutes=max_minutes,
                municipality_id=municipality_id,
                from_date=from_date,
                to_date=to_date,
                created_by_id=actor.id,
            )
            interest.person = by_id[person_id]
            db.session.add(interest)
            made.append(interest)
        db.session.flush()
        return made


def may_see(actor: Person, interest: Interest) -> bool:
    return may_book_for(actor, interest.person)


def withdraw_interest(interest_id: int, actor: Person) -> Interest:
    """End a live interest at the person's (or their coordinator's) request."""
    with unit_of_work():
        interest = db.session.get(Interest, interest_id, with_for_update=True)
        if interest is None or not may_see(actor, interest):
            raise NotFound(_("Intresseanmälan finns inte."))
        if interest.ended_at is None:
            if interest.to_date < today():
                _end(interest, InterestEnd.EXPIRED)
            else:
                _end(interest, InterestEnd.WITHDRAWN)
        return interest


def _end(interest: Interest, reason: InterestEnd) -> None:
    interest.ended_at = utcnow()
    interest.end_reason = reason
    db.session.flush()


def expire_interests(now: datetime | None = None) -> int:
    """Mark interest whose period has passed as expired; the send-mail round calls it."""
    now = now or utcnow()
    with unit_of_work():
        result = db.session.execute(
            update(_interests)
            .where(_interests.c.ended_at.is_(None), _interests.c.to_date < local_date(now))
            .values(ended_at=now, end_reason=InterestEnd.EXPIRED.value)
        )
        return result.rowcount


def end_on_booking(booking: Booking, now: datetime) -> None:
    """A seat in the model ends the employee's interest in it, or in its family (a
    waitlist place does not)."""
    if booking.status != BookingStatus.CONFIRMED:
        return
    model = booking.session.model
    wanted = _interests.c.model_id == model.id
    if model.family_id is not None:
        wanted = or_(wanted, _interests.c.family_id == model.family_id)
    db.session.execute(
        update(_interests)
        .where(
            _interests.c.person_id == booking.employee_id,
            wanted,
            _interests.c.ended_at.is_(None),
        )
        .values(ended_at=now, end_reason=InterestEnd.BOOKED.value, ended_by_booking_id=booking.id)
    )


def end_for_leaver(person_id: int, now: datetime) -> None:
    """The person left their company: their live interest stops counting, for good."""
    db.session.execute(
        update(_interests)
        .where(_interests.c.person_id == person_id, _interests.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=InterestEnd.LEFT_COMPANY.value)
    )


def reopen_after_session_cancelled(booking: Booking, now: datetime) -> None:
    """The center cancelled the session whose seat ended interest: the person has no
    seat, so the interest is live again (and mailed about the next matching session),
    unless its period has passed (then it expired) or they hold another seat in what
    it wants (then that seat is the one that ended it)."""
    ended = db.session.scalars(
        select(Interest).where(
            Interest.ended_by_booking_id == booking.id,
            Interest.end_reason == InterestEnd.BOOKED,
        )
    ).all()
    for interest in ended:
        if interest.to_date < local_date(now):
            interest.end_reason = InterestEnd.EXPIRED
            interest.ended_by_booking_id = None
        elif (seat := _other_seat(interest, booking)) is not None:
            interest.ended_by_booking_id = seat
        elif not _overlapping_live(interest, now):
            interest.ended_at = interest.end_reason = interest.ended_by_booking_id = None
            interest.notified_at = interest.notified_session_id = None
        # else: they registered the same interest again since; that one stands alone.
    db.session.flush()


def _wanted(interest: Interest):
    """Sessions of what the interest is in: its model, or any level of its family."""
    if interest.model_id is not None:
        return ValidationSession.model_id == interest.model_id
    return ValidationSession.model_id.in_(
        select(ValidationModel.id).where(ValidationModel.family_id == interest.family_id)
    )


def _other_seat(interest: Interest, cancelled: Booking) -> int | None:
    return db.session.scalar(
        select(Booking.id)
        .join(ValidationSession, ValidationSession.id == Booking.session_id)
        .where(
            Booking.employee_id == interest.person_id,
            Booking.id != cancelled.id,
            Booking.status == BookingStatus.CONFIRMED,
            ValidationSession.status == SessionStatus.SCHEDULED,
            _wanted(interest),
        )
        .limit(1)
    )


def _overlapping_live(interest: Interest, now: datetime) -> bool:
    same = (
        Interest.model_id == interest.model_id
        if interest.model_id is not None
        else Interest.family_id == interest.family_id
    )
    return (
        db.session.scalar(
            select(Interest.id)
            .where(
                Interest.person_id == interest.person_id,
                Interest.id != interest.id,
                same,
                _live_on(local_date(now)),
                Interest.from_date <= interest.to_date,
                Interest.to_date >= interest.from_date,
            )
            .limit(1)
        )
        is not None
    )


def matching_interests(session: ValidationSession) -> list[tuple[Interest, int | None]]:
    """Live, not yet told interest that the session answers: its model or the model's
    family, the day, and a center within the interest's travel time of its municipality;
    each with the minutes from its municipality to the center (None: not known)."""
    day = session.local_date
    model = session.model
    wanted = Interest.model_id == model.id
    if model.family_id is not None:
        wanted = or_(wanted, Interest.family_id == model.family_id)
    candidates = db.session.scalars(
        select(Interest)
        .where(
            wanted,
            _live_on(day),
            Interest.notified_at.is_(None),
            Interest.from_date <= day,
            Interest.to_date >= day,
        )
        .order_by(Interest.id)
    ).all()
    if not candidates:
        return []
    # Travel time is the same both ways: from the session's place to each interest's.
    minutes = travel_minutes_from(
        session.center.municipality_id, {i.municipality_id for i in candidates}
    )
    return [
        (i, minutes.get(i.municipality_id))
        for i in candidates
        if i.max_minutes == 0 or minutes.get(i.municipality_id, i.max_minutes + 1) <= i.max_minutes
    ]


def notify_interested(session: ValidationSession, now: datetime) -> int:
    """Mail each person whose interest the new session matches, once; return how many.

    Each interest is claimed by a conditional UPDATE (notified_at still empty): of two
    sessions planned at the same moment, the second waits for the first's row lock and
    then finds nothing to claim, so nobody gets two mails. The outbox's dedupe key
    per interest guards the same.
    """
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= now:
        return 0
    if BookingWindow.for_session(session).state(now) == "closed":
        # Too close to its start to book (the one mail would point to a closed session,
        # and the next session that can be booked would never be told).
        return 0
    if session.model_id is None or session.center is None:
        return 0
    told = 0
    for interest, minutes in matching_interests(session):
        claimed = db.session.execute(
            update(_interests)
            .where(
                _interests.c.id == interest.id,
                _interests.c.notified_at.is_(None),
                _interests.c.ended_at.is_(None),
            )
            .values(notified_at=now, notified_session_id=session.id)
        )
        if claimed.rowcount != 1:
            continue
        db.session.expire(interest, ["notified_at", "notified_session_id"])
        person = interest.person
        if not person.is_active or person.erased_at is not None:
            continue
        _mail(person, interest, session, minutes, now)
        told += 1
    return told


def session_link(session_id: int) -> str:
    # By hand rather than url_for: a session may be planned from the CLI, without a request.
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/sessions/{session_id}"


def _mail(
    person: Person,
    interest: Interest,
    session: ValidationSession,
    minutes: int | None,
    now: datetime,
) -> None:
    center = session.center
    opens_at = BookingWindow.for_session(session).opens_at
    with speaking_to(person):
        paragraphs = [
            _(
                "Du har anmält intresse för %(model)s. Nu finns ett pass som passar: "
                "%(when)s på %(center)s i %(municipality)s.",
                model=interest.wanted,
                when=time_span(session.starts_at, session.ends_at),
                center=center.name,
                municipality=center.municipality.name,
            ),
            *(
                [
                    _(
                        "Restid: ≈ %(duration)s från %(place)s.",
                        duration=travel_duration(minutes),
                        place=interest.municipality.name,
                    )
                ]
                if minutes
                else []
            ),
            _("Boka en plats här: %(link)s", link=session_link(session.id))
            if opens_at <= now
            else _(
                "Bokningen öppnar %(day)s. Passet finns här: %(link)s",
                day=long_date(opens_at),
                link=session_link(session.id),
            ),
            _(
                "Det här är det enda mejlet om din intresseanmälan. Den gäller tills du bokar, "
                "tar bort den eller perioden tar slut."
            ),
        ]
        context = {"person": person, "paragraphs": paragraphs}
        message = compose(
            (person.name, person.email),
            _("Ett pass för %(model)s går att boka", model=session.model.name),
            render_template("accounts/mail/notice.txt", **context),
            render_template("accounts/mail/notice.html", **context),
        )
    enqueue(
        message,
        kind="interest_notice",
        recipient=person.email,
        # Per session: an interest opened again by a cancelled session is told anew.
        dedupe_key=f"interest-{interest.id}-{session.id}",
    )


# -- receivers of the domain events (connected in create_app) ------------------------------


def on_session_created(app, session, at=None, **_event):
    notify_interested(session, at or utcnow())


def on_booking_created(app, booking, at=None, **_event):
    end_on_booking(booking, at or utcnow())


def on_booking_promoted(app, booking, at=None, **_event):
    end_on_booking(booking, at or utcnow())


def on_booking_moved(app, booking, at=None, **_event):
    end_on_booking(booking, at or utcnow())


def on_booking_cancelled(app, booking, reason="cancelled", at=None, **_event):
    # Only the center taking the seat back: someone who cancels has changed their mind.
    if reason == "session_cancelled":
        reopen_after_session_cancelled(booking, at or utcnow())


RECEIVERS = {
    domain_events.session_created: on_session_created,
    domain_events.booking_created: on_booking_created,
    domain_events.booking_promoted: on_booking_promoted,
    domain_events.booking_moved: on_booking_moved,
    domain_events.booking_cancelled: on_booking_cancelled,
}


def connect(app: Flask) -> None:
    """Listen to this app's domain events (each app its own: tests build many)."""
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver, sender=app)
