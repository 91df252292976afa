"""Creating, revoking and checking personal API tokens."""

import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Person
from app.api.models import ApiToken
from app.db import unit_of_work, utcnow
from app.errors import NotFound
from app.extensions import db

TOKEN_PREFIX = "tcb_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(person: Person, name: str) -> tuple[ApiToken, str]:
    """Make a token for the person; return the row and the token, which is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        row = ApiToken(
            person_id=person.id,
            name=name.strip() or _("API-nyckel"),
            token_hash=_digest(token),
            prefix=token[:10],
        )
        db.session.add(row)
    return row, token


def revoke_token(token_id: int, owner: Person) -> ApiToken:
    with unit_of_work():
        row = db.session.get(ApiToken, token_id)
        if row is None or row.person_id != owner.id:
            raise NotFound(_("Nyckeln finns inte."))
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return row


def tokens_of(person: Person) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.id.desc())
        )
    )


def person_for_token(token: str) -> Person | None:
    """The active owner of an active token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
        # The owner with their roles: one statement, also when a unit of work reloads them.
        .options(joinedload(ApiToken.person).joinedload(Person.role_grants))
    )
    if row is None or not row.person.is_active:
        return None
    return row.person
