"""Fresh databases for tests, built once by the migrations and then copied.

SQLite: the migrated file is copied per test. PostgreSQL: the migrated database is
a template that CREATE DATABASE ... TEMPLATE clones per test.
"""

import os
import shutil
import uuid

import psycopg
import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def migrate(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "migrate"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _pg_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


class SQLiteDatabases:
    def __init__(self, folder):
        self.template = os.path.join(folder, "template.sqlite")
        migrate(f"sqlite:///{self.template}")

    def create(self, folder) -> str:
        path = os.path.join(folder, "test.sqlite")
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        pass  # the file goes with pytest's tmp_path

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self):
        self.template = f"tcb_template_{os.getpid()}"
        _admin(f"DROP DATABASE IF EXISTS {self.template}")
        _admin(f"CREATE DATABASE {self.template}")
        migrate(_pg_url(self.template))

    def create(self, folder) -> str:
        name = f"tcb_test_{uuid.uuid4().hex[:12]}"
        _admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return _pg_url(name)

    def drop(self, url: str) -> None:
        drop_postgres_database(url)

    def close(self) -> None:
        _admin(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")


def require_postgres() -> None:
    """Skip where no PostgreSQL server runs (never in CI)."""
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")


def empty_postgres_database() -> str:
    """A new database without tables, for a test that runs the migrations itself."""
    require_postgres()
    name = f"tcb_empty_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {name}")
    return _pg_url(name)


def drop_postgres_database(url: str) -> None:
    _admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def postgres_or_skip(request):
    """Return the PostgreSQL factory, or skip where no server runs (never in CI)."""
    require_postgres()
    return request.getfixturevalue("_postgres_databases")
