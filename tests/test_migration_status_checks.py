"""Migration 0113 adds the CHECK on calendar_entry.role without touching the rows there.

The database is given rows as a running installation would have them at 0112 (the
rows they refer to are made at the head and the schema brought back down with them),
before 0113 runs.
"""

import pytest
from alembic import command
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from app.schema_migrations import alembic_config
from tests.conftest import TEST_CONFIG
from tests.databases import drop_postgres_database, empty_postgres_database
from tests.factories import Factory

BEFORE = "0112_calendar_replies"
AFTER = "0113_status_checks"
_INSERT_ENTRY = text(
    "INSERT INTO calendar_entry "
    "(uid, role, person_id, session_id, booking_id, sequence, fingerprint, cancelled, updated_at) "
    "VALUES (:uid, :role, :person, :session, NULL, :sequence, 'f', :cancelled, :at)"
)
_ENTRIES = text(
    "SELECT uid, role, person_id, session_id, sequence, fingerprint, cancelled, updated_at "
    "FROM calendar_entry ORDER BY uid"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, tmp_path):
    """An app on a database the migrations brought to 0112, not further."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    else:
        url = empty_postgres_database()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        # The rows the entries refer to are made by today's models, on today's schema,
        # which then goes back down to 0112 with them.
        _upgrade("head")
        make = Factory()
        session = make.session()
        app.config["OLD_ROWS"] = (make.employee().id, session.id, session.assessor_id)
        db.session.remove()
        command.downgrade(alembic_config(current_app), BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def _upgrade(revision: str) -> None:
    # On PostgreSQL a transaction of the test's that read the table would hold the
    # ALTER TABLE back for ever.
    db.session.remove()
    # Alembic's own command, not flask_migrate.upgrade: that one turns the error this
    # test looks for into a log line and SystemExit.
    command.upgrade(alembic_config(current_app), revision)


def _add_entries(*roles: str) -> None:
    person_id, session_id, assessor_id = current_app.config["OLD_ROWS"]
    at = db.session.scalar(
        text("SELECT created_at FROM validation_session WHERE id = :id"), {"id": session_id}
    )
    for number, role in enumerate(roles):
        db.session.execute(
            _INSERT_ENTRY,
            {
                "uid": f"entry-{number}@test",
                "role": role,
                "person": person_id if role != "assessor" else assessor_id,
                "session": session_id,
                "sequence": number,
                "cancelled": number % 2 == 1,
                "at": at,
            },
        )
    db.session.commit()


def _entries() -> list[tuple]:
    db.session.rollback()
    return [tuple(row) for row in db.session.execute(_ENTRIES)]


def _revision() -> str:
    db.session.rollback()
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def _role_checks() -> list[str]:
    db.session.rollback()
    return [
        check["name"]
        for check in inspect(db.engine).get_check_constraints("calendar_entry")
        if check["name"] == "ck_calendar_entry_role"
    ]


def test_the_check_is_added_and_the_rows_stay_as_they_were(old_app):
    _add_entries("participant", "assessor", "participant")
    before = _entries()

    _upgrade(AFTER)

    assert _revision() == AFTER
    assert _entries() == before
    assert _role_checks() == ["ck_calendar_entry_role"]
    _uid, _role, person_id, session_id, *_rest, at = before[0]
    stray = {"uid": "stray@test", "role": "observer", "sequence": 0, "cancelled": False}
    with pytest.raises(IntegrityError):
        db.session.execute(
            _INSERT_ENTRY, {**stray, "person": person_id, "session": session_id, "at": at}
        )
        db.session.commit()
    db.session.rollback()
    assert _entries() == before


def test_a_value_outside_the_enum_stops_the_migration_and_is_kept(old_app):
    _add_entries("participant", "observer", "assessor", "observer")
    before = _entries()

    with pytest.raises(CommandError) as stopped:
        _upgrade(AFTER)

    message = str(stopped.value)
    assert "calendar_entry.role" in message
    assert "'observer' (2 rows)" in message
    assert "participant" in message and "assessor" in message
    assert _revision() == BEFORE
    assert _entries() == before
    assert _role_checks() == []
