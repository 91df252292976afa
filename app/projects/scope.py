"""What a project admin may see: every project, or only the projects their grants name.

Views and services ask here rather than checking the role alone, so that a project
admin limited to one project sees that project's companies, their people and figures,
and nothing of the others.
"""

from sqlalchemy import ColumnElement, select, true

from app.accounts.models import Company, Person, Role
from app.extensions import db
from app.projects.models import FundingProject, ProjectCompany


def is_project_admin(person: Person) -> bool:
    return person.is_authenticated and person.has_role(Role.PROJECT_ADMIN)


def sees_every_project(person: Person) -> bool:
    return is_project_admin(person) and person.admin_project_ids is None


def visible_projects(person: Person) -> list[FundingProject]:
    """The projects a project admin may read, oldest first; none for anyone else."""
    if not is_project_admin(person):
        return []
    query = select(FundingProject).order_by(FundingProject.id)
    limited = person.admin_project_ids
    if limited is not None:
        query = query.where(FundingProject.id.in_(limited))
    return list(db.session.scalars(query))


def company_clause(person: Person, company_id=Company.id) -> ColumnElement[bool]:
    """A WHERE clause on a company id column: the companies a project admin may see."""
    limited = person.admin_project_ids
    if limited is None:
        return true()
    return company_id.in_(
        select(ProjectCompany.company_id).where(ProjectCompany.project_id.in_(limited))
    )


def sees_company(person: Person, company_id: int) -> bool:
    """May this project admin see this company (its people, bookings and results)?"""
    if not is_project_admin(person):
        return False
    limited = person.admin_project_ids
    if limited is None:
        return True
    return (
        db.session.scalar(
            select(ProjectCompany.company_id).where(
                ProjectCompany.company_id == company_id,
                ProjectCompany.project_id.in_(limited),
            )
        )
        is not None
    )
