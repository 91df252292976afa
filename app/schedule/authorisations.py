"""A testledare's authorisations per validation model, and their home center.

Svensk industrivalidering authorises testledare per model for a period; the project
admin records it here, so that centers can plan them and employees can book them.
"""

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Person, Role
from app.audit import services as audit
from app.centers.models import TestCenter
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, InvalidInput, NotFound, SessionsInTheWay
from app.extensions import db
from app.schedule.models import (
    AssessorAuthorisation,
    SessionStatus,
    ValidationModel,
    ValidationSession,
)
from app.timeutil import day_start


def _require_admin(actor: Person | None) -> None:
    """A project admin of every project, or None: the operator at the command line."""
    if actor is not None and not actor.sees_every_project:
        raise Forbidden()


def _assessor(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or not person.has_role(Role.ASSESSOR):
        raise NotFound(_("Testledaren finns inte."))
    return person


# Built once: every booking asks it while the session is locked, and building the
# statement would cost as much as running it.
_OVERLAPPING = select(AssessorAuthorisation.id).where(
    AssessorAuthorisation.person_id == bindparam("person_id"),
    AssessorAuthorisation.model_id == bindparam("model_id"),
    AssessorAuthorisation.valid_from <= bindparam("last"),
    AssessorAuthorisation.valid_to >= bindparam("first"),
)


def overlapping_authorisation(
    person_id: int, model_id: int, first: date, last: date | None = None
) -> int | None:
    """The id of an authorisation for the model valid on any day from first to last."""
    return db.session.scalar(
        _OVERLAPPING,
        {"person_id": person_id, "model_id": model_id, "first": first, "last": last or first},
    )


def authorisations_of(person_id: int) -> list[AssessorAuthorisation]:
    return list(
        db.session.scalars(
            select(AssessorAuthorisation)
            .join(AssessorAuthorisation.model)
            .where(AssessorAuthorisation.person_id == person_id)
            .order_by(ValidationModel.name, AssessorAuthorisation.valid_from)
        )
    )


def grant(
    person_id: int, model_id: int, first: date, last: date, actor: Person | None
) -> AssessorAuthorisation:
    """Authorise a testledare for a model from `first` to `last`, both days included."""
    _require_admin(actor)
    if last < first:
        raise InvalidInput(_("Sista dagen ligger före första dagen."))
    with unit_of_work():
        person = _assessor(person_id)
        model = db.session.get(ValidationModel, model_id)
        if model is None:
            raise NotFound(_("Valideringen finns inte."))
        if overlapping_authorisation(person.id, model.id, first, last) is not None:
            raise DomainError(
                _(
                    "%(name)s har redan en behörighet i %(model)s som gäller en del av perioden.",
                    name=person.name,
                    model=model.name,
                )
            )
        row = AssessorAuthorisation(
            person_id=person.id, model_id=model.id, valid_from=first, valid_to=last
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            actor, "person", person.id, "authorised", detail=f"{model.name} {first}–{last}"
        )
        return row


class AuthorisationInUse(SessionsInTheWay):
    """Coming sessions rely on the authorisation: they are named, to hand over or cancel."""

    def __init__(self, authorisation: AssessorAuthorisation, sessions: list[ValidationSession]):
        self.authorisation_id = authorisation.id
        self.person_id = authorisation.person_id
        super().__init__(
            sessions,
            ngettext(
                "%(num)s kommande pass bygger på behörigheten. Ge det en annan "
                "testledare eller ställ in det först; behörigheten är kvar.",
                "%(num)s kommande pass bygger på behörigheten. Ge dem en annan "
                "testledare eller ställ in dem först; behörigheten är kvar.",
                len(sessions),
            ),
            "authorisation_in_use",
        )


def revoke(authorisation_id: int, actor: Person | None) -> int:
    """Take an authorisation away, unless upcoming sessions still rely on it
    (AuthorisationInUse names them).

    Returns the testledare's id."""
    _require_admin(actor)
    with unit_of_work():
        row = db.session.get(AssessorAuthorisation, authorisation_id)
        if row is None:
            raise NotFound(_("Behörigheten finns inte."))
        now = utcnow()
        # The period's days, in local time, as the sessions' dates are checked.
        period_start = max(day_start(row.valid_from), now)
        period_end = day_start(row.valid_to + timedelta(days=1))
        relying = list(
            db.session.scalars(
                select(ValidationSession)
                .where(
                    ValidationSession.assessor_id == row.person_id,
                    ValidationSession.model_id == row.model_id,
                    ValidationSession.status == SessionStatus.SCHEDULED,
                    ValidationSession.starts_at >= period_start,
                    ValidationSession.starts_at < period_end,
                )
                .options(joinedload(ValidationSession.center), joinedload(ValidationSession.model))
                .order_by(ValidationSession.starts_at, ValidationSession.id)
            )
        )
        if relying:
            raise AuthorisationInUse(row, relying)
        audit.record(
            actor,
            "person",
            row.person_id,
            "authorisation revoked",
            detail=f"{row.model.name} {row.valid_from}–{row.valid_to}",
        )
        db.session.delete(row)
        return row.person_id


def set_home_center(person_id: int, center_id: int | None, actor: Person | None) -> None:
    """The center a testledare belongs to; centers planning them see it."""
    _require_admin(actor)
    with unit_of_work():
        person = _assessor(person_id)
        if center_id is not None and db.session.get(TestCenter, center_id) is None:
            raise NotFound(_("Testcentret finns inte."))
        person.home_center_id = center_id
        audit.record(actor, "person", person.id, "home center", detail=str(center_id or ""))
