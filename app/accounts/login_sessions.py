"""Sign-ins kept on the server, so that signing out ends them for every copy of a cookie.

Flask's session is a signed cookie: on its own, a copy of it keeps working after its
owner signs out. Each sign-in therefore gets a `login_session` row, and the cookie
carries the row's random id (the row stores only its SHA-256). The user loader asks
for the row together with the person, in one primary-key lookup, so a deleted row
signs that cookie out wherever it is.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, current_app, g, session
from sqlalchemy import delete, update

from app.accounts.models import LoginSession
from app.db import unit_of_work, utcnow
from app.extensions import db

# The key in Flask's session cookie that holds the sign-in's random id.
SESSION_KEY = "login_session"
USER_AGENT_CHARS = 120


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_in_cookie() -> str | None:
    """The random id this request's cookie carries, if it looks like one of ours."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str) and 20 <= len(token) <= 100:
        return token
    return None


def _idle_cutoff():
    return utcnow() - timedelta(days=current_app.config["LOGIN_SESSION_IDLE_DAYS"])


def start(person_id: int, user_agent: str = "") -> str:
    """Record a new sign-in for the person; returns the id for their cookie."""
    token = secrets.token_urlsafe(32)
    with unit_of_work():
        # Sign-ins nobody used for the idle time would never work again: clear them.
        db.session.execute(delete(LoginSession).where(LoginSession.last_seen_at < _idle_cutoff()))
        db.session.add(
            LoginSession(
                id=digest(token),
                person_id=person_id,
                user_agent=(user_agent or "")[:USER_AGENT_CHARS],
            )
        )
    return token


def end(token: str | None) -> None:
    """End one sign-in (signing out); every copy of its cookie stops working."""
    if token:
        with unit_of_work():
            db.session.execute(delete(LoginSession).where(LoginSession.id == digest(token)))


def end_all(person_id: int) -> None:
    """End every sign-in of the person; joins the caller's unit of work."""
    with unit_of_work():
        db.session.execute(delete(LoginSession).where(LoginSession.person_id == person_id))


def is_current(last_seen_at) -> bool:
    """Whether a sign-in last used then still counts (not idle too long)."""
    return last_seen_at >= _idle_cutoff()


def note_seen(token_digest: str, last_seen_at) -> None:
    """Ask for last_seen_at to be moved on after this request, at most every few minutes.

    A write on every page view would cost each request a transaction; the idle limit
    is counted in days, so minutes of lag do not matter.
    """
    every = timedelta(minutes=current_app.config["LOGIN_SESSION_TOUCH_MINUTES"])
    if utcnow() - last_seen_at >= every:
        g.login_session_seen = token_digest


def init_app(app: Flask) -> None:
    @app.after_request
    def touch_login_session(response):
        token_digest = g.pop("login_session_seen", None)
        if token_digest is None:
            return response
        # A view that left changes unsaved has a bug of its own; not ours to commit them.
        if not (db.session.new or db.session.dirty or db.session.deleted):
            with unit_of_work():
                db.session.execute(
                    update(LoginSession)
                    .where(LoginSession.id == token_digest)
                    .values(last_seen_at=utcnow())
                )
        return response
