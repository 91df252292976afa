"""The declarative base, the UTC column type and the transaction helper."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
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


# Set while a unit of work opens its transaction, so that SQLite takes the write
# lock at BEGIN (BEGIN IMMEDIATE) instead of failing later when a read turns into a
# write while another process writes.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_in_unit_of_work: ContextVar[bool] = ContextVar("in_unit_of_work", default=False)


def configure_sqlite(engine: Engine) -> None:
    """Turn on foreign keys, WAL and a busy timeout, and let us choose BEGIN's mode."""

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
    from app.extensions import db

    if _in_unit_of_work.get():
        yield
        return
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes outside a unit of work")
    session.rollback()
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
