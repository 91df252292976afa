"""A coordinator adds an employee: one address at a time, for the form and the CSV import.

The answer never tells whether an address has an account outside the coordinator's
company. Such an address gets what a new one gets ("invited"), no second account is
made, and the account's owner is told by mail instead, so that the form cannot be used
to find out who else uses the service. Only the company's own people are reported as
already there.
"""

from dataclasses import dataclass
from enum import Enum

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Company, Person, Role
from app.accounts.services import find_by_email, invite, may_register_for, new_person
from app.audit import services as audit
from app.db import utcnow
from app.errors import Forbidden
from app.extensions import db
from app.i18n import speaking_to
from app.mail.compose import compose
from app.mail.outbox import enqueue


class Outcome(Enum):
    INVITED = "invited"
    ALREADY_IN_COMPANY = "already_in_company"


@dataclass
class Enrolment:
    outcome: Outcome
    # The new account, or the company's own person already there; None for an
    # address that belongs to someone outside the company.
    person: Person | None = None


def enrol(
    name: str, email: str, company: Company, actor: Person, phone=None, team=None
) -> Enrolment:
    """Invite the person to the company in the caller's unit of work."""
    if not may_register_for(actor, company):
        raise Forbidden(_("Du kan bara registrera medarbetare i ditt eget företag."))
    existing = find_by_email(email)
    if existing is None:
        person = new_person(name, email, roles=(Role.EMPLOYEE,), company=company)
        person.phone = phone or None
        person.team = team or None
        try:
            with db.session.begin_nested():
                db.session.add(person)
                db.session.flush()
        except IntegrityError:  # the same address registered at the same moment
            if person in db.session:
                db.session.expunge(person)
            existing = find_by_email(email)
        else:
            invite(person, actor)
            return Enrolment(Outcome.INVITED, person)
    if existing.company_id == company.id:
        if not existing.active and existing.erased_at is None and existing.has_role(Role.EMPLOYEE):
            _welcome_back(existing, name, actor)
            return Enrolment(Outcome.INVITED, existing)
        return Enrolment(Outcome.ALREADY_IN_COMPANY, existing)
    _tell_account_holder(existing, company)
    return Enrolment(Outcome.INVITED)


def _welcome_back(person: Person, name: str, actor: Person) -> None:
    """One who had left the company is back: their account opens again, with the name
    typed now, and they choose a new password from a new invitation."""
    person.active = True
    person.name = name.strip() or person.name
    person.password_hash = None
    person.session_version += 1
    audit.record(actor, "person", person.id, "employment resumed")
    invite(person, actor)


def _tell_account_holder(person: Person, company: Company) -> None:
    """Mail the owner of an existing account that a coordinator tried to add them.

    At most once a day per company, so that uploading a list again does not flood them.
    """
    if person.erased_at is not None:
        return
    with speaking_to(person):
        paragraphs = [
            _(
                "En samordnare på %(company)s försökte registrera din e-postadress som "
                "medarbetare i Testcenterbokning. Du har redan ett konto, och ingenting i "
                "det har ändrats. Samordnaren har inte fått veta att du har ett konto.",
                company=company.name,
            ),
            _(
                "Har du börjat arbeta på %(company)s? Ett konto hör till ett företag, med "
                "resultaten därifrån, och flyttas inte till ett annat. Be samordnaren på "
                "%(company)s registrera dig med en annan e-postadress, till exempel den du "
                "har på %(company)s. Annars behöver du inte göra något.",
                company=company.name,
            ),
        ]
        context = {"person": person, "paragraphs": paragraphs}
        message = compose(
            (person.name, person.email),
            _("Någon försökte lägga till dig i Testcenterbokning"),
            render_template("accounts/mail/notice.txt", **context),
            render_template("accounts/mail/notice.html", **context),
        )
    enqueue(
        message,
        kind="account_notice",
        recipient=person.email,
        dedupe_key=f"added-elsewhere-{person.id}-{company.id}-{utcnow().date().isoformat()}",
    )
