"""What a project admin may see: every project, or only the projects their grants name.

Views and services ask here rather than checking the role alone, so that a project
admin limited to one project sees that project's companies, their people and figures,
and nothing of the others.
"""

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import selectinload

from app.accounts.models import Company, Person, Role, RoleGrant
from app.accounts.queries import companies_by_name, search_people
from app.audit import services as audit
from app.db import unit_of_work
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.projects.models import FundingProject, ProjectCompany

# The audit log's action when a project admin's projects change (detail: their names).
PROJECT_ADMIN_SCOPE = "project admin scope"


def is_project_admin(person: Person) -> bool:
    return person.is_authenticated and person.has_role(Role.PROJECT_ADMIN)


def visible_projects(person: Person) -> list[FundingProject]:
    """The projects a project admin may read, oldest first; none for anyone else.

    With their targets (their counties): the dashboard reads every project's."""
    if not is_project_admin(person):
        return []
    query = (
        select(FundingProject)
        .options(selectinload(FundingProject.targets))
        .order_by(FundingProject.id)
    )
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


def takes_part_in_admins_projects(person: Person, company_id: int) -> bool:
    """Whether a company takes part in one of a limited project admin's projects: the
    answer app.accounts.company_scope asks for (create_app registers it), which holds
    the rest of the rule (the role; every company for an admin of every project)."""
    return (
        db.session.scalar(
            select(ProjectCompany.company_id)
            .where(
                ProjectCompany.company_id == company_id,
                ProjectCompany.project_id.in_(person.admin_project_ids or ()),
            )
            .limit(1)
        )
        is not None
    )


def visible_companies(person: Person) -> list[Company]:
    """The companies a project admin may choose (by name); none for anyone else. A limited
    project admin who is also a company's coordinator has their own company too."""
    if not is_project_admin(person):
        return []
    clause = company_clause(person)
    if person.has_role(Role.COORDINATOR) and person.company_id is not None:
        clause = or_(clause, Company.id == person.company_id)
    return companies_by_name(clause)


def find_people(person: Person, text: str) -> list[Person]:
    """People a project admin may act on (erase) whose name or address contains `text`:
    everyone for an admin of every project, the people of their companies for a limited one."""
    if not is_project_admin(person):
        return []
    if person.admin_project_ids is None:
        return search_people(text)
    return search_people(text, company_clause(person, Person.company_id))


def project_names(project_ids) -> dict[int, str]:
    """The names of the projects that exist among `project_ids`, by id."""
    return dict(
        db.session.execute(
            select(FundingProject.id, FundingProject.name).where(
                FundingProject.id.in_(list(project_ids))
            )
        ).all()
    )


def set_admin_projects(person: Person, project_ids, actor: Person | None = None) -> bool:
    """Limit a project admin to `project_ids`, or (None or empty) let them see every project.

    The person's project_admin grants are replaced in one unit of work, and the change is
    in the audit log. `actor` None is the operator at the command line. Answers False when
    the grants were already those: nothing is written then, nor logged.
    """
    if actor is not None and not actor.sees_every_project:
        raise Forbidden()
    if not person.has_role(Role.PROJECT_ADMIN):
        raise DomainError(_("%(email)s är inte projektadministratör.", email=person.email))
    wanted = sorted(set(project_ids or ()))
    if wanted and actor is not None and actor.id == person.id:
        # Limited, they could no longer undo it (nor give anyone else every project).
        raise DomainError(
            _("Du kan inte begränsa dig själv. Be en annan projektadministratör om det.")
        )
    with unit_of_work():
        if missing := set(wanted) - set(project_names(wanted)):
            raise NotFound(
                _("Projektet finns inte: %(ids)s", ids=", ".join(map(str, sorted(missing))))
            )
        grants = [g for g in person.role_grants if g.role == Role.PROJECT_ADMIN]
        if {g.project_id for g in grants} == (set(wanted) or {None}):
            return False  # the same command run twice: an audit entry would tell of no change
        for grant in grants:
            person.role_grants.remove(grant)
        db.session.flush()  # the old grants go before the new ones meet the unique constraint
        if wanted:
            person.role_grants += [
                RoleGrant(role=Role.PROJECT_ADMIN, project_id=pid) for pid in wanted
            ]
        else:
            person.role_grants.append(RoleGrant(role=Role.PROJECT_ADMIN))
        db.session.flush()
        # The projects' names as they are now: empty for every project.
        names = project_names(wanted)
        audit.record(
            actor,
            "person",
            person.id,
            PROJECT_ADMIN_SCOPE,
            detail=", ".join(names[i] for i in wanted),
        )
    return True


def visible_project(person: Person, project_id: int | None) -> FundingProject:
    """The project asked for (None: the first the person sees), if they may see it;
    NotFound otherwise, as for a project that does not exist."""
    query = select(FundingProject).order_by(FundingProject.id).limit(1)
    if project_id is not None:
        query = query.where(FundingProject.id == project_id)
    limited = person.admin_project_ids if is_project_admin(person) else frozenset()
    if limited is not None:
        query = query.where(FundingProject.id.in_(limited))
    project = db.session.scalar(query)
    if project is None:
        raise NotFound(_("Projektet finns inte."))
    return project
