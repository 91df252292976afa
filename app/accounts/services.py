"""Creating people and checking who they are."""

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app.accounts.models import Person, RoleGrant
from app.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_by_email(email: str) -> Person | None:
    return db.session.scalar(
        select(Person).where(func.lower(Person.email) == normalise_email(email))
    )


def authenticate(email: str, password: str) -> Person | None:
    """Return the active person with this e-mail and password, or None."""
    person = find_by_email(email)
    if person is None or not person.is_active or not person.check_password(password):
        return None
    return person


def new_person(
    name: str,
    email: str,
    password: str | None = None,
    roles: tuple[str, ...] = ("employee",),
    company=None,
    center=None,
    password_hash: str | None = None,
) -> Person:
    """Make a person with roles (a center_admin role is for `center`); the caller adds it."""
    person = Person(
        name=name.strip(),
        email=normalise_email(email),
        company=company,
        password_hash=password_hash or (hash_password(password) if password else None),
    )
    person.role_grants = [
        RoleGrant(role=role, center_id=center.id if role == "center_admin" else None)
        for role in roles
    ]
    return person
