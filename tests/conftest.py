import os

import pytest
from flask import Flask
from jinja2 import BytecodeCache

from app import create_app
from app.api.tokens import create_token
from app.extensions import db
from tests.databases import PostgresDatabases, SQLiteDatabases, postgres_or_skip
from tests.factories import Factory
from tests.forms import page_form

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    # Thousands of sign-ins in the race tests: a cheap hash keeps them quick.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    # Tests sign in hundreds of times from one address; tests/test_security.py sets its own.
    "LOGIN_RATE_LIMIT": "100000 per minute",
    "LOGIN_CLIENT_RATE_LIMIT": "100000 per minute",
}


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for the whole run. Each test makes its own app,
    and each app its own Jinja environment, which compiled every template it rendered
    again (about 50 ms for the search page); Jinja checks each one's source before
    using the stored code."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if (code := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _CompiledTemplates()}


@pytest.fixture(scope="session")
def _sqlite_databases(tmp_path_factory):
    return SQLiteDatabases(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def _postgres_databases():
    databases = PostgresDatabases()
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh database built by the migrations; every test runs on both engines."""
    if request.param == "sqlite":
        databases = request.getfixturevalue("_sqlite_databases")
    else:
        databases = postgres_or_skip(request)
    url = databases.create(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def app(database_url):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    """Build rows with sensible defaults; call inside `with app.app_context()`."""
    return Factory()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "secret-pass"):
        form = page_form(self.client, "/login", action="/login", field="email")
        return form.fill(email=email, password=password).submit()

    def logout(self):
        return page_form(self.client, "/", action="/logout").submit()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def center_admin(app, make, auth):
    """A center with a model, a testledare and its admin, signed in."""
    with app.app_context():
        center = make.center(name="Skellefteå industriskola", municipality="Skellefteå")
        model = make.model()
        assessor = make.assessor(model)
        admin = make.person(("center_admin",), center=center)
        ids = {
            "center": center.id,
            "model": model.id,
            "assessor": assessor.id,
            "assessor_email": assessor.email,
            "admin": admin.id,
        }
        auth.login(admin.email)
        return ids


@pytest.fixture
def api(app, client):
    """api(person)(method, path, key=None, **kwargs): call the API as the person, with a
    bearer token of theirs; `key` is an Idempotency-Key, and a `next` link (absolute)
    is followed as given.

    Use it inside the test's `with app.app_context()`, where the person was made.
    """

    def as_person(person):
        _row, token = create_token(person, "test")

        def call(method, path, key=None, headers=None, **kwargs):
            headers = {"Authorization": f"Bearer {token}", **(headers or {})}
            if key is not None:
                headers["Idempotency-Key"] = key
            if path.startswith("http://localhost"):
                path = path.removeprefix("http://localhost")
            else:
                path = f"/api/v1{path}"
            return client.open(path, method=method, headers=headers, **kwargs)

        return call

    return as_person


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than cores. The browser, live-server and PostgreSQL
    tests spend much of their time waiting on other processes (Chromium, the server,
    postgres), so one worker per core left the cores idle part of the time."""
    return (os.cpu_count() or 1) + 1
