"""Fresh databases for tests, built once by the migrations and then copied.

SQLite: the migrated file is copied per test. PostgreSQL: the migrated database is
a template that CREATE DATABASE ... TEMPLATE clones; a clone a test has finished with
is put back as the template left it and handed to the next test (see TemplateCopies).
"""

import os
import shutil
import uuid

import psycopg
import pytest
from flask_migrate import upgrade

from app import create_app, schema_migrations
from app.extensions import db

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def migrate(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "migrate"})
    schema_migrations.bind(app)
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
        self.copies = TemplateCopies(self.template)

    def create(self, folder) -> str:
        return self.copies.create()

    def drop(self, url: str) -> None:
        self.copies.release(url)

    def close(self) -> None:
        self.copies.close()
        _admin(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")


# What a database holds, table by table: a digest of every row, in one statement.
_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
_SCHEMA = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
    SELECT c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod)
           || a.attnotnull::text || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS item
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT conname || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT tgname || tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT t.typname || e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
) AS schema_items
"""
_SEQUENCES = (
    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
    "ORDER BY sequencename"
)


def _row_digests(conn, tables: list[str]) -> dict[str, str]:
    parts = [
        f"SELECT '{t}', md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) "
        f'FROM "{t}" AS r'
        for t in tables
    ]
    return dict(conn.execute(" UNION ALL ".join(parts)).fetchall())


class TemplateCopies:
    """Copies of one PostgreSQL template database, reused from test to test.

    CREATE DATABASE ... TEMPLATE costs about 0.3 s of the server's CPU and DROP
    DATABASE a checkpoint: on two cores that was a third of the suite's time. So a
    copy a test has finished with is put back as the template left it (the tables a
    test changed emptied and refilled from the template's rows, the sequences set
    back) and handed to the next test. It is reused only when afterwards every table's
    rows, the schema and the sequences are the template's, digest for digest, and
    nobody is still connected to it; otherwise it is dropped and the next test gets a
    new clone, as before.
    """

    def __init__(self, template: str):
        self.template = template
        self.free: list[str] = []
        with psycopg.connect(_plain_url(template)) as conn:
            self.tables = [t for (t,) in conn.execute(_TABLES)]
            self.schema = conn.execute(_SCHEMA).fetchone()[0]
            self.digests = _row_digests(conn, self.tables)
            self.sequences = conn.execute(_SEQUENCES).fetchall()
            self.rows = {}  # table -> its rows as COPY text, for the tables that have any
            for table in self.tables:
                with conn.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                    data = b"".join(bytes(block) for block in copy)
                if data:
                    self.rows[table] = data

    def create(self) -> str:
        if self.free:
            return self.free.pop()
        name = f"tcb_test_{uuid.uuid4().hex[:12]}"
        _admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return _pg_url(name)

    def release(self, url: str) -> None:
        try:
            reset = self._reset(url)
        except psycopg.Error:
            reset = False
        if reset:
            self.free.append(url)
        else:
            drop_postgres_database(url)

    def _reset(self, url: str) -> bool:
        with psycopg.connect(_plain_url(url.rsplit("/", 1)[1])) as conn:
            others = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            ).fetchone()[0]
            if others or conn.execute(_SCHEMA).fetchone()[0] != self.schema:
                return False
            # Rows go back in any order: no foreign key or trigger fires meanwhile.
            conn.execute("SET LOCAL session_replication_role = replica")
            digests = _row_digests(conn, self.tables)
            for table in [t for t, digest in digests.items() if digest != self.digests[t]]:
                conn.execute(f'DELETE FROM "{table}"')
                if table in self.rows:
                    with conn.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(self.rows[table])
            for sequence, last_value in self.sequences:
                if last_value is None:  # never used in the template
                    conn.execute("SELECT setval(%s, 1, false)", (sequence,))
                else:
                    conn.execute("SELECT setval(%s, %s)", (sequence, last_value))
            same = (
                _row_digests(conn, self.tables) == self.digests
                and conn.execute(_SEQUENCES).fetchall() == self.sequences
            )
            if not same:
                conn.rollback()
            return same

    def close(self) -> None:
        for url in self.free:
            drop_postgres_database(url)
        self.free.clear()


def _plain_url(name: str) -> str:
    """The psycopg (not SQLAlchemy) URL of a database on the test server."""
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


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
