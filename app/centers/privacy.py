"""Test centers in the GDPR erasure (see app.accounts.privacy): a center's published
contact is never rewritten to nobody, so erasing its person waits until it changes."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Person
from app.accounts.privacy import REFERENCE, Part, mentions
from app.centers.models import TestCenter
from app.errors import DomainError
from app.extensions import db

_CONTACT = "the center's contact: erasing waits until it is changed"


def _contact_of(name: str, email: str) -> TestCenter | None:
    """A test center whose published contact is this person (by address or name)."""
    pattern, _variants = mentions(name, "")
    for center in db.session.scalars(select(TestCenter).order_by(TestCenter.id)):
        if center.contact_email.strip().lower() == email.lower():
            return center
        if pattern is not None and pattern.fullmatch(center.contact_name.strip()):
            return center
    return None


def _check(person: Person, now: datetime) -> None:
    # The organiser of the center's invites: not rewritten to nobody, changed first.
    center = _contact_of(person.name, person.email)
    if center is not None:
        raise DomainError(
            _(
                "Personen är kontaktperson för %(center)s. Byt kontaktperson på "
                "testcentrets sida först.",
                center=center.name,
            )
        )


PART = Part(
    "centers",
    check=_check,
    # The accessibility text may name whom to ask ("ring Kim i receptionen").
    free_text=("center_closure.reason", "test_center.accessibility"),
    no_personal_text={
        "test_center.name": "the center's name",
        "test_center.street_address": "the center's address",
        "test_center.postal_code": "the center's address",
        "test_center.postal_town": "the center's address",
        # The organiser of every invite: never rewritten; erasing refuses while it names
        # the person, and the center admin puts in the new contact.
        "test_center.contact_name": _CONTACT,
        "test_center.contact_email": _CONTACT,
        "test_center.contact_phone": _CONTACT,
        "workstation_kind.code": REFERENCE,
        "workstation_kind.name": REFERENCE,
    },
)
