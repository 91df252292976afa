"""A testledare's weekly working hours and absences."""

from datetime import date, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.accounts.models import Person
from app.db import unit_of_work, utcnow
from app.errors import DomainError, InvalidInput, NotFound, SessionsInTheWay
from app.extensions import db
from app.schedule.models import (
    AssessorAbsence,
    AssessorAvailability,
    SessionStatus,
    ValidationSession,
)
from app.timeutil import day_start, local_date, to_local


def weekly_hours(person_id: int) -> dict[int, AssessorAvailability]:
    rows = db.session.scalars(
        select(AssessorAvailability).where(AssessorAvailability.person_id == person_id)
    )
    return {row.weekday: row for row in rows}


def set_weekly_hours(person: Person, hours: dict[int, tuple[time, time] | None]) -> None:
    """Set the usual hours per weekday; all days empty means no limits at all.

    Refused while they lead a coming session outside the new hours, as an absence over
    their sessions is: the center must move it or give it another testledare first,
    or planning's rule (no session outside working hours) would hold only for new ones.
    """
    if any(span is not None and span[0] >= span[1] for span in hours.values()):
        raise InvalidInput(_("Starttiden måste ligga före sluttiden."))
    with unit_of_work():
        # Planning locks the testledare's row too: no session slips in between.
        db.session.execute(select(Person.id).where(Person.id == person.id).with_for_update())
        if outside := _sessions_outside(person.id, hours):
            raise HoursOverSessions(outside)
        existing = weekly_hours(person.id)
        for weekday, span in hours.items():
            row = existing.get(weekday)
            if span is None and row is not None:
                db.session.delete(row)
            elif span is not None and row is None:
                db.session.add(
                    AssessorAvailability(
                        person_id=person.id, weekday=weekday, starts=span[0], ends=span[1]
                    )
                )
            elif span is not None:
                row.starts, row.ends = span


def absences(person_id: int, from_day: date) -> list[AssessorAbsence]:
    return list(
        db.session.scalars(
            select(AssessorAbsence)
            .where(AssessorAbsence.person_id == person_id, AssessorAbsence.last_day >= from_day)
            .order_by(AssessorAbsence.first_day)
        )
    )


def add_absence(
    person: Person, first: date, last: date, reason: str, today: date | None = None
) -> AssessorAbsence:
    """An absence from first to last day. Refused for days past, more than a year, days
    already marked absent, and days on which they lead a session: the center must give
    it another testledare (or cancel it) first, or its participants would come to a
    session without one."""
    today = today or local_date(utcnow())
    if last < first:
        raise InvalidInput(_("Sista dagen ligger före första dagen."))
    if first < today:
        raise InvalidInput(_("Frånvaron kan inte börja före i dag."))
    if (last - first).days > 366:
        raise InvalidInput(_("En frånvaro kan vara högst ett år."))
    with unit_of_work():
        # Two tabs saving the same days take turns (SQLite's unit of work already does).
        db.session.execute(select(Person.id).where(Person.id == person.id).with_for_update())
        if absences_between(person.id, first, last):
            raise DomainError(_("Du har redan frånvaro några av de dagarna."), "absence_overlaps")
        if leading := sessions_led_between(person.id, first, last):
            raise AbsenceOverSessions(leading)
        absence = AssessorAbsence(
            person_id=person.id, first_day=first, last_day=last, reason=reason.strip()
        )
        db.session.add(absence)
        return absence


def _sessions_outside(person_id: int, hours: dict[int, tuple[time, time] | None]) -> list:
    """The coming sessions the person leads that the hours would leave outside them."""
    if all(span is None for span in hours.values()):
        return []  # no hours at all: no limits
    coming = db.session.scalars(
        select(ValidationSession)
        .where(
            ValidationSession.assessor_id == person_id,
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationSession.starts_at > utcnow(),
        )
        .order_by(ValidationSession.starts_at)
    )
    outside = []
    for session in coming:
        start, end = to_local(session.starts_at), to_local(session.ends_at)
        span = hours.get(start.weekday())
        if span is None or start.time() < span[0] or end.time() > span[1]:
            outside.append(session)
    return outside


class HoursOverSessions(SessionsInTheWay):
    def __init__(self, sessions: list[ValidationSession]):
        super().__init__(
            sessions,
            ngettext(
                "Du är testledare för %(num)s pass utanför de nya arbetstiderna. Be "
                "testcentret flytta passet eller byta testledare först; arbetstiderna är "
                "inte sparade.",
                "Du är testledare för %(num)s pass utanför de nya arbetstiderna. Be "
                "testcentret flytta passen eller byta testledare först; arbetstiderna är "
                "inte sparade.",
                len(sessions),
            ),
            "hours_over_sessions",
        )


class AbsenceOverSessions(SessionsInTheWay):
    def __init__(self, sessions: list[ValidationSession]):
        super().__init__(
            sessions,
            ngettext(
                "Du är testledare för %(num)s pass de dagarna. Be testcentret byta "
                "testledare eller ställa in passet först; frånvaron är inte sparad.",
                "Du är testledare för %(num)s pass de dagarna. Be testcentret byta "
                "testledare eller ställa in passen först; frånvaron är inte sparad.",
                len(sessions),
            ),
            "absence_over_sessions",
        )


def absences_between(person_id: int, first: date, last: date) -> list[AssessorAbsence]:
    return list(
        db.session.scalars(
            select(AssessorAbsence).where(
                AssessorAbsence.person_id == person_id,
                AssessorAbsence.first_day <= last,
                AssessorAbsence.last_day >= first,
            )
        )
    )


def sessions_led_between(person_id: int, first: date, last: date) -> list[ValidationSession]:
    """The scheduled sessions the person leads on those days, not yet started."""
    return list(
        db.session.scalars(
            select(ValidationSession)
            .where(
                ValidationSession.assessor_id == person_id,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.starts_at >= max(day_start(first), utcnow()),
                ValidationSession.starts_at < day_start(last + timedelta(days=1)),
            )
            .order_by(ValidationSession.starts_at)
        )
    )


def remove_absence(absence_id: int, person: Person) -> None:
    with unit_of_work():
        absence = db.session.get(AssessorAbsence, absence_id)
        if absence is None or absence.person_id != person.id:
            raise NotFound(_("Frånvaron finns inte."))
        db.session.delete(absence)
