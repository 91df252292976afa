"""What people see once the test center has cancelled a session: the mails say how to go
on, their bookings say it was the center (not themselves), and the session's page offers
no seats, deadline or form."""

import re
from types import SimpleNamespace

import pytest

from app.accounts.models import Person
from app.bookings.models import Booking
from app.bookings.services import book_seat, cancel_booking
from app.bookings.session_changes import cancel_session
from app.extensions import db
from tests.calendars import last_id, outbox, parse_mail
from tests.forms import page_form

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
        people = {
            "seated": seated,
            "queued": queued,
            "left": left,
            "coordinator": coordinator,
            "testledare": session.assessor,
        }
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
    # The testledare is told too, but has nothing to book again.
    told = cancelled.mails[cancelled.email["testledare"]]
    assert "Anledning: Testledaren är sjuk" in told
    assert "Boka ett annat pass" not in told
    # The link is the search, for that validation.
    found = client.get(search)
    assert found.status_code == 200
    assert f'<option selected value="{cancelled.model_id}">' in found.get_data(as_text=True)


def test_a_booking_ended_with_its_session_reads_as_the_centers_doing(
    app, client, auth, api, cancelled
):
    # The employee's bookings: the center cancelled, with its reason.
    auth.login(cancelled.email["seated"])
    history = client.get("/bookings").get_data(as_text=True).split("Tidigare och avbokade</h2>")
    assert "Inställt av testcentret (Testledaren är sjuk)" in history[1]
    assert "Avbokad" not in history[1]
    auth.logout()
    # Who cancelled themselves before still reads their own cancellation.
    auth.login(cancelled.email["left"])
    history = client.get("/bookings").get_data(as_text=True).split("Tidigare och avbokade</h2>")
    assert "Avbokad" in history[1] and "Inställt av testcentret" not in history[1]
    auth.logout()
    # The coordinator's list of the company's validations tells them apart too.
    auth.login(cancelled.email["coordinator"])
    listed = page_form(client, "/company/results", field="q")
    html = listed.fill(status="session_cancelled").submit().get_data(as_text=True)
    assert f"<td>{cancelled.name['seated']}" in html and f"<td>{cancelled.name['queued']}" in html
    assert f"<td>{cancelled.name['left']}" not in html and "Inställt av testcentret" in html
    html = listed.fill(status="cancelled").submit().get_data(as_text=True)
    assert f"<td>{cancelled.name['left']}" in html and f"<td>{cancelled.name['seated']}" not in html
    # The API's answer for the booking says why it is gone.
    with app.app_context():
        seated = db.session.get(Person, cancelled.seated_id)
        answer = api(seated)("GET", f"/bookings/{cancelled.seat_id}").get_json()
    assert answer["detail"] == "Testcentret har ställt in passet, och bokningen med det."


@SQLITE
def test_a_cancelled_sessions_page_offers_no_seats_deadline_or_form(client, auth, cancelled):
    sid = cancelled.session_id
    for who in (None, cancelled.email["queued"]):  # signed out, then an employee
        if who:
            auth.login(who)
        page = client.get(f"/sessions/{sid}").get_data(as_text=True)
        assert "Passet är inställt." in page
        for gone in ("platser kvar", "Fullbokat", "Sista dag att avboka", "Ingen i kö"):
            assert gone not in page, (who, gone)
        assert f'action="/sessions/{sid}/book"' not in page


@SQLITE
def test_the_api_offers_no_seats_of_a_cancelled_session(app, client, cancelled):
    """GET /api/v1/sessions/<id> said "status": "cancelled" with 8 seats left."""
    from sqlalchemy import select

    from app.api.tokens import create_token

    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == cancelled.email["left"]))
        _row, token = create_token(person, "HR")
    answer = client.get(
        f"/api/v1/sessions/{cancelled.session_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["status"], body["seats_left"], body["bookable"]) == ("cancelled", 0, False)


@SQLITE
def test_the_testledare_reads_whom_a_cancelled_session_had(app, client, auth, cancelled):
    """The list said "Passet har inte börjat. Incheckningen öppnar …" and "Inga bokningar
    ännu." once the center had cancelled the session with five people booked."""
    auth.login(cancelled.email["testledare"])
    page = client.get(f"/sessions/{cancelled.session_id}/participants")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Passet är inställt. Anledning: Testledaren är sjuk" in html
    assert "Incheckningen öppnar" not in html and "Inga bokningar ännu." not in html
    # The seated and the queued were told; the one who had left the queue before was not.
    told = html.split("har fått besked om att passet är inställt:", 1)[1].split("</ul>", 1)[0]
    assert cancelled.name["seated"] in told and cancelled.name["queued"] in told
    assert cancelled.name["left"] not in told
    listed = client.get("/schedule/list").get_data(as_text=True)
    assert "(inställt)" in listed and "Inga bokningar ännu." not in listed
