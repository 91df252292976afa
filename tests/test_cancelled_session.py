"""What people see once the test center has cancelled a session: the mails say how to go
on, their bookings say it was the center (not themselves), and the session's page offers
no seats, deadline or form."""

import re
from types import SimpleNamespace

import pytest

from app.bookings.models import Booking
from app.bookings.services import book_seat, cancel_booking
from app.bookings.session_changes import cancel_session
from app.extensions import db
from tests.calendars import last_id, outbox, parse_mail

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def cancelled(app, make):
    """A session of one seat: one employee seated, one queued, one who left the queue
    before; then the center cancels it, saying why. The mails it made, by recipient."""
    with app.app_context():
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        session = make.session(seats=1)
        admin = make.person(("center_admin",), center=session.center)
        seated, queued, left = (make.employee(company=company) for _ in range(3))
        for person in (seated, queued, left):
            book_seat(session.id, person, person)
        own = db.session.query(Booking).filter_by(employee_id=left.id).one()
        cancel_booking(own.id, left)  # their own cancellation, before the center's
        seat = db.session.query(Booking).filter_by(employee_id=seated.id).one()
        mark = last_id()
        cancel_session(session.id, admin, "Testledaren är sjuk")
        people = {"seated": seated, "queued": queued, "left": left, "coordinator": coordinator}
        return SimpleNamespace(
            session_id=session.id,
            model_id=session.model_id,
            contact=session.center.contact_email,
            seat_id=seat.id,
            seated_id=seated.id,
            email={key: p.email for key, p in people.items()},
            name={key: p.name for key, p in people.items()},
            mails={row.recipient: _text(row) for row in outbox(mark)},
        )


def _text(row) -> str:
    return parse_mail(row.raw).get_body(("plain",)).get_content()


@SQLITE
def test_the_mails_say_where_to_find_another_session_and_whom_to_ask(app, client, cancelled):
    search = f"/?model={cancelled.model_id}&weeks=0&free_only=y"
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    # The seat's mail and the queue place's (which has no invite at all): in the text.
    for who in ("seated", "queued"):
        text = cancelled.mails[cancelled.email[who]]
        assert "Anledning: Testledaren är sjuk" in text
        assert f"Boka ett annat pass: {base}{search}" in text, text
        contact = rf"Frågor\? Kontakta testcentret: Kim Kontakt, {cancelled.contact}"
        assert re.search(contact, text), text
    # The link is the search, for that validation.
    found = client.get(search)
    assert found.status_code == 200
    assert f'<option selected value="{cancelled.model_id}">' in found.get_data(as_text=True)
