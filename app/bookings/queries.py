"""Reading bookings for pages: the employee's own, a company's and a session's participants."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import Person
from app.bookings.models import Booking, BookingStatus, Interest
from app.bookings.session_search import travel_order
from app.centers.models import TestCenter
from app.extensions import db
from app.regions.models import Municipality
from app.schedule.models import ModelFamily, SessionStatus, ValidationModel, ValidationSession


def find_booking(booking_id: int) -> Booking | None:
    return db.session.get(Booking, booking_id)


def live_booking_for(session_id: int, employee_id: int) -> Booking | None:
    return db.session.scalar(
        select(Booking).where(
            Booking.session_id == session_id,
            Booking.employee_id == employee_id,
            Booking.status != BookingStatus.CANCELLED,
        )
    )


def participants(session_id: int) -> list[Booking]:
    """Live bookings of a session: seated first, then the waitlist in order."""
    return participants_of([session_id]).get(session_id, [])


def ended_with_session(session_id: int) -> list[Booking]:
    """The bookings a cancelled session took with it (not those given up before), by name."""
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.CANCELLED)
        .options(joinedload(Booking.employee).joinedload(Person.company))
    )
    return sorted((b for b in rows if b.ended_with_session), key=lambda b: b.employee.name)


def participants_of(session_ids: list[int]) -> dict[int, list[Booking]]:
    """Live bookings of several sessions in one query: {session id: participants in order}."""
    if not session_ids:
        return {}
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.session_id.in_(session_ids), Booking.status != BookingStatus.CANCELLED)
        .options(
            joinedload(Booking.employee).joinedload(Person.company),
            # Participants' roles are not shown; load them only if something asks.
            joinedload(Booking.employee).lazyload(Person.role_grants),
        )
        .order_by(
            Booking.session_id,
            Booking.waitlist_number.is_not(None),
            Booking.waitlist_number,
            Booking.id,
        )
    )
    found: dict[int, list[Booking]] = {session_id: [] for session_id in session_ids}
    for booking in rows:
        found[booking.session_id].append(booking)
    return found


def upcoming_live_bookings_of(employee_id: int, now: datetime) -> list[Booking]:
    """An employee's seats and waitlist places in sessions not ended by `now`, by start:
    what keeps their personal data from being erased (a seat would be kept for nobody)."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(
                Booking.employee_id == employee_id,
                Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)),
                ValidationSession.ends_at > now,
            )
            .options(
                contains_eager(Booking.session).joinedload(ValidationSession.model),
                contains_eager(Booking.session).joinedload(ValidationSession.center),
            )
            .order_by(ValidationSession.starts_at, Booking.id)
        )
    )


def bookings_of(employee_id: int) -> list[Booking]:
    """All of an employee's bookings with their sessions, newest session first."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(Booking.employee_id == employee_id)
            .options(
                joinedload(Booking.session).joinedload(ValidationSession.model),
                joinedload(Booking.session)
                .joinedload(ValidationSession.center)
                .joinedload(TestCenter.municipality),
            )
            .order_by(ValidationSession.starts_at.desc(), Booking.id.desc())
        )
    )


def booking_listing(
    employee_id: int | None = None,
    company_id: int | None = None,
    updated_since: datetime | None = None,
) -> Select:
    """Bookings of an employee, or of a company's employees, cancelled ones too.

    With `updated_since`, only those changed at or after that time (`updated_at`
    moves with every change of a booking). The caller orders and pages; the session
    is joined, for ordering by its start.
    """
    query = select(Booking).join(Booking.session).options(contains_eager(Booking.session))
    if employee_id is not None:
        query = query.where(Booking.employee_id == employee_id)
    if company_id is not None:
        query = query.where(
            Booking.employee_id.in_(select(Person.id).where(Person.company_id == company_id))
        )
    if updated_since is not None:
        query = query.where(Booking.updated_at >= updated_since)
    return query


def booking_moved_to(booking_id: int) -> int | None:
    """The booking that a move made in place of this one, if it was moved."""
    return db.session.scalar(select(Booking.id).where(Booking.moved_from_id == booking_id))


def move_targets(
    booking: Booking, now: datetime, travel: dict[int, int] | None = None
) -> list[ValidationSession]:
    """Other sessions of the same model that are open for booking and have a free seat.

    With `travel` (minutes from the employee's place to each municipality, see
    app.regions.travel.travel_minutes_from) the closest come first, else the soonest.
    """
    session = booking.session
    config = current_app.config
    order = (travel_order(travel),) if travel is not None else ()
    return list(
        db.session.scalars(
            select(ValidationSession)
            .where(
                ValidationSession.model_id == session.model_id,
                ValidationSession.id != session.id,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.starts_at > now + timedelta(hours=config["BOOKING_CLOSES_HOURS"]),
                ValidationSession.starts_at <= now + timedelta(days=config["BOOKING_OPENS_DAYS"]),
                ValidationSession.seats_taken < ValidationSession.seats,
                # Not one they hold already: the move would be refused (it was offered).
                ~select(Booking.id)
                .where(
                    Booking.session_id == ValidationSession.id,
                    Booking.employee_id == booking.employee_id,
                    Booking.status != BookingStatus.CANCELLED,
                )
                .exists(),
            )
            .options(joinedload(ValidationSession.center).joinedload(TestCenter.municipality))
            .order_by(*order, ValidationSession.starts_at, ValidationSession.id)
            .limit(50)
        )
    )


# -- interest when nothing fits (app/bookings/interest.py) --------------------------------


def find_interest(interest_id: int) -> Interest | None:
    return db.session.get(Interest, interest_id)


def interest_listing(person_id: int | None = None, company_id: int | None = None) -> Select:
    """Interest of a person, or of a company's employees, ended too; the caller orders."""
    query = select(Interest).options(
        joinedload(Interest.model),
        joinedload(Interest.family),
        joinedload(Interest.municipality),
        joinedload(Interest.person),
    )
    if person_id is not None:
        query = query.where(Interest.person_id == person_id)
    if company_id is not None:
        query = query.where(
            Interest.person_id.in_(select(Person.id).where(Person.company_id == company_id))
        )
    return query


def interests_of(person_id: int | None = None, company_id: int | None = None) -> list[Interest]:
    """For the pages: the newest first (live and ended alike)."""
    query = interest_listing(person_id=person_id, company_id=company_id)
    return list(db.session.scalars(query.order_by(Interest.id.desc()).limit(200)))


def interest_demand(today: date, county_ids: Iterable[int] | None = None) -> list[Row]:
    """Live interest per municipality and model, with no names: the planners' table.

    Rows of (municipality, county_id, model, family, people, first day, last day): one of
    model and family is empty (an interest in any level of a family names the family). The most
    wanted first. With `county_ids`, only interest placed in those counties.
    """
    query = (
        select(
            Municipality.name.label("municipality"),
            Municipality.county_id,
            ValidationModel.name.label("model"),
            ModelFamily.name.label("family"),
            func.count(func.distinct(Interest.person_id)).label("people"),
            func.min(Interest.from_date).label("first_day"),
            func.max(Interest.to_date).label("last_day"),
        )
        .join(Municipality, Municipality.id == Interest.municipality_id)
        .outerjoin(ValidationModel, ValidationModel.id == Interest.model_id)
        .outerjoin(ModelFamily, ModelFamily.id == Interest.family_id)
        .where(Interest.ended_at.is_(None), Interest.to_date >= today)
        .group_by(Municipality.name, Municipality.county_id, ValidationModel.name, ModelFamily.name)
        .order_by(func.count(func.distinct(Interest.person_id)).desc(), Municipality.name)
    )
    if county_ids is not None:
        query = query.where(Municipality.county_id.in_(sorted(county_ids)))
    return list(db.session.execute(query).all())
