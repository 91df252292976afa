"""A testledare's weekly working hours and absences."""

from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Person
from app.db import unit_of_work
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.schedule.models import AssessorAbsence, AssessorAvailability


def weekly_hours(person_id: int) -> dict[int, AssessorAvailability]:
    rows = db.session.scalars(
        select(AssessorAvailability).where(AssessorAvailability.person_id == person_id)
    )
    return {row.weekday: row for row in rows}


def set_weekly_hours(person: Person, hours: dict[int, tuple[time, time] | None]) -> None:
    """Set the usual hours per weekday; all days empty means no limits at all."""
    if any(span is not None and span[0] >= span[1] for span in hours.values()):
        raise InvalidInput(_("Starttiden måste ligga före sluttiden."))
    with unit_of_work():
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


def add_absence(person: Person, first: date, last: date, reason: str) -> AssessorAbsence:
    if last < first:
        raise InvalidInput(_("Sista dagen ligger före första dagen."))
    with unit_of_work():
        absence = AssessorAbsence(
            person_id=person.id, first_day=first, last_day=last, reason=reason.strip()
        )
        db.session.add(absence)
        return absence


def remove_absence(absence_id: int, person: Person) -> None:
    with unit_of_work():
        absence = db.session.get(AssessorAbsence, absence_id)
        if absence is None or absence.person_id != person.id:
            raise NotFound(_("Frånvaron finns inte."))
        db.session.delete(absence)
