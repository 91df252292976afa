"""Writers to one SQLite file take turns in the kernel (app/db.py WriteQueue).

The queue is what keeps bookings flowing under load: a writer waits for the one
before it in flock, and is woken the moment it finishes, instead of sleeping in
SQLite's busy handler. SQLite still has the last word, so a writer that takes no
turn is waited for as before.
"""

import fcntl
import os
import sqlite3
import threading

import pytest
from sqlalchemy import select

from app import create_app
from app.accounts.models import Person
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.db import _write_queues
from app.extensions import db
from tests.conftest import TEST_CONFIG


def _book_in_thread(app, session_id, employee_id):
    done, errors = threading.Event(), []

    def run():
        try:
            with app.app_context():
                employee = db.session.get(Person, employee_id)
                book_seat(session_id, employee, employee)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done, errors


@pytest.fixture
def ready(app, make):
    with app.app_context():
        employee = make.employee()
        session = make.session(seats=3)
        ids = session.id, employee.id
        queue = _write_queues.get(db.engine)
    return (*ids, queue)


def test_a_booking_waits_its_turn_behind_another_process_writer(app, ready, database_url):
    session_id, employee_id, queue = ready
    if not database_url.startswith("sqlite"):
        # PostgreSQL orders writers by row locks; there is no queue file to take turns in.
        assert queue is None
        return
    assert queue.path == database_url.removeprefix("sqlite:///") + ".write-lock"
    # Another worker process in the middle of a unit of work holds the turn.
    fd = os.open(queue.path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        thread, done, errors = _book_in_thread(app, session_id, employee_id)
        assert not done.wait(0.5), "the booking went ahead while another writer had its turn"
    finally:
        os.close(fd)  # that writer commits
    thread.join(30)
    assert done.is_set() and not errors, errors
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session_id))
        assert booking.status == "confirmed" and booking.employee_id == employee_id
    assert oct(os.stat(queue.path).st_mode & 0o777) == "0o600"


class _Shell:
    """A connection of its own that takes no turn, as the sqlite3 shell or psql would."""

    def __init__(self, database_url: str):
        if database_url.startswith("sqlite"):
            self.conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            self.placeholder = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(database_url.replace("+psycopg", ""))
            self.placeholder = "%s"

    def add_a_seat(self, session_id: int) -> None:
        """Holds SQLite's write lock (PostgreSQL: the session's row lock) until commit."""
        self.conn.execute(
            f"UPDATE validation_session SET seats = seats + 1 WHERE id = {self.placeholder}",
            (session_id,),
        )


def test_a_writer_outside_the_queue_is_still_waited_for(app, ready, database_url):
    """The database itself makes the booking wait for the shell: SQLite's busy
    timeout, PostgreSQL's row lock on the session."""
    session_id, employee_id, _queue = ready
    shell = _Shell(database_url)
    try:
        shell.add_a_seat(session_id)
        thread, done, errors = _book_in_thread(app, session_id, employee_id)
        assert not done.wait(0.5), "the booking wrote while the shell held the session"
        shell.conn.commit()
    finally:
        shell.conn.close()
    thread.join(30)
    assert done.is_set() and not errors, errors
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session_id))
        assert booking.status == "confirmed"
        assert booking.session.seats == 4  # the shell's change is kept too


def test_the_queue_can_be_turned_off_to_measure_it(_sqlite_databases, tmp_path):
    """TCB_SQLITE_WRITE_QUEUE=false (the bench's A/B): no lock file, SQLite's busy handler."""
    url = _sqlite_databases.create(tmp_path)
    for setting, queued in ((True, True), (False, False)):
        config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "SQLITE_WRITE_QUEUE": setting}
        app = create_app(config)
        with app.app_context():
            assert (_write_queues.get(db.engine) is not None) is queued
            db.engine.dispose()
