"""Reading people and companies for pages and commands."""

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import Company, Person
from app.accounts.orgnr import normalise_orgnr
from app.extensions import db


def find_person(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def search_people(text: str, *where) -> list[Person]:
    """People whose name or e-mail address contains `text`, any case; the first 50 by name.
    `where`: further conditions (the people a limited project admin sees). An erased
    person is found by the name they are shown with too, in the reader's language
    ("Erased person"), not only by the placeholder stored."""
    pattern = f"%{text.lower()}%"
    matches = [func.lower(Person.name).like(pattern), func.lower(Person.email).like(pattern)]
    if text.lower() in gettext("Borttagen person").lower():
        matches.append(Person.erased_at.is_not(None))
    return list(
        db.session.scalars(
            select(Person)
            .where(or_(*matches), *where)
            .options(selectinload(Person.role_grants), joinedload(Person.company))
            .order_by(Person.name)
            .limit(50)
        )
    )


def company_employees(company_id: int, former: bool = False) -> list[Person]:
    """The company's current people (not erased, not left), by name (callers pick the
    roles they need); `former`: those who have left instead (app.accounts.employment)."""
    return list(
        db.session.scalars(
            select(Person)
            .where(
                Person.company_id == company_id,
                Person.erased_at.is_(None),
                Person.active.is_(not former),
            )
            .order_by(Person.name, Person.id)
        )
    )


def companies_by_name(*where) -> list[Company]:
    return list(db.session.scalars(select(Company).where(*where).order_by(Company.name)))


def company_by_org_number(org_number: str) -> Company | None:
    """The company with this organisationsnummer, written in any of its usual forms."""
    return db.session.scalar(
        select(Company).where(Company.org_number == (normalise_orgnr(org_number) or ""))
    )
