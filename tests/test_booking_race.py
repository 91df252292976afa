"""Hundreds of people book the last seats in the same second, through a real server.

The app runs under gunicorn with several worker processes and threads, against the
test's SQLite file or PostgreSQL database; 200 signed-in employees press "Boka" at
once on a session with 5 seats.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from app.accounts.services import hash_password, new_person
from app.bookings.models import Booking
from app.bookings.services import cancel_booking
from app.extensions import db
from app.schedule.models import ValidationSession
from tests.factories import PASSWORD
from tests.forms import Form, forms_in, pick_form

BOOKERS = 200
SEATS = 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(app, database_url):
    """Serve the app under gunicorn: 4 worker processes with 8 threads each."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "race-test"}
    # 200 people sign in from this one machine: lift the per-client sign-in limit.
    env["TCB_LOGIN_CLIENT_RATE_LIMIT"] = "100000 per minute"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "4",
            "--threads",
            "8",
            # Signing 200 people in takes longer than gunicorn's 2 s keep-alive on a busy
            # machine; their idle connections must still be open when they all press.
            "--keep-alive",
            "300",
            "--bind",
            f"127.0.0.1:{port}",
            # The bookers sign in first and press the button together later; their
            # idle connections must still be open then (a browser would reconnect).
            "--keep-alive",
            "300",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{base}/login", timeout=5)
            break
        except requests.RequestException:  # refused while starting, or slow to answer
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)


def _page_form(browser: requests.Session, base: str, path: str, **clues) -> Form:
    """One form of a page the server rendered (see tests/forms.py), read over HTTP."""
    page = browser.get(f"{base}{path}", timeout=60)
    page.raise_for_status()
    form = pick_form(forms_in(page.text, path), **clues)
    assert form.method == "post", form
    return form


def _ready_to_book(base: str, email: str, session_id: int):
    """Sign in and open the session page, as a person about to press the button: the
    booking form as the page rendered it, its address and its fields."""
    browser = requests.Session()
    login = _page_form(browser, base, "/login", field="email").fill(email=email, password=PASSWORD)
    browser.post(
        f"{base}{login.action}", data=login.data(), allow_redirects=False, timeout=60
    ).raise_for_status()
    path = f"/sessions/{session_id}"
    form = _page_form(browser, base, path, action=f"{path}/book")
    return browser, (f"{base}{form.action}", form.data())


def _press_together(jobs):
    """Run every job at the same instant from its own thread; return the answers."""
    barrier = threading.Barrier(len(jobs))
    answers = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            answers[i] = job()
        except requests.RequestException as error:  # reported by the caller's assertion
            answers[i] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _seed(make, count):
    session = make.session(seats=SEATS)
    company = make.company()
    password_hash = hash_password(PASSWORD)
    people = [
        new_person(
            f"Deltagare {i}", f"racer{i}@example.se", company=company, password_hash=password_hash
        )
        for i in range(count)
    ]
    db.session.add_all(people)
    db.session.commit()
    return session.id, [p.email for p in people]


def test_200_people_booking_5_seats_at_once_fill_them_exactly(app, make, server):
    with app.app_context():
        session_id, emails = _seed(make, BOOKERS)
    with ThreadPoolExecutor(16) as pool:
        ready = list(pool.map(lambda e: _ready_to_book(server, e, session_id), emails))

    # Each person's rendered booking form, read once above, is sent by all at the same instant.
    answers = _press_together(
        [
            (lambda b=browser, f=form: b.post(f[0], data=f[1], allow_redirects=False, timeout=120))
            for browser, form in ready
        ]
    )

    codes = sorted({getattr(a, "status_code", repr(a)) for a in answers}, key=str)
    assert codes == [302], f"every booking answered with a redirect, got {codes}"
    with app.app_context():
        bookings = db.session.scalars(
            select(Booking).where(Booking.session_id == session_id).order_by(Booking.id)
        ).all()
        session = db.session.get(ValidationSession, session_id)
        assert len(bookings) == BOOKERS
        assert len({b.employee_id for b in bookings}) == BOOKERS
        confirmed = [b for b in bookings if b.status == "confirmed"]
        waiting = [b for b in bookings if b.status == "waitlisted"]
        assert len(confirmed) == SEATS and session.seats_taken == SEATS
        assert len(waiting) == BOOKERS - SEATS
        # A strict queue: numbers 1..195 with no gaps or twins, in the order booked.
        assert [b.waitlist_number for b in waiting] == list(range(1, BOOKERS - SEATS + 1))
        assert all(c.id < waiting[0].id for c in confirmed)

        # The first in the queue gets the next seat that frees up.
        cancel_booking(confirmed[0].id, confirmed[0].employee)
        db.session.expire_all()
        assert db.session.get(Booking, waiting[0].id).status == "confirmed"
        assert db.session.get(Booking, waiting[1].id).status == "waitlisted"


def test_a_form_sent_ten_times_at_once_books_once(app, make, server):
    with app.app_context():
        session_id, (email,) = _seed(make, 1)
    browser, (action, data) = _ready_to_book(server, email, session_id)

    # The rendered booking form, read once, sent ten times at the same instant.
    answers = _press_together(
        [
            (lambda: browser.post(action, data=data, allow_redirects=False, timeout=60))
            for _ in range(10)
        ]
    )

    assert {a.status_code for a in answers} == {302}
    with app.app_context():
        statuses = db.session.scalars(
            select(Booking.status).where(Booking.session_id == session_id)
        ).all()
    assert statuses == ["confirmed"]


def test_one_person_booking_six_sessions_at_the_same_time_at_once_gets_one(app, make, server):
    """Six tabs, six sessions on the same morning at different centers, pressed at the
    same instant: each booking locks its own session, so the clash between them is
    found only because the person's row is held too (PostgreSQL; SQLite's writes take
    turns)."""
    with app.app_context():
        first, (email,) = _seed(make, 1)
        model = db.session.get(ValidationSession, first).model
        others = [
            make.session(seats=SEATS, model=model, center=make.center(name=f"Center {n}")).id
            for n in range(5)
        ]
    session_ids = [first, *others]
    browser, _form = _ready_to_book(server, email, first)
    forms = []
    for session_id in session_ids:
        path = f"/sessions/{session_id}"
        form = _page_form(browser, server, path, action=f"{path}/book")
        forms.append((f"{server}{form.action}", form.data()))

    answers = _press_together(
        [
            (lambda f=form: browser.post(f[0], data=f[1], allow_redirects=False, timeout=60))
            for form in forms
        ]
    )

    codes = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert codes == [302] + [409] * 5, codes
    with app.app_context():
        held = db.session.scalars(
            select(Booking.session_id).where(
                Booking.session_id.in_(session_ids), Booking.status != "cancelled"
            )
        ).all()
    assert len(held) == 1
