"""A coordinator looks after an employee already registered: re-invites, corrects, ends.

- An invitation can be sent again while the employee has not set a password; the new
  link is the only one that works (raising the session version ends the old one).
- Name and e-mail can be corrected while the employee has not set a password. Once
  they have, the address is theirs: the coordinator cannot change it.
- *Har slutat på företaget*: the person is deactivated (no sign-in, no booking, not
  among the company's current employees), nothing is erased, and `employment_ended`
  is announced so that, in the same unit of work, bookings cancels their future seats
  and queue places and ends their interest, and calendar and api revoke their feed
  and API tokens for good. They get one mail, listing what was cancelled.
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import domain_events
from app.accounts import login_sessions
from app.accounts.models import Person, Role
from app.accounts.services import find_by_email, invite, normalise_email
from app.audit import services as audit
from app.db import unit_of_work, utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.i18n import speaking_to
from app.mail.compose import compose
from app.mail.outbox import enqueue


class FieldRefused(InvalidInput):
    """A refusal about one field of the correction form (`field`: its name)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def employee_for(actor: Person, person_id: int) -> Person:
    """The coordinator's own company's employee (current or former), or NotFound."""
    person = db.session.get(Person, person_id)
    if (
        person is None
        or actor.company_id is None
        or not actor.has_role(Role.COORDINATOR)
        or person.company_id != actor.company_id
        or person.erased_at is not None
        or not person.has_role(Role.EMPLOYEE)
    ):
        raise NotFound(_("Medarbetaren finns inte."))
    return person


def is_invited_only(person: Person) -> bool:
    """Registered but not yet signed in: no password chosen."""
    return person.active and not person.password_hash


def _check_invited_only(person: Person, resending: bool = False) -> None:
    """Refuse unless the person has not signed in yet; `resending`: the refusal says no
    invitation is needed (a page opened before they signed in), not that the address
    is theirs."""
    if not person.active:
        raise DomainError(_("%(name)s har slutat på företaget.", name=person.name))
    if person.password_hash and resending:
        raise DomainError(
            _(
                "%(name)s har redan loggat in, så ingen ny inbjudan behövs.",
                name=person.name,
            )
        )
    if person.password_hash:
        raise DomainError(
            _(
                "%(name)s har redan börjat använda sitt konto. E-postadressen är hens egen "
                "och kan inte ändras av samordnaren.",
                name=person.name,
            )
        )


def _fresh_invitation(person: Person, actor: Person) -> None:
    """A new invitation naming who sent it; every link sent before stops working."""
    person.session_version += 1
    invite(person, actor)


def resend_invitation(person_id: int, actor: Person) -> Person:
    with unit_of_work():
        person = employee_for(actor, person_id)
        _check_invited_only(person, resending=True)
        _fresh_invitation(person, actor)
        audit.record(actor, "person", person.id, "invitation resent", detail=person.email)
        return person


@dataclass(frozen=True)
class Correction:
    person: Person
    changed: bool
    email_changed: bool


def correct_details(person_id: int, name: str, email: str, actor: Person) -> Correction:
    """Correct an invited employee's name and address; a new address gets a new invitation."""
    name = name.strip()
    address = normalise_email(email)
    with unit_of_work():
        person = employee_for(actor, person_id)
        _check_invited_only(person)
        email_changed = address != person.email
        if email_changed:
            if not address.isascii():
                raise FieldRefused(
                    "email", _("Skriv e-postadressen utan å, ä, ö eller andra tecken utanför a–z.")
                )
            holder = find_by_email(address)
            if holder is not None:
                raise FieldRefused("email", _taken(holder, actor, address))
        if not email_changed and name == person.name:
            return Correction(person, False, False)
        before = f"{person.name} <{person.email}>"
        person.name = name
        if email_changed:
            person.email = address
            try:
                with db.session.begin_nested():
                    db.session.flush()
            except IntegrityError as error:  # the address registered at the same moment
                raise FieldRefused(
                    "email",
                    _("Det finns redan ett konto med e-postadressen %(email)s.", email=address),
                ) from error
            _fresh_invitation(person, actor)
        audit.record(
            actor,
            "person",
            person.id,
            "details corrected",
            detail=f"{before} → {person.name} <{person.email}>",
        )
        return Correction(person, True, email_changed)


def _taken(holder: Person, actor: Person, address: str) -> str:
    if holder.company_id == actor.company_id and holder.erased_at is None:
        return _("%(name)s finns redan bland ditt företags medarbetare.", name=holder.name)
    return _("Det finns redan ett konto med e-postadressen %(email)s.", email=address)


def end_employment(person_id: int, actor: Person) -> Person:
    """Deactivate a person who has left the company; bookings cancels what lies ahead."""
    now = utcnow()
    with unit_of_work():
        person = employee_for(actor, person_id)
        if person.id == actor.id:
            raise DomainError(_("Du kan inte avsluta ditt eget konto här."))
        if not person.active:
            raise DomainError(_("%(name)s har redan slutat på företaget.", name=person.name))
        # First the bookings, while the person can still hold them: each cancellation
        # moves the queue up, withdraws the invite and tells the webhooks.
        # Calendar and api revoke the feed and API tokens for good (coming back, the
        # person makes new ones); receivers answer with what was cancelled, for the mail.
        answers = domain_events.announce(
            domain_events.employment_ended, person=person, actor=actor, at=now
        )
        person.active = False  # no sign-in or booking from now on
        person.session_version += 1  # links sent before stop working, sign-ins end
        login_sessions.end_all(person.id)
        audit.record(actor, "person", person.id, "employment ended", at=now)
        _tell_closed(person, [line for lines in answers for line in lines])
        return person


def _tell_closed(person: Person, cancelled: list[str]) -> None:
    """The one mail a leaver gets, listing what was cancelled (`cancelled`: lines in
    their language)."""
    company = person.company.name
    with speaking_to(person):
        paragraphs = [
            _(
                "%(company)s har meddelat att du har slutat på företaget, så ditt konto i "
                "Testcenterbokning är stängt. Du kan inte längre logga in eller bokas, och "
                "din kalenderprenumeration och dina API-nycklar fungerar inte längre.",
                company=company,
            ),
            _(
                "Dina tidigare resultat finns kvar hos %(company)s. Börjar du på ett annat "
                "företag kan dess samordnare registrera dig med en annan e-postadress än den "
                "här.",
                company=company,
            ),
        ]
        if cancelled:
            paragraphs.insert(1, _("Dina kommande bokningar och köplatser är avbokade:"))
        context = {"person": person, "paragraphs": paragraphs, "items": cancelled, "after": 1}
        message = compose(
            (person.name, person.email),
            _("Ditt konto i Testcenterbokning är stängt"),
            render_template("accounts/mail/notice.txt", **context),
            render_template("accounts/mail/notice.html", **context),
        )
    enqueue(message, kind="account_notice", recipient=person.email)
