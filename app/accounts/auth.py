"""Flask-Login glue and the role decorator for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.accounts.models import Person
from app.extensions import db


def load_user(user_id: str) -> Person | None:
    """The person in the cookie, unless they signed out everywhere since it was made."""
    person_id, _sep, version = user_id.partition(":")
    try:
        # With the roles in the same statement: every request asks them.
        person = db.session.get(Person, int(person_id), options=[joinedload(Person.role_grants)])
        version_number = int(version)
    except ValueError:
        return None
    if person is None or person.session_version != version_number:
        return None
    return person


def role_required(*roles: str):
    """Let a view through only for signed-in people holding one of the roles."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.roles & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
