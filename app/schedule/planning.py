"""Planning and creating sessions under every capacity and conflict rule.

A plan is checked twice: once for the preview, without locks, and again when it is
saved, inside one transaction that holds the center's row (its workstations) and
the testledare's row (their calendar) locked, so two admins saving at once cannot
both use the last workstation or the same testledare. Moving a session checks its
new time the same way (app.bookings.session_changes: its bookings go along).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from app import domain_events
from app.accounts.models import Person, Role, RoleGrant
from app.audit import services as audit
from app.centers.models import TestCenter
from app.centers.services import (
    closed_reason,
    closures_between,
    lock_center,
    outside_opening_hours,
)
from app.db import unit_of_work, utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.extensions import db
from app.formatting import clock
from app.regions.models import MAX_TRAVEL_MINUTES
from app.regions.travel import travel_minutes
from app.schedule.authorisations import overlapping_authorisation
from app.schedule.models import (
    AssessorAbsence,
    AssessorAuthorisation,
    AssessorAvailability,
    SessionStatus,
    ValidationModel,
    ValidationSession,
)
from app.schedule.workstations import free_workstations
from app.timeutil import clock_exists_once, local_to_utc, to_local


def _ends_once(ends_at: datetime) -> bool:
    local = to_local(ends_at)
    return clock_exists_once(local.date(), local.time())


def unclear_clock(day: date, start: time, duration: timedelta) -> bool:
    """Whether the start, or the end it gives, is a clock that day has not exactly once:
    the refusal is about the start time, not the day."""
    return not clock_exists_once(day, start) or not _ends_once(local_to_utc(day, start) + duration)


@dataclass
class PlannedSession:
    """One date of a plan, with the seats it would get or why it is refused."""

    day: date
    starts_at: datetime
    ends_at: datetime
    seats: int = 0
    problems: list[str] = field(default_factory=list)
    # The start as typed, when that clock is not one instant that day: starts_at is then
    # a guess (02.30 on the spring night reads as 03.30) that the preview must not show.
    unclear_start: time | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class AssessorOption:
    """A testledare on the planning form, with the models they hold a current authorisation for."""

    person: Person
    models: list[str]


def assessor_options(
    model_id: int, today: date
) -> tuple[list[AssessorOption], list[AssessorOption]]:
    """Active testledare split into those authorised for the model (now or later) and the rest.

    An authorisation that has ended does not count; one that starts later does, as a
    series may be planned ahead of it (the preview checks each date).
    """
    people = db.session.scalars(
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == Role.ASSESSOR, Person.active.is_(True))
        .options(joinedload(Person.home_center))
        .order_by(Person.name, Person.id)
    ).unique()
    held: dict[int, dict[int, str]] = {}
    for person_id, held_model_id, name in db.session.execute(
        select(AssessorAuthorisation.person_id, ValidationModel.id, ValidationModel.name)
        .join(ValidationModel, ValidationModel.id == AssessorAuthorisation.model_id)
        .where(AssessorAuthorisation.valid_to >= today)
        .order_by(ValidationModel.name)
    ):
        held.setdefault(person_id, {})[held_model_id] = name
    authorised, others = [], []
    for person in people:
        models = held.get(person.id, {})
        option = AssessorOption(person, list(models.values()))
        (authorised if model_id in models else others).append(option)
    return authorised, others


def authorisation_problem(assessor: Person, model: ValidationModel, days: list[date]) -> str | None:
    """One message when the testledare is authorised for the model on none of the days."""
    if (
        not days
        or overlapping_authorisation(assessor.id, model.id, min(days), max(days)) is not None
    ):
        return None
    authorised, _others = assessor_options(model.id, min(days))
    names = [o.person.name for o in authorised if o.person.id != assessor.id]
    message = _(
        "%(name)s är inte behörig för %(model)s de valda datumen.",
        name=assessor.name,
        model=model.name,
    )
    if names:
        return message + " " + _("Behöriga: %(names)s.", names=", ".join(names))
    return message + " " + _("Ingen testledare är behörig för %(model)s.", model=model.name)


def may_plan(actor: Person, center_id: int) -> bool:
    return actor.is_staff_for_center(center_id)


def assessor_problems(
    assessor: Person,
    model: ValidationModel,
    center: TestCenter,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_id: int | None = None,
) -> list[str]:
    """Why this testledare cannot run this session, if anything stops them."""
    problems = []
    local_start, local_end = to_local(starts_at), to_local(ends_at)
    day = local_start.date()
    authorised = overlapping_authorisation(assessor.id, model.id, day)
    if authorised is None:
        problems.append(
            _(
                "%(name)s saknar giltig behörighet för %(model)s det datumet.",
                name=assessor.name,
                model=model.name,
            )
        )
    # Only that they are away: the reason (a sick leave, say) is theirs, not the planner's.
    away = db.session.scalar(
        select(AssessorAbsence.id)
        .where(
            AssessorAbsence.person_id == assessor.id,
            AssessorAbsence.first_day <= day,
            AssessorAbsence.last_day >= day,
        )
        .limit(1)
    )
    if away is not None:
        problems.append(_("%(name)s är ledig den dagen.", name=assessor.name))
    pattern = list(
        db.session.scalars(
            select(AssessorAvailability).where(AssessorAvailability.person_id == assessor.id)
        )
    )
    if pattern:
        hours = next((a for a in pattern if a.weekday == day.weekday()), None)
        if hours is None or local_start.time() < hours.starts or local_end.time() > hours.ends:
            problems.append(_("%(name)s arbetar inte den tiden.", name=assessor.name))
    # No travel time is longer than a day (stored or estimated), so nothing further away matters.
    widest = timedelta(minutes=MAX_TRAVEL_MINUTES)
    nearby = db.session.scalars(
        select(ValidationSession).where(
            ValidationSession.assessor_id == assessor.id,
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationSession.id != (exclude_session_id or 0),
            ValidationSession.starts_at < ends_at + widest,
            ValidationSession.ends_at > starts_at - widest,
        )
    )
    for other in nearby:
        if other.starts_at < ends_at and starts_at < other.ends_at:
            problems.append(
                _(
                    "%(name)s har redan ett pass %(time)s.",
                    name=assessor.name,
                    time=clock(other.starts_at),
                )
            )
            continue
        buffer = timedelta(
            minutes=travel_minutes(other.center.municipality_id, center.municipality_id)
        )
        if other.starts_at < ends_at + buffer and starts_at < other.ends_at + buffer:
            problems.append(
                _(
                    "%(name)s hinner inte resa från %(place)s (restid %(minutes)s min).",
                    name=assessor.name,
                    place=other.center.municipality.name,
                    minutes=int(buffer.total_seconds() // 60),
                )
            )
    return problems


def plan_session(
    center: TestCenter,
    model: ValidationModel,
    assessor: Person,
    day: date,
    start: time,
    exclude_session_id: int | None = None,
    closures=None,
    now: datetime | None = None,
) -> PlannedSession:
    """Check one date against every rule and work out its seats."""
    starts_at = local_to_utc(day, start)
    ends_at = starts_at + model.duration
    plan = PlannedSession(day=day, starts_at=starts_at, ends_at=ends_at)
    if not clock_exists_once(day, start):
        # 02.30 on the night the clocks change is no time or two: it would move silently.
        plan.unclear_start = start
        plan.problems.append(
            _(
                "Klockan %(time)s finns inte eller finns två gånger den dagen "
                "(sommartid börjar eller slutar). Välj en annan tid.",
                time=clock(start),
            )
        )
    elif not _ends_once(ends_at):
        # An end at 02.30 on the autumn night is written so in every calendar, which then
        # reads the earlier 02.30: the event would end an hour early.
        plan.problems.append(
            _(
                "Passet skulle sluta klockan %(time)s, som finns två gånger den natten "
                "(sommartid slutar). Välj en annan starttid.",
                time=clock(to_local(ends_at)),
            )
        )
    if starts_at <= (now or utcnow()):
        # A past session would be bookable by nobody and marked no-show for everyone moved into it.
        plan.problems.append(_("Tiden har redan passerat."))
    if not center.accredited_on(day):
        plan.problems.append(_("Testcentrets ackreditering gäller inte det datumet."))
    if reason := closed_reason(center, day, closures):
        plan.problems.append(_("Stängt: %(reason)s.", reason=reason))
    elif outside_opening_hours(center, starts_at, ends_at):
        plan.problems.append(_("Passet ligger utanför öppettiderna."))
    free = free_workstations(
        center.id, model.workstation_kind_id, starts_at, ends_at, exclude_session_id
    )
    plan.seats = max(0, min(model.max_group_size, free))
    if plan.seats == 0:
        plan.problems.append(
            _("Inga lediga arbetsplatser av typen %(kind)s.", kind=model.workstation_kind.name)
        )
    plan.problems += assessor_problems(
        assessor, model, center, starts_at, ends_at, exclude_session_id
    )
    return plan


def series_days(first_day: date, weeks: int, weekdays: set[int]) -> list[date]:
    """Every chosen weekday (0 = Monday) in the weeks from first_day on."""
    if not 1 <= weeks <= 52:
        raise InvalidInput(_("En serie kan vara 1–52 veckor."))
    if not weekdays or not weekdays <= set(range(7)):
        raise InvalidInput(_("Välj minst en veckodag."))
    return [
        first_day + timedelta(days=offset)
        for offset in range(weeks * 7)
        if (first_day + timedelta(days=offset)).weekday() in weekdays
    ]


def preview(
    center: TestCenter, model: ValidationModel, assessor: Person, days: list[date], start: time
) -> list[PlannedSession]:
    """Plan each date of a series for the preview; nothing is saved."""
    closures = closures_between(center.id, min(days), max(days)) if days else []
    return [plan_session(center, model, assessor, day, start, closures=closures) for day in days]


def lock_assessor(assessor_id: int) -> Person:
    """Lock the testledare's row (their calendar) for the rest of the unit of work."""
    person = db.session.scalar(
        select(Person)
        .where(Person.id == assessor_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if person is None or not person.has_role(Role.ASSESSOR):
        raise NotFound(_("Testledaren finns inte."))
    return person


def create_sessions(
    center_id: int,
    model_id: int,
    assessor_id: int,
    days: list[date],
    start: time,
    actor: Person,
    support_seats: int | None = None,
) -> tuple[list[ValidationSession], list[PlannedSession]]:
    """Save the dates that pass every rule; return the sessions made and the refused."""
    if not may_plan(actor, center_id):
        raise Forbidden()
    with unit_of_work():
        center = lock_center(center_id)
        model = db.session.get(ValidationModel, model_id)
        if center is None or model is None:
            raise NotFound()
        assessor = lock_assessor(assessor_id)
        created, refused = [], []
        for day in sorted(set(days)):
            plan = plan_session(center, model, assessor, day, start)
            if not plan.ok:
                refused.append(plan)
                continue
            session = ValidationSession(
                center=center,
                model=model,
                assessor=assessor,
                starts_at=plan.starts_at,
                ends_at=plan.ends_at,
                seats=plan.seats,
                support_seats=support_seats,
            )
            db.session.add(session)
            db.session.flush()  # the next date sees this one's workstations and testledare
            domain_events.announce(
                domain_events.session_created, session=session, actor=actor, at=utcnow()
            )
            audit.record(actor, "session", session.id, "created", center_id=center.id)
            created.append(session)
        return created, refused


def assessor_sessions(assessor_id: int, first: datetime, last: datetime) -> list:
    """A testledare's sessions in a period, with center and model, soonest first."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(ValidationSession)
            .where(
                ValidationSession.assessor_id == assessor_id,
                and_(ValidationSession.starts_at >= first, ValidationSession.starts_at < last),
            )
            .options(joinedload(ValidationSession.center), joinedload(ValidationSession.model))
            .order_by(ValidationSession.starts_at)
        )
    )
