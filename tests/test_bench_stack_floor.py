"""The benchmark's bare-stack booking books what its prepared requests ask for.

Its figure is only worth printing if the signed-in, CSRF-carrying requests the
benchmark prepares for it are bookings and not refusals. No timing here.
"""

import uuid

import pytest
from sqlalchemy import func, select

from bench.stack_floor import Booking, Session, create_stack_database, db, stack_booking_app
from tests.databases import _admin, _pg_url, drop_postgres_database, require_postgres

AGENT = "tcb-bench"


# The bare stack (bench/stack_floor.py) renders no booking form: these POSTs are the benchmark's
# prepared requests themselves, and whether they book is what this test checks.
def _post(client, cookie, token, session_id=1):
    client.set_cookie("session", cookie)
    return client.post(
        f"/sessions/{session_id}/book",
        data={"csrf_token": token},
        headers={"User-Agent": AGENT},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def stack_url(request, tmp_path):
    """The bare stack runs on the benchmark run's database: SQLite or PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'stack.sqlite'}"
        return
    require_postgres()
    name = f"tcb_stack_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {name}")
    yield _pg_url(name)
    drop_postgres_database(_pg_url(name))


def test_the_prepared_sign_ins_book_and_nothing_else_does(stack_url):
    people = create_stack_database(stack_url, "secret", AGENT)
    app = stack_booking_app(stack_url, "secret")
    client = app.test_client()

    for session_id, (cookie, token) in enumerate(people[:3], start=1):
        answer = _post(client, cookie, token, session_id)
        assert answer.status_code == 302
        assert "Set-Cookie" not in answer.headers  # the cookie is taken as it is
    cookie, token = people[0]
    assert _post(client, cookie, "not-the-token").status_code == 400
    client.delete_cookie("session")
    assert client.post("/sessions/1/book", data={"csrf_token": token}).status_code in (400, 401)

    with app.app_context():
        booked = db.session.execute(
            select(Booking.session_id, Booking.person_id).order_by(Booking.id)
        ).all()
        taken = db.session.scalar(select(func.sum(Session.seats_taken)))
        db.session.remove()
        db.engine.dispose()
    assert [tuple(row) for row in booked] == [(1, 1), (2, 2), (3, 3)]
    assert taken == 3


def test_the_signed_in_page_is_as_long_as_the_search_and_only_for_the_signed_in(tmp_path):
    """The floor the signed-in search is measured against serves what it says: a page of
    the person's own with 20 cards, about as long as the search page (17 kB)."""
    path = str(tmp_path / "stack.sqlite")
    people = create_stack_database(f"sqlite:///{path}", "secret", AGENT)
    client = stack_booking_app(f"sqlite:///{path}", "secret").test_client()
    client.set_cookie("session", people[1][0])
    page = client.get("/page", headers={"User-Agent": AGENT})
    assert page.status_code == 200
    assert b"Person 2" in page.data and page.data.count(b'<li class="card">') == 20
    assert 15_000 < len(page.data) < 20_000
    client.delete_cookie("session")
    assert client.get("/page", headers={"User-Agent": AGENT}).status_code == 401
