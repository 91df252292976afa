"""Settings for running in production: the database URL and a reverse proxy in front."""

import os
import sqlite3
import subprocess
import sys

import pytest

from app import create_app
from app.config import from_environment
from app.extensions import db
from tests.conftest import TEST_CONFIG

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://app@db:5432/tcb", "postgresql+psycopg://app@db:5432/tcb"),
        ("postgres://app@db/tcb", "postgresql+psycopg://app@db/tcb"),
        ("sqlite:////srv/tcb.sqlite", "sqlite:////srv/tcb.sqlite"),
    ],
)
def test_database_url_selects_the_database_and_psycopg_3(monkeypatch, given, used):
    monkeypatch.setenv("DATABASE_URL", given)
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    settings = from_environment()
    assert settings["SQLALCHEMY_DATABASE_URI"] == used
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"


@pytest.mark.parametrize(
    ("proxies", "seen"), [(0, ("127.0.0.1", "http")), (1, ("203.0.113.7", "https"))]
)
def test_forwarded_headers_count_only_behind_trusted_proxies(database_url, proxies, seen):
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXIES": proxies}
    )

    @app.get("/_whoami")
    def whoami():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    answer = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
    )
    assert answer.get_data(as_text=True) == " ".join(seen)
    with app.app_context():
        db.engine.dispose()


def test_web_workers_leave_alembic_out_and_flask_db_still_migrates(tmp_path):
    """`flask db upgrade` builds the schema as before, while the app gunicorn serves
    never imports Alembic (11 MB of each worker's memory)."""
    database = tmp_path / "fresh.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x"}
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, wsgi; print(sorted(m for m in sys.modules"
            " if m.split('.')[0] in ('alembic', 'flask_migrate', 'mako')))",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert served.stdout.strip() == "[]"
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "db"]
    subprocess.run([*flask, "upgrade"], env=env, cwd=ROOT, capture_output=True, check=True)
    current = subprocess.run(
        [*flask, "current"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "(head)" in current.stdout
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"booking", "validation_session", "person"} <= tables
