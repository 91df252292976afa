"""The raw booking again, on the libraries the project is built on and nothing more.

Also a signed-in page on the same stack (`GET /page`): what any page of a signed-in
person costs before the app does anything of its own; the signed-in search is
measured against it.

A signed-in person (Flask-Login reads them from the session cookie, one ORM get in a
read transaction) posts a form that Flask-WTF's CSRFProtect checks; the booking is an
ORM read of the session row in a write transaction (BEGIN IMMEDIATE, as the app's),
the conditional UPDATE of its seat counter, an ORM INSERT and COMMIT. No roles,
rules, request key, audit trail, invite, language or rate limit: what is left
between this and the raw booking is what the libraries cost, and between this and
the app what its rules cost.
"""

import os

from flask import Flask, g, redirect, render_template_string, session
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from flask_wtf.csrf import generate_csrf
from sqlalchemy import ForeignKey, String, event, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class _Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=_Base)
PEOPLE = 50
SESSIONS = 50


class Person(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Session(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    seats: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)


class Booking(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(20))


# A page as long as the search page with 20 result cards (about 17 kB): a header with
# the person's name, a form with its CSRF token, and a stored fragment, as the search
# page serves its cached result list inside a page of the person's own.
_CARD = (
    '<li class="card"><h3><a href="/sessions/{n}">Industriteknik BAS</a></h3>'
    "<p>tisdag 12 januari 2027, 08.00–16.00 · Testcenter Luleå, Luleå</p>"
    '<p><span class="travel">≈ 45 min från Boden</span> · 3 lediga platser av 8</p>'
    '<p><a class="button" href="/sessions/{n}">Visa och boka</a></p></li>'
)
CARDS = "".join(_CARD.format(n=n) for n in range(20))
FRAGMENT = f"<ol>{CARDS}</ol><p>{'x' * 11000}</p>"
PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Sök tid</title></head><body><header><nav><a href="/">Sök</a>
<a href="/bookings">Mina bokningar</a> {{ name }}
<form method="post" action="/logout"><input type="hidden" name="csrf_token"
value="{{ csrf_token() }}"><button>Logga ut</button></form></nav></header>
<main>{{ fragment|safe }}</main></body></html>"""


def stack_booking_app(url: str | None = None, secret: str | None = None) -> Flask:
    """The bare stack on a database URL (SQLite or PostgreSQL, as the run's)."""
    app = Flask(__name__)
    url = url or os.environ["STACK_BOOKING_URL"]
    app.config.update(SECRET_KEY=secret or os.environ["SECRET_KEY"], SQLALCHEMY_DATABASE_URI=url)
    db.init_app(app)
    CSRFProtect(app)
    login = LoginManager(app)
    login.user_loader(lambda person_id: db.session.get(Person, int(person_id)))

    with app.app_context():
        if not url.startswith("sqlite"):
            return _routes(app)  # PostgreSQL: the row lock is the write's wait, as the app's

        # The app's pragmas, and BEGIN IMMEDIATE for the write (app/db.py), so that
        # both wait alike for the lock.
        @event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")
            dbapi_connection.execute("PRAGMA busy_timeout = 30000")

        @event.listens_for(db.engine, "begin")
        def _on_begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE" if g.get("write") else "BEGIN")

    return _routes(app)


def _routes(app: Flask) -> Flask:
    @app.get("/page")
    @login_required
    def page():
        return render_template_string(PAGE, name=current_user.name, fragment=FRAGMENT)

    @app.post("/sessions/<int:session_id>/book")
    @login_required
    def book(session_id: int):
        person_id = current_user.id
        db.session.rollback()  # ends the sign-in's read; the write starts with the lock
        g.write = True
        db.session.get(Session, session_id, with_for_update=True)
        took = db.session.execute(
            update(Session)
            .where(Session.id == session_id, Session.seats_taken < Session.seats)
            .values(seats_taken=Session.seats_taken + 1)
        ).rowcount
        status = "confirmed" if took else "waitlisted"
        db.session.add(Booking(session_id=session_id, person_id=person_id, status=status))
        db.session.commit()
        return redirect("/bookings")

    return app


def create_stack_database(url: str, secret: str, user_agent: str) -> list[tuple[str, str]]:
    """Make the tables (people and sessions with plenty of seats); a cookie and token each."""
    app = stack_booking_app(url, secret)
    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add_all(Person(id=i, name=f"Person {i}") for i in range(1, PEOPLE + 1))
        db.session.add_all(Session(id=i, seats=10**9) for i in range(1, SESSIONS + 1))
        db.session.commit()
        db.engine.dispose()
    signed_in = []
    for person_id in range(1, PEOPLE + 1):
        # A request context of its own each (its own `g`, where Flask-WTF keeps the token),
        # from the address and browser the load generator's requests will come with, so
        # that Flask-Login's session protection finds the cookie its own.
        with app.test_request_context(
            "/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": user_agent}
        ):
            login_user(Person(id=person_id))
            token = generate_csrf()
            signed_in.append((serializer.dumps(dict(session)), token))
    return signed_in
