"""Creating people and checking who they are."""

from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import login_sessions
from app.accounts.company_scope import project_admin_sees_company
from app.accounts.models import Company, Person, Role, RoleGrant
from app.accounts.orgnr import normalise_orgnr
from app.audit import services as audit
from app.db import unit_of_work
from app.errors import DomainError, Forbidden, InvalidInput
from app.extensions import db
from app.i18n import speaking_to
from app.mail.compose import compose
from app.mail.outbox import enqueue
from app.regions.models import Municipality


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_by_email(email: str) -> Person | None:
    address = normalise_email(email)
    if "\x00" in address:  # no account has one, and PostgreSQL refuses NUL in a query
        return None
    return db.session.scalar(select(Person).where(func.lower(Person.email) == address))


def authenticate(email: str, password: str) -> Person | None:
    """Return the active person with this e-mail and password, or None."""
    person = find_by_email(email)
    if person is None or not person.password_hash:
        # Spend the time a real check takes, so the answer's speed does not tell
        # whether the address has an account.
        check_password_hash(_dummy_hash(), password)
        return None
    if not person.check_password(password) or not person.is_active:
        return None
    return person


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    cached = _DUMMY_HASHES.get(method)
    if cached is None:
        cached = _DUMMY_HASHES[method] = generate_password_hash("not-a-password", method=method)
    return cached


_DUMMY_HASHES: dict[str, str] = {}


def new_person(
    name: str,
    email: str,
    password: str | None = None,
    roles: tuple[str, ...] = (Role.EMPLOYEE,),
    company=None,
    center=None,
    password_hash: str | None = None,
    project_ids: tuple[int, ...] = (),
) -> Person:
    """Make a person with roles (a center_admin role is for `center`); the caller adds it.

    A project_admin role with `project_ids` is one grant per project: limited to them.
    Without, it is the one grant that sees every project.
    """
    if not email.isascii():  # the forms and the import say so first; the CLI gets this
        raise InvalidInput(_("Skriv e-postadressen utan å, ä, ö eller andra tecken utanför a–z."))
    person = Person(
        name=name.strip(),
        email=normalise_email(email),
        company=company,
        password_hash=password_hash or (hash_password(password) if password else None),
    )
    grants = []
    for role in roles:
        if role == Role.PROJECT_ADMIN and project_ids:
            grants += [RoleGrant(role=role, project_id=pid) for pid in sorted(set(project_ids))]
        else:
            grants.append(
                RoleGrant(role=role, center_id=center.id if role == Role.CENTER_ADMIN else None)
            )
    person.role_grants = grants
    return person


# Links in mail: signed tokens that name the person and their session version. Setting
# a password raises the version, so a link works once; the signature's age limits it.
LINK_PURPOSES = ("invite", "reset")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def link_token(person: Person, purpose: str) -> str:
    return _serializer(purpose).dumps([person.id, person.session_version])


def _max_age(purpose: str) -> int:
    if purpose == "invite":
        return current_app.config["INVITATION_DAYS"] * 86400
    return current_app.config["RESET_LINK_HOURS"] * 3600


def person_for_link(token: str, purpose: str) -> Person | None:
    """The person a reset or invitation link is for, or None if it is bad, old or used."""
    if len(token) > 300:
        return None
    try:
        person_id, version = _serializer(purpose).loads(token, max_age=_max_age(purpose))
        person = db.session.get(Person, int(person_id))
    except (BadSignature, ValueError, TypeError):
        return None
    if person is None or person.session_version != version or not person.is_active:
        return None
    return person


def _link_mail(person: Person, purpose: str, inviter: Person | None = None) -> None:
    """Queue the invitation or reset mail in the caller's transaction (see app/mail/outbox.py).

    An invitation is written in the new person's language (Swedish until they choose),
    not in that of the coordinator who sent it. A reset link is in the language the
    person chose, if they have; only without a choice in that of the page it was asked
    from (anyone may ask for anyone's address)."""
    if purpose == "invite" or person.locale:
        with speaking_to(person):
            _write_link_mail(person, purpose, inviter)
    else:
        _write_link_mail(person, purpose)


def _invitation_intro(person: Person, inviter: Person | None) -> str:
    """Who registered the person, and for which company, when someone did (not the CLI)."""
    days = current_app.config["INVITATION_DAYS"]
    company = person.company
    if inviter is not None and company is not None:
        if inviter.company_id == company.id:  # their coordinator
            return _(
                "%(inviter)s på %(company)s har registrerat dig i Testcenterbokning. Öppna "
                "länken och välj ett lösenord. Länken gäller i %(days)s dagar och kan "
                "användas en gång.",
                inviter=inviter.name,
                company=company.name,
                days=days,
            )
        return _(
            "%(inviter)s har registrerat dig i Testcenterbokning för %(company)s. Öppna "
            "länken och välj ett lösenord. Länken gäller i %(days)s dagar och kan användas "
            "en gång.",
            inviter=inviter.name,
            company=company.name,
            days=days,
        )
    return _(
        "Du har fått ett konto i Testcenterbokning. Öppna länken och välj ett lösenord. "
        "Länken gäller i %(days)s dagar och kan användas en gång.",
        days=days,
    )


def _write_link_mail(person: Person, purpose: str, inviter: Person | None = None) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    # Built by hand rather than with url_for so that the CLI, without a request, can invite.
    link = f"{base}/password/{purpose}/{link_token(person, purpose)}"
    if purpose == "invite":
        subject = _("Välkommen till Testcenterbokning: välj ditt lösenord")
        intro = _invitation_intro(person, inviter)
    else:
        subject = _("Nytt lösenord till Testcenterbokning")
        intro = _(
            "Någon (förhoppningsvis du) bad om ett nytt lösenord. Öppna länken och välj ett. "
            "Länken gäller i %(hours)s timmar och kan användas en gång. Bad du inte om det "
            "kan du strunta i det här mejlet.",
            hours=current_app.config["RESET_LINK_HOURS"],
        )
    context = {"person": person, "intro": intro, "link": link}
    message = compose(
        (person.name, person.email),
        subject,
        render_template("accounts/mail/link.txt", **context),
        render_template("accounts/mail/link.html", **context),
    )
    enqueue(
        message,
        kind="invitation" if purpose == "invite" else "password_reset",
        recipient=person.email,
    )


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account has the address; say nothing either way."""
    with unit_of_work():
        person = find_by_email(email)
        if person is not None and person.is_active and person.erased_at is None:
            _link_mail(person, "reset")


def set_password_with_link(token: str, purpose: str, password: str) -> Person:
    """Set the password from a link; the link and every earlier sign-in stop working."""
    with unit_of_work():
        person = person_for_link(token, purpose)
        if person is None:
            raise InvalidInput(_("Länken är ogiltig, redan använd eller för gammal."))
        person.password_hash = hash_password(password)
        person.session_version += 1
        login_sessions.end_all(person.id)
        return person


def sign_out_everywhere(person_id: int) -> Person:
    """End every sign-in of the person, on any device, this one included."""
    with unit_of_work():
        person = db.session.get(Person, person_id)
        person.session_version += 1
        login_sessions.end_all(person.id)
        return person


def set_place(person_id: int, municipality_id: int | None, actor: Person) -> Person:
    """Set the municipality a person travels from; None: their company's again.

    Only the person themselves changes it (Mitt konto); the change is audited.
    """
    if actor.id != person_id:
        raise Forbidden()
    with unit_of_work():
        person = db.session.get(Person, person_id)
        place = None
        if municipality_id is not None:
            place = db.session.get(Municipality, municipality_id)
            if place is None:
                raise InvalidInput(_("Kommunen finns inte. Välj en kommun i listan."))
        if person.municipality_id != municipality_id:
            person.municipality_id = municipality_id
            audit.record(
                actor, "person", person.id, "place_set", detail=place.name if place else "–"
            )
        return person


def invite(person: Person, inviter: Person | None = None) -> None:
    """Queue an invitation to set a password; the caller's unit of work commits it.

    `inviter`: who registered the person (a coordinator, a project admin), named in it."""
    _link_mail(person, "invite", inviter)


def register_employee(
    name: str, email: str, company: Company, actor: Person, phone: str | None = None
) -> Person:
    """Add an employee of the actor's company and mail them an invitation."""
    with unit_of_work():
        person = _new_employee(name, email, company, actor, phone)
        invite(person, actor)
        return person


def _new_employee(name, email, company, actor, phone=None) -> Person:
    if not may_register_for(actor, company):
        raise Forbidden(_("Du kan bara registrera medarbetare i ditt eget företag."))
    if find_by_email(email) is not None:
        raise DomainError(_("Det finns redan ett konto med e-postadressen %(email)s.", email=email))
    person = new_person(name, email, roles=(Role.EMPLOYEE,), company=company)
    person.phone = phone or None
    db.session.add(person)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same address registered at the same moment
        raise DomainError(
            _("Det finns redan ett konto med e-postadressen %(email)s.", email=email)
        ) from error
    return person


def may_register_for(actor: Person, company: Company) -> bool:
    if project_admin_sees_company(actor, company.id):
        return True
    return actor.has_role(Role.COORDINATOR) and actor.company_id == company.id


def invite_new_person(
    name: str,
    email: str,
    roles: tuple[str, ...],
    company=None,
    center=None,
    project_ids: tuple[int, ...] = (),
) -> Person:
    """Create an account without a password (a coordinator, a testledare, an admin) and
    mail its invitation, in one unit of work. The caller checks that `project_ids` exist."""
    with unit_of_work():
        if find_by_email(email) is not None:
            raise DomainError(
                _("Det finns redan ett konto med e-postadressen %(email)s.", email=email)
            )
        person = new_person(
            name, email, roles=roles, company=company, center=center, project_ids=project_ids
        )
        db.session.add(person)
        db.session.flush()
        invite(person)
        return person


def register_company(
    name: str,
    org_number: str,
    municipality_id: int,
    industry: str,
    coordinator_name: str,
    coordinator_email: str,
    actor: Person,
) -> Company:
    """Add a company with its first coordinator, who is mailed an invitation (a project
    admin of every project: a new company takes part in no project yet)."""
    if not actor.sees_every_project:
        raise Forbidden()
    with unit_of_work():
        normalised = normalise_orgnr(org_number)
        if normalised is None:
            raise InvalidInput(_("Inte ett giltigt organisationsnummer."))
        if db.session.scalar(select(Company.id).where(Company.org_number == normalised)):
            raise DomainError(
                _("Företaget med organisationsnummer %(number)s finns redan.", number=normalised)
            )
        if find_by_email(coordinator_email) is not None:
            raise DomainError(
                _(
                    "Det finns redan ett konto med e-postadressen %(email)s.",
                    email=coordinator_email,
                )
            )
        company = Company(
            name=name.strip(),
            org_number=normalised,
            municipality_id=municipality_id,
            industry=industry,
        )
        db.session.add(company)
        coordinator = new_person(
            coordinator_name, coordinator_email, roles=(Role.COORDINATOR,), company=company
        )
        db.session.add(coordinator)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError as error:  # registered by someone else at the same moment
            raise DomainError(_("Företaget eller e-postadressen finns redan.")) from error
        invite(coordinator, actor)
        return company
