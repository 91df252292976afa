"""Reading sessions, validation models and testledare for pages, commands and the API."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Person, Role, RoleGrant
from app.extensions import db
from app.schedule.models import (
    AssessorAuthorisation,
    ModelFamily,
    SessionStatus,
    ValidationModel,
    ValidationSession,
)


def find_session(session_id: int) -> ValidationSession | None:
    return db.session.get(ValidationSession, session_id)


def center_sessions_not_ended(center_id: int, now: datetime) -> list[ValidationSession]:
    """The center's sessions that have not ended by `now`, cancelled ones too, by start."""
    return list(
        db.session.scalars(
            select(ValidationSession)
            .where(ValidationSession.center_id == center_id, ValidationSession.ends_at > now)
            .order_by(ValidationSession.starts_at)
        )
    )


def upcoming_sessions_led_by(person_id: int, now: datetime) -> list[ValidationSession]:
    """The scheduled sessions a testledare runs that have not ended by `now`, by start:
    what keeps their personal data from being erased (nobody would run them)."""
    return list(
        db.session.scalars(
            select(ValidationSession)
            .where(
                ValidationSession.assessor_id == person_id,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.ends_at > now,
            )
            .options(joinedload(ValidationSession.model), joinedload(ValidationSession.center))
            .order_by(ValidationSession.starts_at, ValidationSession.id)
        )
    )


def active_assessors(model_id: int | None = None) -> list[Person]:
    """Active testledare with their home center, by name.

    With `model_id`, only those who hold (or held) an authorisation for that model,
    whatever its period.
    """
    query = (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == Role.ASSESSOR, Person.active.is_(True))
        .options(joinedload(Person.home_center))
        .order_by(Person.name)
    )
    if model_id:
        query = query.where(
            Person.id.in_(
                select(AssessorAuthorisation.person_id).where(
                    AssessorAuthorisation.model_id == model_id
                )
            )
        )
    return list(db.session.scalars(query).unique())


def model_by_code(code: str) -> ValidationModel | None:
    return db.session.scalar(select(ValidationModel).where(ValidationModel.code == code))


def models_with_families() -> list[ValidationModel]:
    """Every model by name, each with its family (if any) loaded: one query."""
    return list(
        db.session.scalars(
            select(ValidationModel)
            .options(joinedload(ValidationModel.family))
            .order_by(ValidationModel.name)
        )
    )


def family_by_code(code: str) -> ModelFamily | None:
    return db.session.scalar(select(ModelFamily).where(ModelFamily.code == code))


def model_codes() -> list[str]:
    return list(db.session.scalars(select(ValidationModel.code)))


def model_listing() -> Select:
    """All validation models with their workstation kind; the caller orders and pages."""
    return select(ValidationModel).options(
        joinedload(ValidationModel.workstation_kind), joinedload(ValidationModel.family)
    )
