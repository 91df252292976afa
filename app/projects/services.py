"""Which companies take part in a funding project: adding and removing them.

A company takes part by name (project_company); a new project has none. Every change
is idempotent (adding a company twice or removing one that is not there changes
nothing and records nothing) and is written to the audit log in the same
transaction. The project's row is locked first, so that two admins changing the same
project's companies at once take turns instead of colliding on the primary key.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Company, Person
from app.audit import services as audit
from app.db import unit_of_work
from app.errors import Forbidden, InvalidInput, NotFound
from app.extensions import db
from app.projects.models import FundingProject, ProjectCompany, ProjectTarget
from app.regions.models import County, Municipality

ADDED, REMOVED = "company added", "company removed"


def _locked_project(project_id: int) -> FundingProject:
    project = db.session.scalar(
        select(FundingProject).where(FundingProject.id == project_id).with_for_update()
    )
    if project is None:
        raise NotFound(_("Projektet finns inte."))
    return project


def _taking_part(project_id: int):
    return select(ProjectCompany.company_id).where(ProjectCompany.project_id == project_id)


def _with_place(query):
    """Companies with their municipality and county loaded, by county, then name."""
    return (
        query.join(Municipality, Municipality.id == Company.municipality_id)
        .join(County, County.id == Municipality.county_id)
        .options(joinedload(Company.municipality).joinedload(Municipality.county))
        .order_by(County.name, Company.name, Company.id)
    )


def participants(project_id: int) -> list[Company]:
    """The companies taking part, with their places, by county and name."""
    query = select(Company).where(Company.id.in_(_taking_part(project_id)))
    return list(db.session.scalars(_with_place(query)))


def candidates(project_id: int) -> list[Company]:
    """The companies not taking part yet, by county and name."""
    query = select(Company).where(Company.id.not_in(_taking_part(project_id)))
    return list(db.session.scalars(_with_place(query)))


def _may_change(actor: Person | None) -> None:
    """Only an admin of every project changes who takes part: a limited admin who added a
    company would see its people."""
    if actor is not None and not actor.sees_every_project:
        raise Forbidden(
            _("Bara en administratör för alla projekt ändrar vilka företag som deltar.")
        )


def _record(actor: Person | None, project_id: int, action: str, company: Company) -> None:
    audit.record(actor, "project", project_id, action, detail=company.name)


def _company(company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        raise InvalidInput(_("Företaget finns inte. Välj ett företag i listan."))
    return company


def add_company(project_id: int, company_id: int, actor: Person | None = None) -> bool:
    """Let a company take part; False when it already did (nothing changes then)."""
    _may_change(actor)
    with unit_of_work():
        _locked_project(project_id)
        company = _company(company_id)
        if db.session.get(ProjectCompany, (project_id, company_id)) is not None:
            return False
        db.session.execute(
            insert(ProjectCompany).values(project_id=project_id, company_id=company_id)
        )
        _record(actor, project_id, ADDED, company)
    return True


def remove_company(project_id: int, company_id: int, actor: Person | None = None) -> bool:
    """End a company's taking part; False when it did not take part. Its bookings stay,
    they no longer count for the project."""
    _may_change(actor)
    with unit_of_work():
        _locked_project(project_id)
        company = _company(company_id)
        removed = db.session.execute(
            delete(ProjectCompany).where(
                ProjectCompany.project_id == project_id, ProjectCompany.company_id == company_id
            )
        ).rowcount
        if not removed:
            return False
        _record(actor, project_id, REMOVED, company)
    return True


def add_companies_in_scope(project_id: int, actor: Person | None = None) -> int:
    """Let every company of the project's target counties and industries take part.

    Answers how many were added; those taking part already stay as they are.
    """
    _may_change(actor)
    with unit_of_work():
        project = _locked_project(project_id)
        scopes = [
            and_(Municipality.county_id == t.county_id, Company.industry == t.industry)
            for t in db.session.scalars(
                select(ProjectTarget).where(ProjectTarget.project_id == project.id)
            )
        ]
        if not scopes:
            return 0
        new = list(
            db.session.scalars(
                select(Company)
                .join(Municipality, Municipality.id == Company.municipality_id)
                .where(or_(*scopes), Company.id.not_in(_taking_part(project.id)))
                .order_by(Company.name, Company.id)
            )
        )
        if new:
            db.session.execute(
                insert(ProjectCompany),
                [{"project_id": project.id, "company_id": c.id} for c in new],
            )
        for company in new:
            _record(actor, project.id, ADDED, company)
    return len(new)


def participation_version() -> tuple:
    """How many companies take part in each project, and which (as a sum of ids): a value
    that changes when any project's companies do, cheap enough to read per request."""
    rows = db.session.execute(
        select(
            ProjectCompany.project_id,
            func.count(),
            func.sum(ProjectCompany.company_id),
        )
        .group_by(ProjectCompany.project_id)
        .order_by(ProjectCompany.project_id)
    ).all()
    return tuple((p, int(n), int(s)) for p, n, s in rows)


def company_counts() -> dict[int, int]:
    """Project id -> how many companies take part in it."""
    return {project_id: count for project_id, count, _ids in participation_version()}
