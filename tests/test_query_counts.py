"""The main pages run a fixed number of queries, however many rows they show.

Each test measures a page with 3 rows, adds more rows, and measures again: the count
must not grow (no N+1) and stays under a bound, so a new lazy load shows up here
before it shows up in the benchmark.
"""

import logging
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.accounts.models import Person
from app.api.tokens import create_token
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.centers.models import TestCenter
from app.db import utcnow
from app.extensions import db
from app.querycount import QueryCounter, count_queries
from app.results.services import AreaVerdict, check_in, model_areas, record_outcomes
from tests.conftest import TEST_CONFIG
from tests.forms import page_form

FEW, MANY = 3, 30


def _queries(app, client, url: str, headers=None) -> QueryCounter:
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as counter:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counter


def _same_and_bounded(few: QueryCounter, many: QueryCounter, bound: int) -> None:
    """Bounds are SQLite's counts, which include its explicit BEGIN; PostgreSQL runs one less."""
    assert many.count == few.count, f"{FEW} rows: {few}\n\n{MANY} rows: {many}"
    assert many.count <= bound, str(many)


def test_session_search_page(app, client, make):
    app.config["SEARCH_CACHE_SECONDS"] = 0  # count what a cache miss costs

    def add_sessions(count):
        with app.app_context():
            center, assessor = make.center(), make.assessor()
            for i in range(count):
                session = make.session(
                    seats=i % 3, center=center, assessor=assessor, starts_in=timedelta(days=3 + i)
                )
                if i % 3 == 0:  # full: the next one queues
                    book_seat(session.id, waiting := make.employee(), waiting)

    add_sessions(FEW)
    few = _queries(app, client, "/")
    add_sessions(MANY - FEW)
    many = _queries(app, client, "/")
    # Centers, models and testledare load by a statement each (three, however many
    # cards): PostgreSQL planned the eight-table join longer than it ran it.
    _same_and_bounded(few, many, bound=9)

    app.config["SEARCH_CACHE_SECONDS"] = 5
    _queries(app, client, "/")
    assert _queries(app, client, "/").count == 0, "a cached search asks the database nothing"


def test_session_search_from_a_place(app, client, make):
    """From a place, closest first: one query more, the travel times of every card."""
    app.config["SEARCH_CACHE_SECONDS"] = 0
    with app.app_context():
        boden = make.municipality("Boden").id
    url = f"/?origin={boden}&reach=0&weeks=0"

    def add_sessions(count):
        with app.app_context():
            assessor = make.assessor()
            for i in range(count):
                center = make.center(municipality=("Luleå", "Kiruna", "Boden", "Umeå")[i % 4])
                make.session(center=center, assessor=assessor, starts_in=timedelta(days=3 + i))

    add_sessions(FEW)
    few = _queries(app, client, url)
    add_sessions(MANY - FEW)
    many = _queries(app, client, url)
    _same_and_bounded(few, many, bound=10)


def test_api_session_search(app, client, make):
    with app.app_context():
        _row, token = create_token(make.employee(), "test")
    headers = {"Authorization": f"Bearer {token}"}

    def add_sessions(count):
        with app.app_context():
            for i in range(count):  # each with its own center and testledare
                make.session(seats=4, starts_in=timedelta(days=3 + i))

    add_sessions(FEW)
    few = _queries(app, client, "/api/v1/sessions?per_page=50", headers)
    add_sessions(MANY - FEW)
    many = _queries(app, client, "/api/v1/sessions?per_page=50", headers)
    _same_and_bounded(few, many, bound=7)


def test_session_page_with_participants(app, client, auth, make):
    with app.app_context():
        # Full from the first count on, so that both counts include the query for
        # other sessions nearby that a full session's page makes.
        session = make.session(seats=FEW)
        session_id = session.id
        admin = make.person(roles=("project_admin",))
        email = admin.email

    def add_participants(count):
        with app.app_context():
            for _ in range(count):  # each from their own company
                employee = make.employee()
                book_seat(session_id, employee, employee)

    auth.login(email)
    add_participants(FEW)
    few = _queries(app, client, f"/sessions/{session_id}")
    add_participants(MANY - FEW)
    many = _queries(app, client, f"/sessions/{session_id}")
    _same_and_bounded(few, many, bound=8)


def test_my_bookings_with_upcoming_queued_and_past(app, client, auth, make):
    with app.app_context():
        employee = make.employee()
        email, employee_id = employee.email, employee.id
        center, assessor = make.center(), make.assessor()
        past_day = [date(2025, 3, 3)]
        days_ahead = iter(range(5, 1000))  # a day each: one person holds nothing twice at once

    def add_bookings(count):
        with app.app_context():
            employee = db.session.get(Person, employee_id)
            for i in range(count):
                kind = i % 3
                if kind == 2:  # a past session with an outcome
                    past_day[0] += timedelta(days=1)
                    session = make.session(
                        local_day=past_day[0], center=center, assessor=assessor, seats=2
                    )
                    start = session.starts_at
                    booking = book_seat(
                        session.id, employee, employee, now=start - timedelta(days=5)
                    )
                    check_in(booking.id, assessor, now=start)
                    areas = model_areas(session.model_id)
                    record_outcomes(
                        booking.id, [AreaVerdict(a.id, "approved") for a in areas], "", assessor
                    )
                    continue
                session = make.session(
                    seats=1 - kind,  # kind 1: full, so the booking queues
                    center=center,
                    assessor=assessor,
                    starts_in=timedelta(days=next(days_ahead)),
                )
                if kind == 1:
                    book_seat(session.id, taker := make.employee(), taker)
                book_seat(session.id, employee, employee)

    auth.login(email)
    add_bookings(FEW)
    few = _queries(app, client, "/bookings")
    add_bookings(MANY - FEW)
    many = _queries(app, client, "/bookings")
    _same_and_bounded(few, many, bound=6)

    with app.app_context():
        _row, token = create_token(db.session.get(Person, employee_id), "test")
    api = _queries(app, client, "/api/v1/bookings", {"Authorization": f"Bearer {token}"})
    assert api.count <= 6, str(api)


@pytest.mark.parametrize(
    ("url", "max_queries"), [("/schedule/?week=2027-W37", 4), ("/schedule/list", 5)]
)
def test_assessor_week_and_list(app, client, auth, make, url, max_queries):
    week_monday = date.fromisocalendar(2027, 37, 1)
    with app.app_context():
        assessor = make.assessor()
        email, assessor_id = assessor.email, assessor.id
        center = make.center()
        center_id = center.id

    def add_sessions(count, offset):
        with app.app_context():
            assessor = db.session.get(Person, assessor_id)
            center = db.session.get(TestCenter, center_id)
            for i in range(offset, offset + count):
                day = week_monday + timedelta(days=i % 6)
                if url == "/schedule/list":  # the list shows the coming 400 days
                    day = (utcnow() + timedelta(days=2 + i)).date()
                session = make.session(
                    local_day=day,
                    local_time=time(7 + i // 6),
                    center=center,
                    assessor=assessor,
                    seats=3,
                )
                employee = make.employee()
                book_seat(session.id, employee, employee, now=session.starts_at - timedelta(days=9))

    auth.login(email)
    add_sessions(FEW, 0)
    few = _queries(app, client, url)
    add_sessions(MANY - FEW, FEW)
    many = _queries(app, client, url)
    _same_and_bounded(few, many, bound=max_queries)


def test_audit_log(app, client, auth, make):
    """Each entry names people, sessions and centers: loaded in bulk for the page."""
    from app.audit import services as audit
    from app.bookings.services import cancel_booking

    with app.app_context():
        admin = make.person(roles=("project_admin",))
        email, admin_id = admin.email, admin.id

    def add_changes(count):
        with app.app_context():
            admin = db.session.get(Person, admin_id)
            for _ in range(count):  # each at its own center, with its own testledare
                session = make.session(seats=3)
                employee = make.employee()
                booking = book_seat(session.id, employee, employee)
                cancel_booking(booking.id, admin)
                audit.record(admin, "session", session.id, "created", session.center_id)
                audit.record(
                    admin,
                    "person",
                    session.assessor_id,
                    "home center",
                    None,
                    str(session.center_id),
                )
                db.session.commit()

    auth.login(email)
    add_changes(FEW)
    few = _queries(app, client, "/audit")
    add_changes(MANY - FEW)
    many = _queries(app, client, "/audit")
    _same_and_bounded(few, many, bound=9)


def test_development_logs_the_query_count_of_each_request(database_url, caplog):
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "LOG_QUERY_COUNT": True}
    )
    with caplog.at_level(logging.INFO, logger="app.querycount"):
        response = app.test_client().get("/")
    assert int(response.headers["X-Query-Count"]) >= 3
    assert any(
        re.fullmatch(r"GET /: \d+ queries, [\d.]+ ms", r.getMessage()) for r in caplog.records
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_query_counts_are_off_in_production(client):
    assert "X-Query-Count" not in client.get("/").headers


def test_booking_through_the_form(app, client, auth, make):
    """A booking's statements, most of them while its session is locked, do not grow
    with the session's bookings; the bound is the list the benchmark's notes give."""
    with app.app_context():
        sessions = [make.session(seats=MANY + 5, starts_in=timedelta(days=d)) for d in (14, 15)]
        session_ids = [s.id for s in sessions]
        employee = make.employee()
        email, employee_id = employee.email, employee.id
        for session_id, count in zip(session_ids, (FEW, MANY), strict=True):
            for _ in range(count):
                other = make.employee()
                book_seat(session_id, other, other)
    auth.login(email)
    with app.app_context():
        engine = db.engine
    counts = []
    for session_id in session_ids:
        form = page_form(client, f"/sessions/{session_id}", action=f"/sessions/{session_id}/book")
        with count_queries(engine) as counter:
            response = form.submit()
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        counts.append(counter)
    with app.app_context():
        booked = db.session.scalars(
            select(Booking.session_id).where(Booking.employee_id == employee_id)
        ).all()
    assert sorted(booked) == sorted(session_ids)
    # Sign-in (2, with SQLite's BEGIN), BEGIN IMMEDIATE and the person again, the session
    # with its center, model and authorisations, the earlier and live bookings and any at
    # the same time, the seat,
    # the booking, its event and audit entry, interest, webhooks, mail and calendar entry.
    _same_and_bounded(*counts, bound=14)
