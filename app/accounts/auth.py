"""Flask-Login glue and the role decorator for views."""

from functools import wraps

from flask import abort, request, session
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts import login_sessions
from app.accounts.models import LoginSession, Person
from app.extensions import db


def load_user(user_id: str) -> Person | None:
    """The person in the cookie, while the sign-in it carries has not been ended.

    Flask-Login calls this for the session cookie and for a remember-me cookie alike;
    the latter carries no sign-in, so it cannot bring an ended one back.
    """
    token = login_sessions.token_in_cookie()
    person_id, _sep, version = user_id.partition(":")
    if token is None:
        return None
    try:
        person_id_number, version_number = int(person_id), int(version)
    except ValueError:
        return None
    token_digest = login_sessions.digest(token)
    # The sign-in and the person with their roles and company in one statement: every
    # request asks, and most signed-in pages use the company (the search's place).
    found = (
        db.session.execute(
            select(Person, LoginSession.last_seen_at)
            .join(LoginSession, LoginSession.person_id == Person.id)
            .where(LoginSession.id == token_digest, Person.id == person_id_number)
            .options(joinedload(Person.role_grants), joinedload(Person.company))
        )
        .unique()
        .first()
    )
    if found is None:
        return None
    person, last_seen_at = found
    if (
        person.session_version != version_number
        or not person.is_active
        or not login_sessions.is_current(last_seen_at)
    ):
        return None
    login_sessions.note_seen(token_digest, last_seen_at)
    return person


def sign_in(person: Person) -> None:
    """Sign the person in on this browser, as a new sign-in of its own."""
    login_sessions.end(login_sessions.token_in_cookie())  # whatever this browser held before
    token = login_sessions.start(person.id, request.user_agent.string)
    login_user(person)
    session[login_sessions.SESSION_KEY] = token


def sign_out() -> None:
    """End this browser's sign-in on the server too, so no copy of its cookie works."""
    login_sessions.end(login_sessions.token_in_cookie())
    logout_user()
    session.pop(login_sessions.SESSION_KEY, None)


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


def every_project_admin_required(view):
    """Let a view through only for a project admin of every project: what is
    installation-wide (centers, testledare, travel times, mail) is theirs, not a
    limited project admin's."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.sees_every_project:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
