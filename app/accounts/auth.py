"""Flask-Login glue and the role decorator for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.accounts.models import Person
from app.extensions import db


def load_user(user_id: str) -> Person | None:
    try:
        return db.session.get(Person, int(user_id))
    except ValueError:
        return None


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
