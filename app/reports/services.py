"""The project dashboard's figures, each computed by one SQL aggregation.

A booking counts for a funding project when the employee's company takes part in the
project (project_company), the session starts within the project's period and the
session's test center lies in one of the project's counties (those of its targets,
through the center's municipality). A company taking part in two projects counts in
both. A reached company or employee is attributed to the target of the company's
county and industry; one without such a target still counts in the project's totals
and per validation model.

Who counts as reached (per company and per employee):

- booked: holds or held a seat (confirmed, attended or no-show) in a session that
  starts within the period and was not cancelled;
- attended: was marked present at such a session;
- passed: attended and got at least one competence area approved there.

Months and ISO weeks are Stockholm's: their boundaries are computed here as UTC
instants and handed to the database as a CASE expression, so that both SQLite (which
knows no time zones) and PostgreSQL bucket alike.
"""

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError

from app.accounts.models import INDUSTRIES, Company, Person
from app.bookings.models import SEAT_STATUSES, Booking, BookingStatus
from app.centers.models import TestCenter
from app.db import unit_of_work
from app.errors import Forbidden, InvalidInput, NotFound
from app.extensions import db
from app.projects import services as project_services
from app.projects.models import FundingProject, ProjectCompany, ProjectTarget
from app.regions.models import County, Municipality
from app.regions.queries import counties_by_name
from app.reports.queries import find_target
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

    def cells(self, mondays: list[date]) -> list["HeatCell | None"]:
        """The heatmap's row: each week's cell, None for a week without seats offered."""
        row = []
        for monday in mondays:
            offered, booked = self.weeks.get(monday, (0, 0))
            if not offered:
                row.append(None)
                continue
            share = booked / offered
            # Five shades, full from 80 %; the text rounds as Jinja's round filter did.
            row.append(HeatCell(min(int(share * 5), 4), booked, offered, round(100 * share)))
        return row


class HeatCell(NamedTuple):
    level: int  # 0-4
    booked: int
    offered: int
    percent: int


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
    """Every project's settings, targets and companies, as one value that changes when any does.

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
    return (
        tuple(map(tuple, projects)),
        tuple(map(tuple, targets)),
        project_services.participation_version(),
    )


def get_project(project_id: int | None) -> FundingProject:
    """The project asked for, or the first one."""
    query = select(FundingProject).order_by(FundingProject.id).limit(1)
    if project_id is not None:
        query = select(FundingProject).where(FundingProject.id == project_id)
    project = db.session.scalar(query)
    if project is None:
        raise NotFound(_("Projektet finns inte."))
    return project


def _name_taken(name: str, project_id: int | None = None) -> bool:
    """Whether another project has that name, whatever its case: "validering mitt" beside
    "Validering Mitt" would be two projects nobody can tell apart in a list.

    Compared in Python (casefold): SQLite's lower() folds only A-Z, so "Ådalen" and
    "ådalen" differed there. The projects are few enough to read them all."""
    _lock_names()
    wanted = name.strip().casefold()
    rows = db.session.execute(select(FundingProject.id, FundingProject.name))
    return any(other.casefold() == wanted and pid != project_id for pid, other in rows)


def _lock_names() -> None:
    """Let one admin at a time compare and write project names, until their commit.

    The unique constraint is case-sensitive: two admins saving "Ådalen" and "ådalen" at
    the same instant both passed the check and both were stored on PostgreSQL. SQLite
    needs no lock: a unit of work there holds the database's write lock from BEGIN."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_NAMES_LOCK)))


_NAMES_LOCK = 0x7072_6F6A  # any constant that no other advisory lock in the app uses


@contextmanager
def _named():
    """Write the project's name in a savepoint: a name written by another admin at the same
    moment (after our check looked) is refused as the check would have, not with a 500.
    The changes are made inside the block: begin_nested flushes what is pending first."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as error:
        raise InvalidInput(_("Det finns redan ett projekt med det namnet.")) from error


def update_project(project_id: int, name: str, starts_on: date, ends_on: date) -> FundingProject:
    if starts_on > ends_on:
        raise InvalidInput(_("Projektet måste sluta samma dag som det börjar eller senare."))
    with unit_of_work():
        project = get_project(project_id)
        # A name kept as it is never clashes: two projects named alike before names were
        # compared this way can still have their periods saved.
        if name != project.name and _name_taken(name, project_id):
            raise InvalidInput(_("Det finns redan ett projekt med det namnet."))
        with _named():
            project.name, project.starts_on, project.ends_on = name, starts_on, ends_on
    return project


def _target(project_id: int, target_id: int) -> ProjectTarget:
    """The project's target: one of another project is not found, so that a form left open
    on one project never changes another's target that came to have its id."""
    target = find_target(project_id, target_id)
    if target is None:
        raise NotFound(_("Målet finns inte."))
    return target


def update_target(project_id: int, target_id: int, companies: int, employees: int) -> ProjectTarget:
    if companies < 0 or employees < 0:
        raise InvalidInput(_("Ett mål kan inte vara negativt."))
    with unit_of_work():
        target = _target(project_id, target_id)
        target.companies, target.employees = companies, employees
    return target


def create_project(name: str, starts_on: date, ends_on: date) -> FundingProject:
    """A new funding project, without targets yet."""
    if starts_on > ends_on:
        raise InvalidInput(_("Projektet måste sluta samma dag som det börjar eller senare."))
    with unit_of_work():
        if _name_taken(name):
            raise InvalidInput(_("Det finns redan ett projekt med det namnet."))
        project = FundingProject(name=name, starts_on=starts_on, ends_on=ends_on)
        with _named():
            db.session.add(project)
    return project


def may_add_county(actor: Person | None) -> bool:
    """Whether the actor may give a project a county it has no target in yet. Only an
    admin of every project: the county's test centers (and their use) would then show on
    a limited admin's dashboard, widening what they see, as adding a company would."""
    return actor is None or actor.sees_every_project


def target_counties(actor: Person | None, project: FundingProject) -> list[County]:
    """The counties the actor may give the project a new target in, by name."""
    counties = counties_by_name()
    if may_add_county(actor):
        return counties
    own = {t.county_id for t in project.targets}
    return [c for c in counties if c.id in own]


def add_target(
    project_id: int,
    county_id: int,
    industry: str,
    companies: int,
    employees: int,
    actor: Person | None = None,
) -> ProjectTarget:
    """A target for one more county and industry; one per pair and project.

    `actor` None is the operator (a script, the tests): any county."""
    if industry not in INDUSTRIES:
        raise InvalidInput(_("Okänd bransch."))
    if companies < 0 or employees < 0:
        raise InvalidInput(_("Ett mål kan inte vara negativt."))
    with unit_of_work():
        project = get_project(project_id)
        if db.session.get(County, county_id) is None:
            raise InvalidInput(_("Länet finns inte."))
        if county_id not in {t.county_id for t in project.targets} and not may_add_county(actor):
            raise Forbidden(
                _(
                    "Bara en administratör för alla projekt lägger till ett nytt län i "
                    "projektet. Välj ett av projektets län."
                )
            )
        if any(t.county_id == county_id and t.industry == industry for t in project.targets):
            raise InvalidInput(_("Projektet har redan ett mål för det länet och den branschen."))
        target = ProjectTarget(
            county_id=county_id, industry=industry, companies=companies, employees=employees
        )
        project.targets.append(target)
    return target


def remove_target(project_id: int, target_id: int) -> None:
    """Remove one of the project's targets."""
    with unit_of_work():
        db.session.delete(_target(project_id, target_id))


# --- progress against the targets -----------------------------------------------------


def _period(project: FundingProject):
    """Sessions that count for the project: not cancelled, starting within its period."""
    return and_(
        ValidationSession.status == SessionStatus.SCHEDULED,
        ValidationSession.starts_at >= day_start(project.starts_on),
        ValidationSession.starts_at < day_start(project.ends_on + timedelta(days=1)),
    )


def _in_counties(project: FundingProject):
    """Sessions at a test center in one of the project's counties (those of its targets)."""
    if not project.targets:
        return false()
    return ValidationSession.center_id.in_(_centers_of(project))


def _centers_of(project: FundingProject):
    county_ids = sorted({t.county_id for t in project.targets})
    return (
        select(TestCenter.id)
        .join(Municipality, Municipality.id == TestCenter.municipality_id)
        .where(Municipality.county_id.in_(county_ids))
    )


def project_centers(project: FundingProject) -> list[int]:
    """The test centers in the project's counties: those whose use its dashboard shows."""
    return list(db.session.scalars(_centers_of(project).order_by(TestCenter.id)))


def center_counties(center_ids: list[int]) -> list[int]:
    """The counties the test centers lie in."""
    return list(
        db.session.scalars(
            select(Municipality.county_id)
            .join(TestCenter, TestCenter.municipality_id == Municipality.id)
            .where(TestCenter.id.in_(center_ids))
            .distinct()
        )
    )


def _stage_flags():
    """Per booking: did it count as attended, as passed."""
    # Naming the column (not SELECT *) lets the database answer from the index alone.
    approved = (
        select(AreaOutcome.booking_id)
        .where(AreaOutcome.booking_id == Booking.id, AreaOutcome.result == OutcomeResult.APPROVED)
        .exists()
    )
    attended = Booking.status == BookingStatus.ATTENDED
    return attended, and_(attended, approved)


@dataclass
class ProjectReach:
    """A project's progress: per target, per validation model, per target and month."""

    targets: list[TargetProgress]
    models: list[ModelReach]
    months: dict[int, list[MonthPoint]]  # target id -> its points
    total: Reach = field(default_factory=Reach)  # every company and employee counted


def _reached(project: FundingProject):
    """The period's seat bookings as one row per employee and model (the first start of
    each stage), walking from the period's sessions to their bookings by index; only
    those rows meet the employees' companies taking part and their counties. A CTE,
    computed once however often the statement reads it."""
    attended, passed = _stage_flags()
    starts = ValidationSession.starts_at
    per_model = (
        select(
            Booking.employee_id,
            ValidationSession.model_id,
            func.min(starts).label("booked"),
            func.min(case((attended, starts))).label("attended"),
            func.min(case((passed, starts))).label("passed"),
        )
        .select_from(ValidationSession)
        .join(Booking, Booking.session_id == ValidationSession.id)
        .where(_period(project), _in_counties(project), Booking.status.in_(SEAT_STATUSES))
        .group_by(Booking.employee_id, ValidationSession.model_id)
        .cte("per_model")
    )
    return (
        select(
            per_model,
            Person.company_id,
            Municipality.county_id,
            Company.industry,
        )
        .join(Person, Person.id == per_model.c.employee_id)
        .join(
            ProjectCompany,
            and_(
                ProjectCompany.company_id == Person.company_id,
                ProjectCompany.project_id == project.id,
            ),
        )
        .join(Company, Company.id == Person.company_id)
        .join(Municipality, Municipality.id == Company.municipality_id)
        .cte("reached")
        .prefix_with("MATERIALIZED")
    )


def _reach_columns(rows) -> list:
    """Distinct companies, then employees, at each stage: rows are one per employee (per
    employee and model, for the models' figures), so employees need no DISTINCT."""
    stages = (rows.booked, rows.attended, rows.passed)
    return [
        *(func.count(distinct(case((s.is_not(None), rows.company_id)))) for s in stages),
        *(func.count(s) for s in stages),
    ]


def project_reach(project: FundingProject, now: datetime | None = None) -> ProjectReach:
    """Every figure of the project's progress, from one statement.

    Groupings of the rows of `_reached` give the targets', the models', the months' and
    the total figures. An employee belongs to one company, hence to one county and
    industry: counting distinct employees and companies over these rows counts what the
    bookings reach.
    """
    now = now or datetime.now(UTC)
    months = _months(project, local_date(now))
    reached = _reached(project)
    r = reached.c
    # The first session of each stage, per employee: its month's index in `months`.
    month = functools.partial(_bucket, starts=[day_start(m) for m in months or [now]])
    per_employee = (
        select(
            r.county_id,
            r.industry,
            func.min(r.company_id).label("company_id"),  # an employee has one
            month(func.min(r.booked)).label("booked"),
            month(func.min(r.attended)).label("attended"),
            month(func.min(r.passed)).label("passed"),
        )
        .group_by(r.county_id, r.industry, r.employee_id)
        .cte("per_employee")
        .prefix_with("MATERIALIZED")
    )
    e = per_employee.c
    reach = _reach_columns
    # One statement, one row shape: each grouping leaves the others' columns empty,
    # typed, since PostgreSQL matches a union's columns pairwise.
    none = cast(null(), Integer)
    statement = union_all(
        select(literal("target"), e.county_id, e.industry, *reach(e), *[none] * 4).group_by(
            e.county_id, e.industry
        ),
        select(literal("model"), r.model_id, cast(null(), String), *reach(r), *[none] * 4).group_by(
            r.model_id
        ),
        select(literal("total"), none, cast(null(), String), *reach(e), *[none] * 4),
        select(
            literal("month"),
            e.county_id,
            e.industry,
            *[none] * 6,
            e.booked,
            e.attended,
            e.passed,
            func.count(),
        ).group_by(e.county_id, e.industry, e.booked, e.attended, e.passed),
    )
    by_scope, by_model, firsts, total = {}, {}, {}, Reach()
    for kind, key, industry, *figures in db.session.execute(statement):
        if kind == "total":
            total = _reach(figures[:6])
        elif kind == "target":
            by_scope[(key, industry)] = _reach(figures[:6])
        elif kind == "model":
            by_model[key] = _reach(figures[:6])
        else:
            firsts.setdefault((key, industry), []).append(figures[6:])
    models = db.session.scalars(select(ValidationModel).order_by(ValidationModel.name))
    return ProjectReach(
        targets=[
            TargetProgress(t, by_scope.get((t.county_id, t.industry), Reach()))
            for t in project.targets
        ],
        models=[ModelReach(m, by_model.get(m.id, Reach())) for m in models],
        months={
            t.id: _cumulated(months, firsts.get((t.county_id, t.industry), []))
            for t in project.targets
        },
        total=total,
    )


@dataclass
class ProjectSummary:
    """One project's row in the side-by-side comparison."""

    project: FundingProject
    counties: list[County]
    companies_taking_part: int
    company_target: int  # the sum of its targets
    employee_target: int
    reach: Reach  # every company and employee counted for it

    def share(self, kind: str) -> float | None:
        """Companies or employees with a booking, as a share of their target."""
        target = self.company_target if kind == "companies" else self.employee_target
        reached = getattr(self.reach, kind)["booked"]
        return reached / target if target else None


def compare(
    projects: list[FundingProject], known: dict[int, "ProjectReach"] | None = None
) -> list[ProjectSummary]:
    """Each project's totals side by side, those of every project the caller has not
    already counted (`known`, by project id) from one statement."""
    known = known or {}
    taking_part = project_services.company_counts()
    by_id = counties()
    totals = {i: r.total for i, r in known.items()}
    totals |= project_totals([p for p in projects if p.id not in known])
    rows = []
    for project in projects:
        county_ids = {t.county_id for t in project.targets}
        rows.append(
            ProjectSummary(
                project=project,
                counties=sorted((by_id[c] for c in county_ids), key=lambda c: c.name),
                companies_taking_part=taking_part.get(project.id, 0),
                company_target=sum(t.companies for t in project.targets),
                employee_target=sum(t.employees for t in project.targets),
                reach=totals.get(project.id, Reach()),
            )
        )
    return rows


def project_totals(projects: list[FundingProject]) -> dict[int, Reach]:
    """Every company and employee counted for each project (project_reach's totals),
    from one walk over the bookings of the projects' periods together.

    A project's own statement (project_reach) plans and walks its period alone; side by
    side, one statement a project cost the national dashboard (five projects) four
    plannings and four walks over much the same sessions.
    """
    projects = [p for p in projects if p.targets]  # no county, nothing counts
    if not projects:
        return {}
    attended, passed = _stage_flags()
    starts = ValidationSession.starts_at
    project_id = ProjectCompany.project_id
    # Which project a row counts for: its company takes part, and the session lies in
    # the project's period and counties.
    counts_for = or_(
        *(
            and_(
                project_id == p.id,
                starts >= day_start(p.starts_on),
                starts < day_start(p.ends_on + timedelta(days=1)),
                Municipality.county_id.in_(sorted({t.county_id for t in p.targets})),
            )
            for p in projects
        )
    )
    per_employee = (
        select(
            project_id,
            func.min(Person.company_id).label("company_id"),  # an employee has one
            func.min(starts).label("booked"),
            func.min(case((attended, starts))).label("attended"),
            func.min(case((passed, starts))).label("passed"),
        )
        .select_from(ValidationSession)
        .join(Booking, Booking.session_id == ValidationSession.id)
        .join(TestCenter, TestCenter.id == ValidationSession.center_id)
        .join(Municipality, Municipality.id == TestCenter.municipality_id)
        .join(Person, Person.id == Booking.employee_id)
        .join(ProjectCompany, ProjectCompany.company_id == Person.company_id)
        .where(
            ValidationSession.status == SessionStatus.SCHEDULED,
            # The span of every period, for the index on the sessions' starts.
            starts >= day_start(min(p.starts_on for p in projects)),
            starts < day_start(max(p.ends_on for p in projects) + timedelta(days=1)),
            Booking.status.in_(SEAT_STATUSES),
            counts_for,
        )
        .group_by(project_id, Booking.employee_id)
        .subquery()
    )
    e = per_employee.c
    rows = db.session.execute(select(e.project_id, *_reach_columns(e)).group_by(e.project_id)).all()
    return {row[0]: _reach(row) for row in rows}


def _reach(row) -> Reach:
    return Reach(
        companies=dict(zip(STAGES, row[-6:-3], strict=True)),
        employees=dict(zip(STAGES, row[-3:], strict=True)),
    )


def target_progress(project: FundingProject) -> list[TargetProgress]:
    """Each target with the companies and employees of its county and industry reached."""
    return project_reach(project).targets


def model_progress(project: FundingProject) -> list[ModelReach]:
    """The same counts per validation model, within the project's scope."""
    return project_reach(project).models


def _months(project: FundingProject, today: date) -> list[date]:
    last = min(project.ends_on, today)
    month = project.starts_on.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _bucket(column, starts: list[datetime]):
    """The index of the bucket (starting at starts[i]) that a UTC instant falls in.

    No instant (NULL) falls in none. With one bucket this is still an expression,
    since GROUP BY takes a bare 0 as a position.
    """
    whens = [(column < start, index - 1) for index, start in enumerate(starts[1:], start=1)]
    return case((column.is_(None), None), *whens, else_=len(starts) - 1)


def monthly_progress(
    project: FundingProject, target: ProjectTarget, now: datetime | None = None
) -> list[MonthPoint]:
    """Employees of a target's scope reached by the end of each month so far.

    The current month also holds the bookings of sessions still to come, so that the
    last point is the figure the target table shows.
    """
    return project_reach(project, now).months[target.id]


def _cumulated(months: list[date], rows) -> list[MonthPoint]:
    """Month points from (first month booked, attended, passed; employees) rows."""
    if not months:
        return []
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
    """The session's participants marked present, counted through its booking index.

    count(*), not of a column: PostgreSQL then answers from the index alone, and the
    lower cost keeps its planner from compiling the query (JIT took half of it).
    """
    return (
        select(func.count())
        .select_from(Booking)
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
    mondays: list[date],
    below: int,
    center_ids: list[int] | None = None,
    now=None,
    limit: int | None = None,
) -> list[LowSession]:
    """Sessions of the range that have run with fewer than `below` % of their seats booked.

    With `limit`, the first that many (what a page shows); low_session_count tells all.
    """
    now = now or datetime.now(UTC)
    rows = db.session.execute(
        select(ValidationSession, _attended())
        .where(*_low(mondays, below, center_ids, now))
        .order_by(ValidationSession.starts_at, ValidationSession.id)
        .limit(limit)
    ).all()
    _load(TestCenter, {s.center_id for s, _ in rows})
    _load(ValidationModel, {s.model_id for s, _ in rows})
    return [LowSession(session, used) for session, used in rows]


def low_session_count(
    mondays: list[date], below: int, center_ids: list[int] | None = None, now=None
) -> int:
    now = now or datetime.now(UTC)
    return db.session.scalar(
        select(func.count(ValidationSession.id)).where(*_low(mondays, below, center_ids, now))
    )


def _low(mondays: list[date], below: int, center_ids: list[int] | None, now: datetime):
    return [
        *_sessions_within(mondays, center_ids),
        ValidationSession.ends_at <= now,
        ValidationSession.seats > 0,
        ValidationSession.seats_taken * 100 < ValidationSession.seats * below,
    ]


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
