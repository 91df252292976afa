"""A testledare's sessions, authorisations and availability in the GDPR export and
erasure (see app.accounts.privacy)."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Person
from app.accounts.privacy import CODE, REFERENCE, Part, iso
from app.errors import DomainError
from app.extensions import db
from app.schedule.models import (
    AssessorAbsence,
    AssessorAuthorisation,
    AssessorAvailability,
    ValidationSession,
)
from app.schedule.queries import upcoming_sessions_led_by


def session_entry(session: ValidationSession) -> dict:
    """A session as the export names it: what, where and when."""
    return {
        "session_id": session.id,
        "validation": session.model.name,
        "test_center": session.center.name,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
    }


def _export(person: Person) -> dict:
    scalars = db.session.scalars
    sessions_run = scalars(
        select(ValidationSession)
        .where(ValidationSession.assessor_id == person.id)
        .options(selectinload(ValidationSession.model), selectinload(ValidationSession.center))
        .order_by(ValidationSession.starts_at, ValidationSession.id)
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
    return {
        "assessor_authorisations": [
            {
                "validation": a.model.name,
                "valid_from": iso(a.valid_from),
                "valid_to": iso(a.valid_to),
            }
            for a in authorisations
        ],
        "availability": {
            "weekly": [
                {"weekday": a.weekday, "starts": iso(a.starts), "ends": iso(a.ends)} for a in weekly
            ],
            "absences": [
                {
                    "first_day": iso(a.first_day),
                    "last_day": iso(a.last_day),
                    "reason": a.reason,
                }
                for a in absences
            ],
        },
        "sessions_as_assessor": [
            {
                **session_entry(s),
                "status": s.status,
                "seats": s.seats,
                "seats_taken": s.seats_taken,
                "created_at": iso(s.created_at),
            }
            for s in sessions_run
        ],
    }


def _check(person: Person, now: datetime) -> None:
    # A session still to come (or running) would have nobody to run it. The erase page
    # lists them: the same query.
    if upcoming_sessions_led_by(person.id, now):
        raise DomainError(
            _(
                "Personen är testledare för kommande pass. "
                "Byt testledare eller ställ in passen först."
            )
        )


def _erase(person: Person) -> None:
    for table in (AssessorAuthorisation, AssessorAvailability, AssessorAbsence):
        db.session.execute(delete(table).where(table.person_id == person.id))


PART = Part(
    "schedule",
    export=_export,
    check=_check,
    erase=_erase,
    # A cancelled session's reason, for its participants: "Kim är sjuk".
    free_text=("assessor_absence.reason", "validation_session.cancel_reason"),
    no_personal_text={
        "validation_model.code": REFERENCE,
        "validation_model.name": REFERENCE,
        "validation_model.owner": REFERENCE,
        "validation_model.description": REFERENCE,
        "validation_model.level": REFERENCE,
        "model_family.code": REFERENCE,
        "model_family.name": REFERENCE,
        "validation_session.status": CODE,
    },
)
