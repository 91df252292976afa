"""Input no column can store is refused with a message, on both databases, and
nothing is written: NUL characters (PostgreSQL refuses them) and numbers past 32 bits
(found by tests/test_form_fuzz.py as 500s)."""

from datetime import timedelta

from sqlalchemy import func, select

from app.api.tokens import create_token
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.centers.models import CenterClosure
from app.extensions import db
from app.projects.models import ProjectTarget
from tests.forms import page_form

NUL_MESSAGE = "Texten innehåller ett otillåtet tecken (NUL)."


def test_a_nul_character_anywhere_is_a_400_with_a_message(app, client, auth, make):
    with app.app_context():
        center = make.center()
        admin = make.person(("center_admin",), center=center)
        employee = make.employee()
        session = make.session(center=center)
        _row, token = create_token(employee, "hr")
        ids = center.id, admin.email, session.id
    auth.login(ids[1])
    closing = page_form(client, f"/centers/{ids[0]}/closures", button="Lägg till")
    closing.fill(first_day="2027-07-05", last_day="2027-07-06", reason="Inventering\x00")
    refused = closing.submit()
    assert refused.status_code == 400 and NUL_MESSAGE in refused.get_data(as_text=True)
    assert client.get("/?municipality=\x00").status_code == 400
    # The JSON API: a program's request, not a page's form.
    api = client.post(
        f"/api/v1/sessions/{ids[2]}/bookings",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        data='{"employee_id": "\\u0000"}',
    )
    assert api.status_code == 400 and api.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_numbers_no_column_can_hold_are_form_errors(app, client, auth, make):
    with app.app_context():
        admin = make.person(("project_admin",))
        employee = make.employee()
        here = make.session()
        make.session(starts_in=timedelta(days=21))  # somewhere to move to
        booking = book_seat(here.id, employee, employee)
        targets = db.session.scalar(select(func.count(ProjectTarget.id)))
        ids = admin.email, employee.email, booking.id, here.id
    auth.login(ids[0])
    target = page_form(client, "/reports/projects/1", action="/reports/projects/1/targets")
    huge = "9" * 400
    target.set("new-county", 1).set("new-industry", "steel")
    answer = target.set("new-companies", huge).set("new-employees", "2147483648").submit()
    assert answer.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(ProjectTarget.id))) == targets
    auth.logout()
    auth.login(ids[1])
    move = page_form(client, f"/bookings/{ids[2]}/move", button="Flytta hit")
    moved = move.set("target", str(2**63), tamper=True).submit()
    assert moved.status_code == 400
    with app.app_context():
        assert db.session.get(Booking, ids[2]).session_id == ids[3]
