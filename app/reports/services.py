"""The project dashboard's figures, each computed by one SQL aggregation.

Who counts as reached (per company and per employee, within the project's period and
its target scopes: the county of the company's municipality and its industry):

- booked: holds or held a seat (confirmed, attended or no-show) in a session that
  starts within the period and was not cancelled;
- attended: was marked present at such a session;
- passed: attended and got at least one competence area approved there.

Months and ISO weeks are Stockholm's: their boundaries are computed here as UTC
instants and handed to the database as a CASE expression, so that both SQLite (which
knows no time zones) and PostgreSQL bucket alike.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, distinct, exists, false, func, or_, select

from app.accounts.models import INDUSTRIES, Company, Person
from app.bookings.models import SEAT_STATUSES, Booking, BookingStatus
from app.centers.models import TestCenter
from app.db import unit_of_work
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.regions.models import County, Municipality
from app.reports.models import FundingProject, ProjectTarget
from app.results.models import AreaOutcome, OutcomeResult
from app.schedule.models import SessionStatus, ValidationModel, ValidationSession
from app.timeutil import day_start, local_date

STAGES = ("booked", "attended", "passed")
# The widest utilisation range one page shows: a year of ISO weeks.
MAX_WEEKS = 53


@dataclass
class Reach:
    """Companies and distinct employees reached at each stage."""

    companies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    employees: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))


@dataclass
class TargetProgress:
    target: ProjectTarget
    reach: Reach


@dataclass
class ModelReach:
    model: ValidationModel
    reach: Reach


@dataclass
class MonthPoint:
    """Employees reached by the end of one month, cumulated from the project's start."""

    month: date  # the first day
    employees: dict[str, int]


@dataclass
class CenterWeeks:
    center: TestCenter
    # ISO week Monday -> (seats offered, seats booked); weeks without sessions absent.
    weeks: dict[date, tuple[int, int]]
    hours_offered: float = 0.0
    hours_booked: float = 0.0
    hours_used: float = 0.0

    def share(self, monday: date) -> float | None:
        offered, booked = self.weeks.get(monday, (0, 0))
        return booked / offered if offered else None


@dataclass
class LowSession:
    session: ValidationSession
    attended: int

    @property
    def share(self) -> float:
        return self.session.seats_taken / self.session.seats


@dataclass
class DemandRow:
    center: TestCenter
    model: ValidationModel
    attended: int
    no_shows: int
    waitlisted: int

    @property
    def no_show_rate(self) -> float | None:
        seen = self.attended + self.no_shows
        return self.no_shows / seen if seen else None


# --- projects and targets -------------------------------------------------------------


def projects() -> list[FundingProject]:
    return list(db.session.scalars(select(FundingProject).order_by(FundingProject.id)))


def settings_version() -> tuple:
    """Every project's and target's settings, as one value that changes when any does.

    The rows are few; reading them lets a worker's cached dashboard follow a target
    saved through another worker at once instead of when its copy expires.
    """
    projects = db.session.execute(
        select(
            FundingProject.id, FundingProject.name, FundingProject.starts_on, FundingProject.ends_on
        ).order_by(FundingProject.id)
    ).all()
    targets = db.session.execute(
        select(
            ProjectTarget.id,
            ProjectTarget.project_id,
            ProjectTarget.county_id,
            ProjectTarget.industry,
            ProjectTarget.companies,
            ProjectTarget.employees,
        ).order_by(ProjectTarget.id)
    ).all()
    return (tuple(map(tuple, projects)), tuple(map(tuple, targets)))


def get_project(project_id: int | None) -> FundingProject:
    """The project asked for, or the first one."""
    query = select(FundingProject).order_by(FundingProject.id).limit(1)
    if project_id is not None:
        query = select(FundingProject).where(FundingProject.id == project_id)
    project = db.session.scalar(query)
    if project is None:
        raise NotFound(_("Projektet finns inte."))
    return project


def update_project(project_id: int, name: str, starts_on: date, ends_on: date) -> FundingProject:
    if starts_on > ends_on:
        raise InvalidInput(_("Projektet måste sluta samma dag som det börjar eller senare."))
    with unit_of_work():
        project = get_project(project_id)
        clash = db.session.scalar(
            select(FundingProject.id).where(
                FundingProject.name == name, FundingProject.id != project_id
            )
        )
        if clash is not None:
            raise InvalidInput(_("Det finns redan ett projekt med det namnet."))
        project.name, project.starts_on, project.ends_on = name, starts_on, ends_on
    return project


def update_target(target_id: int, companies: int, employees: int) -> ProjectTarget:
    if companies < 0 or employees < 0:
        raise InvalidInput(_("Ett mål kan inte vara negativt."))
    with unit_of_work():
        target = db.session.get(ProjectTarget, target_id)
        if target is None:
            raise NotFound(_("Målet finns inte."))
        target.companies, target.employees = companies, employees
    return target


def create_project(name: str, starts_on: date, ends_on: date) -> FundingProject:
    """A new funding project, without targets yet."""
    if starts_on > ends_on:
        raise InvalidInput(_("Projektet måste sluta samma dag som det börjar eller senare."))
    with unit_of_work():
        if db.session.scalar(select(FundingProject.id).where(FundingProject.name == name)):
            raise InvalidInput(_("Det finns redan ett projekt med det namnet."))
        project = FundingProject(name=name, starts_on=starts_on, ends_on=ends_on)
        db.session.add(project)
    return project


def add_target(
    project_id: int, county_id: int, industry: str, companies: int, employees: int
) -> ProjectTarget:
    """A target for one more county and industry; one per pair and project."""
    if industry not in INDUSTRIES:
        raise InvalidInput(_("Okänd bransch."))
    if companies < 0 or employees < 0:
        raise InvalidInput(_("Ett mål kan inte vara negativt."))
    with unit_of_work():
        project = get_project(project_id)
        if db.session.get(County, county_id) is None:
            raise InvalidInput(_("Länet finns inte."))
        if any(t.county_id == county_id and t.industry == industry for t in project.targets):
            raise InvalidInput(_("Projektet har redan ett mål för det länet och den branschen."))
        target = ProjectTarget(
            county_id=county_id, industry=industry, companies=companies, employees=employees
        )
        project.targets.append(target)
    return target


def remove_target(target_id: int) -> int:
    """Remove a target; answers the id of its project."""
    with unit_of_work():
        target = db.session.get(ProjectTarget, target_id)
        if target is None:
            raise NotFound(_("Målet finns inte."))
        project_id = target.project_id
        db.session.delete(target)
    return project_id


# --- progress against the targets -----------------------------------------------------


def _period(project: FundingProject):
    """Sessions that count for the project: not cancelled, starting within its period."""
    return and_(
        ValidationSession.status == SessionStatus.SCHEDULED,
        ValidationSession.starts_at >= day_start(project.starts_on),
        ValidationSession.starts_at < day_start(project.ends_on + timedelta(days=1)),
    )


def _in_scope(project: FundingProject):
    """Companies of the counties and industries the project has targets for."""
    scopes = [
        and_(Municipality.county_id == t.county_id, Company.industry == t.industry)
        for t in project.targets
    ]
    return or_(*scopes) if scopes else false()


def _seat_bookings():
    """Bookings holding a seat, with their session, employee's company and county."""
    return (
        select()
        .select_from(Booking)
        .join(ValidationSession, ValidationSession.id == Booking.session_id)
        .join(Person, Person.id == Booking.employee_id)
        .join(Company, Company.id == Person.company_id)
        .join(Municipality, Municipality.id == Company.municipality_id)
        .where(Booking.status.in_(SEAT_STATUSES))
    )


def _stage_flags():
    """Per booking: did it count as attended, as passed."""
    approved = exists().where(
        AreaOutcome.booking_id == Booking.id, AreaOutcome.result == OutcomeResult.APPROVED
    )
    attended = Booking.status == BookingStatus.ATTENDED
    return attended, and_(attended, approved)


def _reach_columns():
    """Distinct companies, then distinct employees, at each stage."""
    attended, passed = _stage_flags()
    return [
        func.count(distinct(expression))
        for column in (Person.company_id, Booking.employee_id)
        for expression in (column, case((attended, column)), case((passed, column)))
    ]


def _reach(row) -> Reach:
    return Reach(
        companies=dict(zip(STAGES, row[-6:-3], strict=True)),
        employees=dict(zip(STAGES, row[-3:], strict=True)),
    )


def target_progress(project: FundingProject) -> list[TargetProgress]:
    """Each target with the companies and employees of its county and industry reached."""
    rows = db.session.execute(
        _seat_bookings()
        .add_columns(Municipality.county_id, Company.industry, *_reach_columns())
        .where(_period(project), _in_scope(project))
        .group_by(Municipality.county_id, Company.industry)
    ).all()
    reached = {(row[0], row[1]): _reach(row) for row in rows}
    return [
        TargetProgress(target, reached.get((target.county_id, target.industry), Reach()))
        for target in project.targets
    ]


def model_progress(project: FundingProject) -> list[ModelReach]:
    """The same counts per validation model, within the project's scope."""
    rows = db.session.execute(
        _seat_bookings()
        .add_columns(ValidationSession.model_id, *_reach_columns())
        .where(_period(project), _in_scope(project))
        .group_by(ValidationSession.model_id)
    ).all()
    reached = {row[0]: _reach(row) for row in rows}
    models = db.session.scalars(select(ValidationModel).order_by(ValidationModel.name))
    return [ModelReach(model, reached.get(model.id, Reach())) for model in models]


def _months(project: FundingProject, today: date) -> list[date]:
    last = min(project.ends_on, today)
    month = project.starts_on.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _bucket(column, starts: list[datetime]):
    """The index of the bucket (starting at starts[i]) that a UTC instant falls in."""
    whens = [(column < start, index - 1) for index, start in enumerate(starts[1:], start=1)]
    if not whens:
        # One bucket: still an expression, since GROUP BY takes a bare 0 as a position.
        return case((column.is_not(None), 0), else_=0)
    return case(*whens, else_=len(starts) - 1)


def monthly_progress(
    project: FundingProject, target: ProjectTarget, now: datetime | None = None
) -> list[MonthPoint]:
    """Employees of a target's scope reached by the end of each month so far.

    The current month also holds the bookings of sessions still to come, so that the
    last point is the figure the target table shows.
    """
    now = now or datetime.now(UTC)
    months = _months(project, local_date(now))
    if not months:
        return []
    month = _bucket(ValidationSession.starts_at, [day_start(m) for m in months])
    attended, passed = _stage_flags()
    firsts = (
        _seat_bookings()
        .add_columns(
            func.min(month).label("booked"),
            func.min(case((attended, month))).label("attended"),
            func.min(case((passed, month))).label("passed"),
        )
        .where(
            _period(project),
            Municipality.county_id == target.county_id,
            Company.industry == target.industry,
        )
        .group_by(Booking.employee_id)
        .subquery()
    )
    rows = db.session.execute(
        select(firsts.c.booked, firsts.c.attended, firsts.c.passed, func.count()).group_by(
            firsts.c.booked, firsts.c.attended, firsts.c.passed
        )
    ).all()
    new = {stage: [0] * len(months) for stage in STAGES}
    for *firsts_of_stages, count in rows:
        for stage, index in zip(STAGES, firsts_of_stages, strict=True):
            if index is not None:
                new[stage][index] += count
    points, total = [], dict.fromkeys(STAGES, 0)
    for index, first_day in enumerate(months):
        for stage in STAGES:
            total[stage] += new[stage][index]
        points.append(MonthPoint(first_day, dict(total)))
    return points


# --- utilisation and demand -----------------------------------------------------------


def week_range(first_monday: date, last_monday: date) -> list[date]:
    if last_monday < first_monday:
        raise InvalidInput(_("Sista veckan kommer före den första."))
    weeks = (last_monday - first_monday).days // 7 + 1
    if weeks > MAX_WEEKS:
        raise InvalidInput(_("Välj högst %(weeks)s veckor.", weeks=MAX_WEEKS))
    return [first_monday + timedelta(weeks=i) for i in range(weeks)]


def _sessions_within(mondays: list[date], center_ids: list[int] | None):
    conditions = [
        ValidationSession.status == SessionStatus.SCHEDULED,
        ValidationSession.starts_at >= day_start(mondays[0]),
        ValidationSession.starts_at < day_start(mondays[-1] + timedelta(days=7)),
    ]
    if center_ids is not None:
        conditions.append(ValidationSession.center_id.in_(center_ids))
    return conditions


def _attended():
    """The session's participants marked present, counted through its booking index."""
    return (
        select(func.count(Booking.id))
        .where(Booking.session_id == ValidationSession.id, Booking.status == BookingStatus.ATTENDED)
        .correlate(ValidationSession)
        .scalar_subquery()
    )


def _centers(center_ids: list[int] | None) -> list[TestCenter]:
    query = select(TestCenter).order_by(TestCenter.name)
    if center_ids is not None:
        query = query.where(TestCenter.id.in_(center_ids))
    return list(db.session.scalars(query))


def utilisation(mondays: list[date], center_ids: list[int] | None = None) -> list[CenterWeeks]:
    """Seats offered and booked per center and ISO week; workstation-hours per center.

    A workstation-hour is one seat for one hour of the model's duration; used means
    the participant attended.
    """
    week = _bucket(ValidationSession.starts_at, [day_start(m) for m in mondays])
    minutes = ValidationModel.theory_minutes + ValidationModel.practical_minutes
    rows = db.session.execute(
        select(
            ValidationSession.center_id,
            week,
            func.sum(ValidationSession.seats),
            func.sum(ValidationSession.seats_taken),
            func.sum(ValidationSession.seats * minutes),
            func.sum(ValidationSession.seats_taken * minutes),
            func.sum(_attended() * minutes),
        )
        .join(ValidationModel, ValidationModel.id == ValidationSession.model_id)
        .where(*_sessions_within(mondays, center_ids))
        .group_by(ValidationSession.center_id, week)
    ).all()
    result = {center.id: CenterWeeks(center, {}) for center in _centers(center_ids)}
    for center_id, index, offered, booked, m_offered, m_booked, m_used in rows:
        row = result[center_id]
        row.weeks[mondays[index]] = (int(offered), int(booked))
        # PostgreSQL sums integers to numeric: back to plain numbers here.
        row.hours_offered += int(m_offered) / 60
        row.hours_booked += int(m_booked) / 60
        row.hours_used += int(m_used) / 60
    return list(result.values())


def low_sessions(
    mondays: list[date], below: int, center_ids: list[int] | None = None, now=None
) -> list[LowSession]:
    """Sessions of the range that have run with fewer than `below` % of their seats booked."""
    now = now or datetime.now(UTC)
    rows = db.session.execute(
        select(ValidationSession, _attended())
        .where(
            *_sessions_within(mondays, center_ids),
            ValidationSession.ends_at <= now,
            ValidationSession.seats > 0,
            ValidationSession.seats_taken * 100 < ValidationSession.seats * below,
        )
        .order_by(ValidationSession.starts_at, ValidationSession.id)
    ).all()
    _load(TestCenter, {s.center_id for s, _ in rows})
    _load(ValidationModel, {s.model_id for s, _ in rows})
    return [LowSession(session, used) for session, used in rows]


def _load(model, ids) -> None:
    """Put the rows in the session's identity map, so relationships need no query each."""
    if ids:
        list(db.session.scalars(select(model).where(model.id.in_(ids))))


def demand(mondays: list[date], center_ids: list[int] | None = None, now=None) -> list[DemandRow]:
    """No-shows among the range's sessions and who waits for a seat now, per center and model.

    The waitlist counts every session that has not started yet, whatever the range:
    it is where demand exceeds what is offered today.
    """
    now = now or datetime.now(UTC)
    in_range = and_(*_sessions_within(mondays, center_ids))
    upcoming = [
        ValidationSession.status == SessionStatus.SCHEDULED,
        ValidationSession.starts_at > now,
    ]
    if center_ids is not None:
        upcoming.append(ValidationSession.center_id.in_(center_ids))
    rows = db.session.execute(
        select(
            ValidationSession.center_id,
            ValidationSession.model_id,
            func.count(case((and_(in_range, Booking.status == BookingStatus.ATTENDED), 1))),
            func.count(case((and_(in_range, Booking.status == BookingStatus.NO_SHOW), 1))),
            func.count(case((and_(*upcoming, Booking.status == BookingStatus.WAITLISTED), 1))),
        )
        .select_from(Booking)
        .join(ValidationSession, ValidationSession.id == Booking.session_id)
        .where(
            Booking.status.in_(
                (BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.WAITLISTED)
            ),
            or_(in_range, and_(*upcoming)),
        )
        .group_by(ValidationSession.center_id, ValidationSession.model_id)
    ).all()
    centers = {c.id: c for c in _centers(center_ids)}
    models = {m.id: m for m in db.session.scalars(select(ValidationModel))}
    result = [
        DemandRow(centers[c], models[m], attended, no_shows, waitlisted)
        for c, m, attended, no_shows, waitlisted in rows
        if attended or no_shows or waitlisted
    ]
    # Where most people wait comes first, then where most stay away.
    return sorted(result, key=lambda r: (-r.waitlisted, -r.no_shows, r.center.name, r.model.name))


def counties() -> dict[int, County]:
    return {c.id: c for c in db.session.scalars(select(County))}
