"""A coordinator looks after a registered employee on their page: sends the invitation
again, corrects a mistyped name or address, and marks that they have left."""

import email
import re
from datetime import timedelta
from email.policy import default

import pytest
from sqlalchemy import select

from app.accounts.models import Person
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.extensions import db
from app.mail.models import OutboxMessage
from tests.conftest import Auth
from tests.forms import page_form

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def setup(app, make, client):
    with app.app_context():
        company = make.company(name="Verkstaden AB")
        coordinator = make.person(("coordinator",), company=company)
        ids = {"company": company, "coordinator": coordinator.email}
    Auth(client).login(ids["coordinator"])
    return ids


def _register(client, name, address):
    form = page_form(client, "/company/employees", action="/company/employees")
    return form.fill(name=name, email=address).submit()


def _person(app, address):
    with app.app_context():
        return db.session.scalar(select(Person).where(Person.email == address))


def _mails(app, address):
    with app.app_context():
        return db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        ).all()


def _text(row):
    return email.message_from_bytes(row.raw, policy=default).get_body(("plain",)).get_content()


def _invite_link(row):
    return re.search(r"http://127\.0\.0\.1:5000(/password/invite/\S+)", _text(row)).group(1)


def test_the_invitation_is_sent_again_and_only_the_new_link_works(app, client, setup):
    _register(client, "Karin Svets", "karin@verkstaden.se")
    person_id = _person(app, "karin@verkstaden.se").id
    page = f"/company/employees/{person_id}"
    assert "Inbjuden, har inte loggat in ännu" in client.get(page).get_data(as_text=True)
    done = page_form(client, page, button="Skicka inbjudan igen").submit(follow_redirects=True)
    assert "En ny inbjudan är skickad till karin@verkstaden.se" in done.get_data(as_text=True)
    first, second = [r for r in _mails(app, "karin@verkstaden.se") if r.kind == "invitation"]
    stranger = app.test_client()
    assert stranger.get(_invite_link(first)).status_code != 200
    assert stranger.get(_invite_link(second)).status_code == 200


def test_a_mistyped_address_is_corrected_and_invited_again(app, client, make, setup):
    _register(client, "Karin Svetz", "karin@verkstadne.se")
    person_id = _person(app, "karin@verkstadne.se").id
    page = f"/company/employees/{person_id}"
    with app.app_context():
        colleague = make.employee(company=db.session.merge(setup["company"]), name="Olle Kollega")
        taken = colleague.email
    refused = page_form(client, page, button="Spara").fill(email=taken).submit()
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Olle Kollega finns redan bland ditt företags medarbetare." in body
    assert "error-summary" in body
    done = page_form(client, page, button="Spara").fill(
        name="Karin Svets", email="Karin@Verkstaden.se"
    )
    body = done.submit(follow_redirects=True).get_data(as_text=True)
    assert "En ny inbjudan är skickad till karin@verkstaden.se" in body
    person = _person(app, "karin@verkstaden.se")
    assert (person.id, person.name) == (person_id, "Karin Svets")
    (new,) = [r for r in _mails(app, "karin@verkstaden.se") if r.kind == "invitation"]
    (old,) = [r for r in _mails(app, "karin@verkstadne.se") if r.kind == "invitation"]
    assert app.test_client().get(_invite_link(old)).status_code != 200
    assert app.test_client().get(_invite_link(new)).status_code == 200


def test_an_account_in_use_keeps_its_address(app, client, make, setup):
    with app.app_context():
        worker = make.employee(company=db.session.merge(setup["company"]), name="Erik Eriksson")
        worker_id = worker.id
    page = client.get(f"/company/employees/{worker_id}").get_data(as_text=True)
    assert "har börjat använda sitt konto. E-postadressen är hens egen" in page
    assert "Skicka inbjudan igen" not in page and "Spara" not in page


def test_an_employee_who_left_is_closed_and_their_seats_go_to_the_queue(app, client, make, setup):
    with app.app_context():
        company = db.session.merge(setup["company"])
        worker = make.employee(company=company, name="Erik Eriksson")
        full = make.session(seats=1)
        seat_id = book_seat(full.id, worker, worker).id
        waiting = make.employee()
        waiting_id = book_seat(full.id, waiting, waiting).id
        other = make.session(seats=1, starts_in=timedelta(days=20))
        book_seat(other.id, (first := make.employee()), first)
        queued_id = book_seat(other.id, worker, worker).id
        worker_id, worker_email, other_id = worker.id, worker.email, other.id
    question = client.get(f"/company/employees/{worker_id}/left").get_data(as_text=True)
    assert "Har Erik Eriksson slutat på företaget?" in question
    assert "Kommande bokningar avbokas" in question and "(plats i kön)" in question
    assert "Inga uppgifter tas bort." in question
    form = page_form(
        client, f"/company/employees/{worker_id}/left", button="Ja, Erik Eriksson har slutat"
    )
    done = form.submit(follow_redirects=True).get_data(as_text=True)
    assert "Erik Eriksson har slutat på företaget. Kontot är stängt" in done
    with app.app_context():
        assert db.session.get(Person, worker_id).active is False
        statuses = {b.id: b.status for b in db.session.scalars(select(Booking))}
    assert statuses[seat_id] == statuses[queued_id] == "cancelled"
    assert statuses[waiting_id] == "confirmed"  # the queue moved up
    subjects = [r.subject for r in _mails(app, worker_email)]
    assert "Ditt konto i Testcenterbokning är stängt" in subjects
    assert any(s.startswith("Avbokad: ") for s in subjects)
    listing = client.get("/company/employees").get_data(as_text=True)
    assert "Har slutat (1)" in listing
    # Not offered for booking any more, and cannot sign in.
    assert f'value="{worker_id}"' not in client.get(f"/sessions/{other_id}").get_data(as_text=True)
    assert Auth(app.test_client()).login(worker_email).status_code != 302
    # Registered again, they are back with a new invitation.
    _register(client, "Erik Eriksson", worker_email)
    with app.app_context():
        assert db.session.get(Person, worker_id).active is True
    assert [r.kind for r in _mails(app, worker_email)][-1] == "invitation"


def test_someone_added_by_another_company_is_told_what_can_be_done(app, client, make, setup):
    with app.app_context():
        elsewhere = make.employee(name="Fia Främling")
        address = elsewhere.email
    _register(client, "Fia Främling", address)
    (notice,) = [r for r in _mails(app, address) if r.kind == "account_notice"]
    text = " ".join(_text(notice).split())
    assert "projektets administratör" not in text
    assert "Be samordnaren på Verkstaden AB registrera dig med en annan e-postadress" in text
