"""Migration 0129 turns the closure prefix stored in cancel reasons into a flag.

Sessions a closure cancelled before it carry "Testcentret är stängt: <reason>" (or the
English words of an English-speaking admin); after it, the reason alone and the flag,
so that every reader gets "closed" in their own language. Other reasons are untouched.
"""

import pytest
from alembic import command
from flask import current_app
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.schema_migrations import alembic_config
from tests.conftest import TEST_CONFIG
from tests.databases import drop_postgres_database, empty_postgres_database
from tests.factories import Factory

BEFORE = "0128_api_token_request_key"
AFTER = "0129_closure_cancellation"
STORED = {
    "Testcentret är stängt: Vattenläcka": (True, "Vattenläcka"),
    "The test center is closed: Water leak": (True, "Water leak"),
    "Testcentret är stängt den dagen.": (True, ""),
    "Testledaren är sjuk": (False, "Testledaren är sjuk"),
    "Testcentret är stängt_ men inte så": (False, "Testcentret är stängt_ men inte så"),
    "": (False, ""),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, tmp_path):
    """An app on a database brought to 0128 with sessions cancelled as it stored them."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    else:
        url = empty_postgres_database()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        command.upgrade(alembic_config(current_app), "head")
        make = Factory()
        ids = {reason: make.session().id for reason in STORED}
        db.session.remove()
        command.downgrade(alembic_config(current_app), BEFORE)
        for reason, session_id in ids.items():
            db.session.execute(
                text("UPDATE validation_session SET cancel_reason = :r WHERE id = :id"),
                {"r": reason, "id": session_id},
            )
        db.session.commit()
        db.session.remove()
        app.config["OLD_SESSIONS"] = ids
        yield app
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def test_closure_prefixes_become_the_flag_and_other_reasons_stay(old_app):
    with old_app.app_context():
        command.upgrade(alembic_config(current_app), AFTER)
        rows = dict(
            (row[0], (bool(row[1]), row[2]))
            for row in db.session.execute(
                text("SELECT id, cancelled_for_closure, cancel_reason FROM validation_session")
            )
        )
        for reason, session_id in current_app.config["OLD_SESSIONS"].items():
            assert rows[session_id] == STORED[reason], reason
