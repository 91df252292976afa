"""Does *Glömt lösenord* answer as fast for an unknown address as for an account?

`python -m bench.reset_timing [--database postgresql] [--rounds 200]` migrates a fresh
database with one account, serves the app under gunicorn on loopback (as bench.run
does) and posts the forgot-password form alternately for the account's address and
for unknown ones, timing each answer from the request to the last byte of the reply.
It prints both medians and their ratio, measured in the same run so that the machine's
speed cancels out. A ratio near 1.00 means the answer's speed does not tell whether an
address has an account. This is a measurement, not a test: timings have no place in
the test suite (tests/test_password_reset_timing.py checks the structural property).
"""

import argparse
import contextlib
import http.client
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.parse

from bench.server import Server, ServerSettings

SECRET = "bench-secret-key-not-for-production"
WARM_UP = 5
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@contextlib.contextmanager
def _database(kind: str, postgres_url: str, folder: str):
    """(the app's URL, gunicorn's DATABASE_URL) of a new database, dropped afterwards."""
    if kind == "sqlite":
        path = os.path.join(folder, "reset-timing.sqlite")
        yield f"sqlite:///{path}", f"sqlite:///{path}"
        return
    import psycopg

    name = f"tcb_reset_timing_{os.getpid()}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    base = postgres_url.rsplit("/", 1)[0]
    try:
        app_url = base.replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
        yield app_url, f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _account(n: int) -> str:
    return f"konto-{n}@example.se"


def _unknown(n: int) -> str:
    return f"finns-inte-{n}@example.se"


def _prepare(url: str, accounts: int) -> None:
    from flask_migrate import upgrade

    from app import create_app, schema_migrations
    from app.accounts.services import new_person
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    schema_migrations.bind(app)
    with app.app_context():
        upgrade()
        # Invited, without a password yet: enough for a reset mail, and no slow hashing.
        db.session.add_all(new_person(f"Konto {n}", _account(n)) for n in range(accounts))
        db.session.commit()
        db.engine.dispose()


def _form(connection: http.client.HTTPConnection) -> tuple[str, str]:
    """The session cookie and CSRF token the forgot-password page hands a visitor."""
    connection.request("GET", "/password/forgot")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    return cookie, TOKEN.search(page).group(1)


def _timed_post(connection, cookie: str, token: str, address: str) -> float:
    body = urllib.parse.urlencode({"csrf_token": token, "email": address})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    started = time.perf_counter()
    connection.request("POST", "/password/forgot", body, headers)
    response = connection.getresponse()
    response.read()
    took = time.perf_counter() - started
    if response.status != 302:
        raise RuntimeError(f"POST /password/forgot answered {response.status}")
    return took


def measure(base_url: str, rounds: int, pause: float) -> tuple[list[float], list[float]]:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    # The same cookie and token for every post: the flash message each answer adds
    # to its cookie is not sent back, so every request is the same size.
    cookie, token = _form(connection)
    known, unknown = [], []
    # Every address is typed once, as someone probing for accounts would: the rate
    # limiter's count per typed address is then the same for both kinds.
    for n in range(rounds + WARM_UP):
        pair = [(known, _account(n)), (unknown, _unknown(n))]
        if n % 2:  # alternate which goes first
            pair.reverse()
        for found, address in pair:
            took = _timed_post(connection, cookie, token, address)
            if n >= WARM_UP:
                found.append(took)
            # Work a server does after its answer must not land in the next timing.
            time.sleep(pause)
    connection.close()
    return known, unknown


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between posts")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="tcb-reset-") as folder,
        _database(args.database, args.postgres_url, folder) as (url, server_url),
    ):
        _prepare(url, args.rounds + WARM_UP)
        env = {
            "DATABASE_URL": server_url,
            "SECRET_KEY": SECRET,
            "TCB_LOGIN_RATE_LIMIT": "1000000 per minute",
            "TCB_LOGIN_CLIENT_RATE_LIMIT": "1000000 per minute",
        }
        settings = ServerSettings(workers=1, threads=4)
        with Server("wsgi:app", settings, env, ready_path="/login") as server:
            known, unknown = measure(server.url, args.rounds, args.pause)
    known_ms = statistics.median(known) * 1000
    unknown_ms = statistics.median(unknown) * 1000
    print(f"{args.database}, {args.rounds} posts each, {settings}")
    print(f"  account exists: median {known_ms:.2f} ms")
    print(f"  unknown address: median {unknown_ms:.2f} ms")
    print(f"  ratio (exists / unknown): {known_ms / unknown_ms:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
