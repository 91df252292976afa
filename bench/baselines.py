"""The baselines the app's figures are divided by, served like the app itself.

- `hello_app()`: Flask answering "Hello, World!", the floor of any Flask page.
- `raw_booking_app()`: Flask and the sqlite3 module, nothing else: a booking is
  BEGIN IMMEDIATE, a conditional UPDATE of the session's seat counter, an INSERT of
  the booking, COMMIT. It is what a booking costs without the ORM, sign-in, CSRF,
  the rules and the audit trail; its file (RAW_BOOKING_DB) uses the app's pragmas.
- `stack_booking_app()` (in `bench.stack_floor`): the same booking on the stack the
  project must use (Flask-Login, Flask-WTF's CSRF check, Flask-SQLAlchemy models),
  still without any of the rules. It is not a target's baseline: it shows how much of
  the raw figure the libraries alone leave, before the app does anything of its own.

gunicorn loads them as `bench.baselines:hello_app()`,
`bench.baselines:raw_booking_app()` and `bench.stack_floor:stack_booking_app()`.
"""

import os
import sqlite3
import threading

from flask import Flask, request

SCHEMA = """
CREATE TABLE IF NOT EXISTS session (
    id INTEGER PRIMARY KEY,
    seats INTEGER NOT NULL,
    seats_taken INTEGER NOT NULL DEFAULT 0 CHECK (seats_taken <= seats)
);
CREATE TABLE IF NOT EXISTS booking (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES session (id),
    employee_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


def hello_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, World!"

    return app


def create_raw_database(path: str, sessions: int = 50, seats: int = 10**9) -> None:
    """Make the raw baseline's file: sessions 1..n, each with plenty of seats."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")  # kept in the file, as the app's is
        conn.executescript(SCHEMA)
        conn.executemany(
            "INSERT OR IGNORE INTO session (id, seats) VALUES (?, ?)",
            [(i, seats) for i in range(1, sessions + 1)],
        )
    conn.close()


def raw_booking_app() -> Flask:
    app = Flask(__name__)
    path = os.environ["RAW_BOOKING_DB"]
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "conn"):
            conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            local.conn = conn
        return local.conn

    @app.post("/sessions/<int:session_id>/book")
    def book(session_id: int):
        employee_id = int(request.form["employee_id"])
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            took = conn.execute(
                "UPDATE session SET seats_taken = seats_taken + 1"
                " WHERE id = ? AND seats_taken < seats",
                (session_id,),
            ).rowcount
            conn.execute(
                "INSERT INTO booking (session_id, employee_id, status) VALUES (?, ?, ?)",
                (session_id, employee_id, "confirmed" if took else "waitlisted"),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return "", 302, {"Location": "/bookings"}

    return app
