"""Avboka asks first, saying what will happen, and then says what happened.

The employee's own booking, a coordinator cancelling for an employee, and center staff
cancelling a participant: each "Avboka" is a link to a question page (GET) whose form
"Ja, avboka" cancels (POST).
"""

from datetime import timedelta

from sqlalchemy import select

from app.bookings.models import Booking
from app.bookings.services import BookingWindow, book_seat
from app.extensions import db
from app.formatting import short_datetime
from app.mail.models import OutboxMessage
from app.results.services import set_attendance
from app.schedule.models import ValidationSession
from tests.conftest import Auth
from tests.forms import forms_in, page_form


def _two_in_one_seat(make):
    """A one-seat session: Anna has the seat, Bo waits in the queue."""
    session = make.session(seats=1)
    anna, bo = make.employee(name="Anna Andersson"), make.employee(name="Bo Berg")
    seat = book_seat(session.id, anna, anna)
    queued = book_seat(session.id, bo, bo)
    assert (seat.status, queued.status) == ("confirmed", "waitlisted")
    return session, anna, bo, seat.id, queued.id


def _status(app, booking_id):
    with app.app_context():
        return db.session.get(Booking, booking_id).status


def _rebook_until(app, session_id):
    with app.app_context(), app.test_request_context():
        session = db.session.get(ValidationSession, session_id)
        return short_datetime(BookingWindow.for_session(session).closes_at)


def test_avboka_asks_first_and_the_seat_goes_to_the_queue(app, client, auth, make):
    with app.app_context():
        session, anna, _bo, seat_id, queued_id = _two_in_one_seat(make)
        session_id, email = session.id, anna.email
    auth.login(email)
    mine = client.get("/bookings").get_data(as_text=True)
    # One tap no longer cancels: the list has a link to the question, no form that posts.
    assert f'href="/bookings/{seat_id}/cancel"' in mine
    assert not [f for f in forms_in(mine, "/bookings") if f.action.endswith("/cancel")]
    question = client.get(f"/bookings/{seat_id}/cancel")
    html = question.get_data(as_text=True)
    assert question.status_code == 200 and "Vill du avboka din plats?" in html
    assert "Platsen går direkt till nästa i kön (1 står i kö)." in html
    deadline = _rebook_until(app, session_id)
    assert f"kan du boka igen till och med {deadline}" in html
    assert 'href="/bookings"' in html and "Nej, behåll platsen" in html
    assert _status(app, seat_id) == "confirmed"  # asking changed nothing

    done = page_form(client, f"/bookings/{seat_id}/cancel", button="Ja, avboka").submit()
    assert done.status_code == 302 and done.location.endswith("/bookings")
    page = client.get("/bookings").get_data(as_text=True)
    assert "Bokningen är avbokad: Industriteknik BAS" in page
    assert "Platsen gick till nästa i kön." in page
    assert f"Vill du boka igen kan du göra det till och med {deadline}." in page
    assert (_status(app, seat_id), _status(app, queued_id)) == ("cancelled", "confirmed")


def test_without_a_queue_the_seat_is_freed(app, client, auth, make):
    with app.app_context():
        session = make.session(seats=3)
        person = make.employee()
        booking_id, email = book_seat(session.id, person, person).id, person.email
    auth.login(email)
    question = client.get(f"/bookings/{booking_id}/cancel").get_data(as_text=True)
    assert "Platsen blir ledig, och andra kan boka den." in question
    done = page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka").submit(
        follow_redirects=True
    )
    assert "Platsen är ledig för andra att boka." in done.get_data(as_text=True)
    assert _status(app, booking_id) == "cancelled"


def test_leaving_the_queue_says_so(app, client, auth, make):
    with app.app_context():
        _session, _anna, bo, _seat_id, queued_id = _two_in_one_seat(make)
        email = bo.email
    auth.login(email)
    question = client.get(f"/bookings/{queued_id}/cancel").get_data(as_text=True)
    assert "Du lämnar kön. Din plats i kön går inte att få tillbaka." in question
    # Asked as what it is: leaving the queue, not cancelling a seat.
    assert "<h1>Lämna kön?</h1>" in question and "avboka" not in question.split("<h1>")[1]
    form = page_form(client, f"/bookings/{queued_id}/cancel", button="Ja, lämna kön")
    done = form.submit(follow_redirects=True)
    assert "Du har lämnat kön till Industriteknik BAS" in done.get_data(as_text=True)
    assert _status(app, queued_id) == "cancelled"
    # The same form sent again (a reload): back to the bookings, saying it is done.
    again = form.submit()
    assert again.status_code == 302 and again.location.endswith("/bookings")
    assert "Bokningen är redan avbokad." in client.get(again.location).get_data(as_text=True)


def test_a_coordinator_is_asked_before_cancelling_for_an_employee(app, client, make):
    with app.app_context():
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        worker = make.employee(company=company, name="Erik Eriksson")
        session = make.session(seats=2)
        booking_id = book_seat(session.id, worker, coordinator).id
        worker_id, email = worker.id, coordinator.email
    Auth(client).login(email)
    employee_page = client.get(f"/company/employees/{worker_id}").get_data(as_text=True)
    assert f'href="/bookings/{booking_id}/cancel"' in employee_page
    question = client.get(f"/bookings/{booking_id}/cancel").get_data(as_text=True)
    assert "Avboka Erik Eriksson?" in question
    assert "Erik Eriksson får en avbokning med e-post" in question
    assert f'href="/company/employees/{worker_id}"' in question  # Nej, tillbaka
    done = page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka").submit()
    assert done.location.endswith(f"/company/employees/{worker_id}")
    page = client.get(done.location).get_data(as_text=True)
    assert "Bokningen för Erik Eriksson är avbokad: Industriteknik BAS" in page
    assert _status(app, booking_id) == "cancelled"


def test_staff_are_asked_and_told_they_act_after_the_deadline(app, client, make):
    with app.app_context():
        session = make.session(seats=2, starts_in=timedelta(hours=30))
        admin = make.person(("center_admin",), center=session.center)
        person = make.employee(name="Stina Svets")
        booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=5))
        booking_id, session_id, email = booking.id, session.id, admin.email
    Auth(client).login(email)
    session_page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert f'href="/bookings/{booking_id}/cancel"' in session_page
    question = client.get(f"/bookings/{booking_id}/cancel").get_data(as_text=True)
    assert "Avboka Stina Svets?" in question
    assert "Du avbokar som personal." in question
    # Bookings close 24 hours before the start: 30 hours away, it can still be booked.
    assert "Passet går att boka igen till och med" in question
    assert f'href="/sessions/{session_id}"' in question
    done = page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka").submit(
        follow_redirects=True
    )
    assert "Bokningen för Stina Svets är avbokad" in done.get_data(as_text=True)
    assert _status(app, booking_id) == "cancelled"


def test_the_question_refuses_what_cannot_be_cancelled(app, client, auth, make):
    with app.app_context():
        session = make.session(seats=2, starts_in=timedelta(hours=30))
        person, other = make.employee(), make.employee()
        late = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=5))
        theirs = book_seat(session.id, other, other, now=session.starts_at - timedelta(days=5))
        soon = make.session(seats=2)
        gone = book_seat(soon.id, person, person)
        late_id, theirs_id, gone_id, email = late.id, theirs.id, gone.id, person.email
    auth.login(email)
    done = page_form(client, f"/bookings/{gone_id}/cancel", button="Ja, avboka").submit()
    assert done.status_code == 302
    again = client.get(f"/bookings/{gone_id}/cancel")
    assert again.status_code == 409 and "Bokningen är redan avbokad." in again.get_data(
        as_text=True
    )
    too_late = client.get(f"/bookings/{late_id}/cancel")
    assert too_late.status_code == 409
    assert "Sista dag att avboka eller flytta har passerat" in too_late.get_data(as_text=True)
    assert client.get(f"/bookings/{theirs_id}/cancel").status_code == 404
    assert client.get("/bookings/999999/cancel").status_code == 404
    with app.app_context():
        statuses = db.session.scalars(
            select(Booking.status).where(Booking.id.in_((late_id, theirs_id)))
        ).all()
        assert statuses == ["confirmed", "confirmed"]


def test_a_session_moved_past_the_booking_window_says_when_it_opens_again(app, client, make):
    """A center moved the session further ahead than bookings open for: cancelling must
    not promise a rebooking "until" a deadline when booking is refused until it opens."""
    with app.app_context():
        session = make.session(seats=3)
        person = make.employee()
        booking_id, email = book_seat(session.id, person, person).id, person.email
        # The center's move, as app.bookings.session_changes leaves it.
        later = timedelta(days=app.config["BOOKING_OPENS_DAYS"] + 30)
        session.starts_at += later
        session.ends_at += later
        db.session.commit()
        with app.test_request_context():
            window = BookingWindow.for_session(session)
            opens, closes = short_datetime(window.opens_at), short_datetime(window.closes_at)
        session_id = session.id
    Auth(client).login(email)
    question = client.get(f"/bookings/{booking_id}/cancel").get_data(as_text=True)
    assert f"kan du boka igen från {opens} till och med {closes}" in question
    done = page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka").submit(
        follow_redirects=True
    )
    assert f"Vill du boka igen kan du göra det från {opens} till och med {closes}." in (
        done.get_data(as_text=True)
    )
    # What the page promised is what the session page says.
    assert "Bokningen öppnar" in client.get(f"/sessions/{session_id}").get_data(as_text=True)


def test_the_move_page_refuses_after_the_deadline_as_the_cancel_page_does(app, client, make):
    """Mina bokningar hides Flytta after the deadline: the move page, reached anyway
    (a bookmark, the address typed), refuses as Avboka's question does, instead of
    listing sessions that every choice of would be refused. Staff keep it."""
    with app.app_context():
        model = make.model()
        session = make.session(seats=2, model=model, starts_in=timedelta(hours=30))
        make.session(seats=2, model=model, starts_in=timedelta(days=20))
        person = make.employee()
        booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=5))
        admin = make.person(("project_admin",))
        booking_id, email, admin_email = booking.id, person.email, admin.email
    auth = Auth(client)
    auth.login(email)
    cancel = client.get(f"/bookings/{booking_id}/cancel")
    move = client.get(f"/bookings/{booking_id}/move")
    assert move.status_code == cancel.status_code == 409
    refusal = "Sista dag att avboka eller flytta har passerat (48 timmar före start)."
    assert refusal in move.get_data(as_text=True) and refusal in cancel.get_data(as_text=True)
    assert "Flytta hit" not in move.get_data(as_text=True)
    auth.logout()

    auth.login(admin_email)
    staff = client.get(f"/bookings/{booking_id}/move")
    assert staff.status_code == 200 and "Flytta hit" in staff.get_data(as_text=True)
    assert _status(app, booking_id) == "confirmed"


def test_a_booking_whose_attendance_is_recorded_is_not_called_cancelled(app, client, make):
    with app.app_context():
        session = make.session(seats=2)
        came, stayed_away = make.employee(), make.employee()
        ids = {}
        for person, status in ((came, "attended"), (stayed_away, "no_show")):
            booking = book_seat(session.id, person, person)
            after = session.starts_at + timedelta(hours=1)
            set_attendance(booking.id, status, session.assessor, now=after)
            ids[person.email] = booking.id
    auth = Auth(client)
    for email, booking_id in ids.items():
        auth.login(email)
        for page in ("cancel", "move"):
            answer = client.get(f"/bookings/{booking_id}/{page}")
            text = answer.get_data(as_text=True)
            assert answer.status_code == 409, page
            assert "Närvaron på passet är redan registrerad" in text
            assert "redan avbokad" not in text
        auth.logout()


def test_a_coordinator_taking_an_employee_out_of_the_queue_mails_them(app, client, make):
    """They were told "Du står i kö"; a cancelled seat says "Avbokad", a cancelled queue
    place says it too."""
    with app.app_context():
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        worker = make.employee(company=company, name="Erik Eriksson")
        session = make.session(seats=1)
        book_seat(session.id, (anna := make.employee()), anna)
        queued_id = book_seat(session.id, worker, coordinator).id
        worker_email, email = worker.email, coordinator.email
    Auth(client).login(email)
    question = client.get(f"/bookings/{queued_id}/cancel").get_data(as_text=True)
    assert "Erik Eriksson får ett mejl om att platsen i kön är borttagen." in question
    assert "<h1>Ta bort Erik Eriksson ur kön?</h1>" in question
    form = page_form(client, f"/bookings/{queued_id}/cancel", button="Ja, ta bort ur kön")
    form.submit()
    # Sent again: the employee's page, with a notice, not a bare error page.
    again = form.submit()
    assert again.status_code == 302 and "/company/employees/" in again.location
    assert "Bokningen är redan avbokad." in client.get(again.location).get_data(as_text=True)
    with app.app_context():
        kinds = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.recipient == worker_email)
        ).all()
    assert any(s.startswith("Du står i kö: ") for s in kinds)
    assert any(s.startswith("Du står inte längre i kö: Industriteknik BAS") for s in kinds)
