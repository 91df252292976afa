"""Creating, revoking and checking personal API tokens."""

import hashlib
import secrets
from datetime import datetime

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import domain_events
from app.accounts.models import Person
from app.api.models import ApiToken
from app.db import unit_of_work, utcnow
from app.errors import DomainError, NotFound
from app.extensions import db

TOKEN_PREFIX = "tcb_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(person: Person, name: str, request_key: str | None = None) -> tuple[ApiToken, str]:
    """Make a token for the person; return the row and the token, which is never stored.

    With the form's `request_key`, the same form sent again (a reload, two clicks at
    once) makes no second token: the token was shown once and cannot be shown again.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    already = DomainError(
        _(
            "Nyckeln från det här formuläret är redan skapad och visades en gång. "
            "Spärra den i listan om du inte sparade den."
        ),
        "token_exists",
    )
    try:
        with unit_of_work():
            if request_key is not None and db.session.scalar(
                select(ApiToken.id).where(
                    ApiToken.person_id == person.id, ApiToken.request_key == request_key
                )
            ):
                raise already
            row = ApiToken(
                person_id=person.id,
                name=name.strip() or _("API-nyckel"),
                token_hash=_digest(token),
                prefix=token[:10],
                request_key=request_key,
            )
            db.session.add(row)
    except IntegrityError:  # the same form's other sending won the race
        raise already from None
    return row, token


def revoke_token(token_id: int, owner: Person) -> ApiToken:
    with unit_of_work():
        row = db.session.get(ApiToken, token_id)
        if row is None or row.person_id != owner.id:
            raise NotFound(_("Nyckeln finns inte."))
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return row


def revoke_all(person_id: int, at: datetime) -> None:
    """Revoke every token the person holds, in the caller's unit of work."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.person_id == person_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def tokens_of(person: Person) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.id.desc())
        )
    )


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None.

    The scheme in any case and any whitespace around the token (RFC 9110 §11.1: the
    scheme is case-insensitive). The API's check and its rate limit both read the
    header here, so that every spelling that is let in counts against one budget.
    """
    parts = authorization.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1].strip()


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


def on_employment_ended(app, person, at=None, **_event):
    """A person who left the company keeps no key: coming back, they make new ones."""
    revoke_all(person.id, at or utcnow())


def connect(app: Flask) -> None:
    domain_events.employment_ended.connect(on_employment_ended, sender=app)
