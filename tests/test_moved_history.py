"""A booking moved to another session shows as moved there in the history, not as cancelled."""

import re
from datetime import timedelta

from app.bookings.services import book_seat, cancel_booking, move_booking
from app.extensions import db
from app.formatting import short_datetime
from app.schedule.models import ValidationSession
from tests.conftest import Auth
from tests.forms import page_form


def _rows(html: str) -> list[str]:
    table = html.split("Tidigare och avbokade", 1)[1]
    return [row.split("</tr>")[0] for row in table.split("<tr>")[2:]]


def _when(app, session_id):
    with app.app_context(), app.test_request_context():
        return short_datetime(db.session.get(ValidationSession, session_id).starts_at)


def test_a_moved_booking_links_to_where_it_went(app, client, auth, make):
    with app.app_context():
        model = make.model()
        source = make.session(model=model, center=make.center(name="Pitecentret"))
        target = make.session(
            model=model, starts_in=timedelta(days=30), center=make.center(name="Bodencentret")
        )
        other = make.session(model=model, starts_in=timedelta(days=20))
        person = make.employee()
        booking_id = book_seat(source.id, person, person).id
        dropped = book_seat(other.id, person, person).id
        cancel_booking(dropped, person)
        email, source_id, target_id = person.email, source.id, target.id
    auth.login(email)
    moving = page_form(client, f"/bookings/{booking_id}/move", button="Flytta hit")
    assert moving.fill(target=target_id).submit().status_code == 302
    rows = _rows(client.get("/bookings").get_data(as_text=True))
    (moved,) = [r for r in rows if "Flyttad till" in r]
    assert _when(app, source_id) in moved  # the seat left, when it was
    link = re.search(r'<a href="([^"]+)">([^<]+)</a>', moved.split("Flyttad till", 1)[1])
    assert link.group(1) == f"/sessions/{target_id}"
    assert link.group(2) == f"{_when(app, target_id)}, Industriteknik BAS, Bodencentret"
    assert "Avbokad" not in moved
    # A booking cancelled for good still says so.
    (cancelled,) = [r for r in rows if "Flyttad till" not in r]
    assert "Avbokad" in cancelled


def test_the_coordinator_sees_the_move_on_the_employees_page(app, client, make):
    with app.app_context():
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        worker = make.employee(company=company)
        model = make.model()
        source = make.session(model=model)
        target = make.session(
            model=model, starts_in=timedelta(days=30), center=make.center(name="Kirunacentret")
        )
        booking = book_seat(source.id, worker, coordinator)
        move_booking(booking.id, target.id, coordinator)
        worker_id, target_id, email = worker.id, target.id, coordinator.email
    Auth(client).login(email)
    page = client.get(f"/company/employees/{worker_id}").get_data(as_text=True)
    (moved,) = [r for r in _rows(page) if "Flyttad till" in r]
    assert f'href="/sessions/{target_id}"' in moved and "Kirunacentret" in moved
