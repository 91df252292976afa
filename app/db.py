"""The declarative base, the UTC and status column types and the transaction helper."""

import fcntl
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum

from flask import current_app
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the zone itself (timestamptz); SQLite keeps naive text, so the
    zone is stripped on the way in and put back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC time is stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def status_type(enum: type[StrEnum], length: int) -> Enum:
    """A StrEnum column: VARCHAR(length) in the database, the enum's members in Python.

    Writing a value outside the enum fails before it reaches the database. The CHECK
    that guards the column there is spelt out in the model's __table_args__ (see
    values_in), under the name the migrations gave it.
    """
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        values_callable=lambda members: [m.value for m in members],
        length=length,
        validate_strings=True,
    )


def values_in(column: str, enum: type[StrEnum]) -> str:
    """The CHECK's condition that a column holds one of the enum's values, in their order."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


# Set while a unit of work opens its transaction, so that SQLite takes the write
# lock at BEGIN (BEGIN IMMEDIATE) instead of failing later when a read turns into a
# write while another process writes.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_in_unit_of_work: ContextVar[bool] = ContextVar("in_unit_of_work", default=False)


class WriteQueue:
    """Writers to one SQLite file wait their turn in the kernel, not in SQLite's busy handler.

    SQLite's busy handler polls: a writer that finds the database locked sleeps 1, 2,
    5, 10 ... up to 100 ms before it tries again, so under load the lock stands free
    while the waiting writers sleep (bookings through 16 connections ran at 40 % of
    what one core does). An flock on a file beside the database queues the units of
    work of every process and thread, and the kernel wakes the next one the moment
    the lock is released. SQLite still decides who writes: a writer that takes no
    turn here (the sqlite3 shell, say) is waited for as before, by the busy timeout.

    What it gives, measured in one run (`python -m bench.run --quick --only "booking
    web form"`, which also books on a server with SQLITE_WRITE_QUEUE off, 2026-12-06):
    the same throughput (148–152 against 147–164 bookings a second) but the slow answers
    three to four times sooner: p95 187–191 ms against 440–489 ms, p99 236–254 ms
    against 738–934 ms. Those are the people pressing *Boka* when many do.
    """

    def __init__(self, database: str):
        self.path = database + ".write-lock"

    @contextmanager
    def turn(self) -> Iterator[None]:
        # A descriptor of its own per turn: flock excludes open files, not processes,
        # so threads sharing one descriptor would not exclude each other.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits without holding the GIL
            yield
        finally:
            os.close(fd)  # closing releases the lock


_write_queues: "weakref.WeakKeyDictionary[Engine, WriteQueue]" = weakref.WeakKeyDictionary()


def configure_sqlite(engine: Engine, write_queue: bool = True) -> None:
    """Turn on foreign keys, WAL and a busy timeout, and let us choose BEGIN's mode."""
    database = engine.url.database
    if write_queue and database and database != ":memory:" and not database.startswith("file:"):
        _write_queues[engine] = WriteQueue(os.path.abspath(database))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy's begin event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run the block as one write transaction: commit at the end, roll back on error.

    Nested calls join the outer unit. Whatever the caller read before is rolled back
    first (its objects reload under the new transaction), so the unit starts with the
    write lock on SQLite and sees current rows.
    """
    if _in_unit_of_work.get():
        yield
        return
    # The app's Flask-SQLAlchemy, found through the app: app.extensions makes it from
    # this module's Base, so importing it here would be a circle.
    session = current_app.extensions["sqlalchemy"].session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes outside a unit of work")
    session.rollback()
    queue = _write_queues.get(session.get_bind())
    with queue.turn() if queue else nullcontext():
        outer = _in_unit_of_work.set(True)
        intent = _write_intent.set(True)
        try:
            session.connection()  # BEGIN (IMMEDIATE on SQLite) happens here
        finally:
            _write_intent.reset(intent)
        try:
            yield
            # What the unit read and wrote is what it committed: keep it loaded, so the
            # caller can answer from it without reading everything back. The next unit
            # starts with a rollback, which expires it all again.
            current = session()  # the Session itself, not the scoped proxy
            current.expire_on_commit = False
            try:
                current.commit()
            finally:
                current.expire_on_commit = True
        except BaseException:
            session.rollback()
            raise
        finally:
            _in_unit_of_work.reset(outer)
