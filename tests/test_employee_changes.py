"""A coordinator looks after a registered employee on their page: sends the invitation
again, corrects a mistyped name or address, and marks that they have left."""

import email
import re
from datetime import timedelta
from email.policy import default

import pytest
from sqlalchemy import select

from app.accounts.models import Person
from app.api.tokens import create_token
from app.bookings.interest import register_interest, today
from app.bookings.models import Booking, Interest
from app.bookings.services import book_seat
from app.calendar.feeds import ensure_feed_token
from app.extensions import db
from app.formatting import time_span
from app.mail.models import OutboxMessage
from tests.conftest import Auth
from tests.forms import form_of, page_form

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


def _invitations(app, address):
    return [r for r in _mails(app, address) if r.kind == "invitation"]


def _says_who_invited(row) -> bool:
    """The invitation names the coordinator who sent it, not the generic text."""
    return "på Verkstaden AB har registrerat dig" in " ".join(_text(row).split())


def _set_password(client, row):
    form = form_of(client.get(_invite_link(row)), client, field="password")
    done = form.fill(password="svetsa-bra-123", confirm="svetsa-bra-123").submit()
    assert done.status_code == 302


def _leave(client, person_id, name):
    page = f"/company/employees/{person_id}/left"
    return page_form(client, page, button=f"Ja, {name} har slutat").submit(follow_redirects=True)


def test_the_invitation_is_sent_again_and_only_the_new_link_works(app, client, setup):
    _register(client, "Karin Svets", "karin@verkstaden.se")
    person_id = _person(app, "karin@verkstaden.se").id
    page = f"/company/employees/{person_id}"
    assert "Inbjuden, har inte loggat in ännu" in client.get(page).get_data(as_text=True)
    done = page_form(client, page, button="Skicka inbjudan igen").submit(follow_redirects=True)
    assert "En ny inbjudan är skickad till karin@verkstaden.se" in done.get_data(as_text=True)
    first, second = _invitations(app, "karin@verkstaden.se")
    assert _says_who_invited(first) and _says_who_invited(second)
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
    (new,) = _invitations(app, "karin@verkstaden.se")
    (old,) = _invitations(app, "karin@verkstadne.se")
    assert _says_who_invited(new)
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
    # One mail says it all; the seat's CANCEL still reaches their calendar, on its own.
    mails = _mails(app, worker_email)
    (closed,) = [r for r in mails if r.subject == "Ditt konto i Testcenterbokning är stängt"]
    text = " ".join(_text(closed).split())
    assert "Dina kommande bokningar och köplatser är avbokade:" in text
    with app.app_context():
        seat_session, queue_session = (
            db.session.get(Booking, i).session for i in (seat_id, queued_id)
        )
        for s, queued in ((seat_session, False), (queue_session, True)):
            line = f"- {s.model.name}, {time_span(s.starts_at, s.ends_at)}, {s.center.name}"
            assert line + (" (plats i kön)" if queued else "") in text
    assert not [r for r in mails if r.kind in ("cancelled", "waitlist_left")]
    (cancel,) = [r for r in mails if r.kind == "employee_left"]
    assert cancel.subject.startswith("Avbokad: ")
    with app.app_context():
        message = email.message_from_bytes(cancel.raw, policy=default)
    invite = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    ics = invite.get_content().replace("\r\n ", "")
    assert "METHOD:CANCEL" in ics and "slutat på företaget" in ics
    body = message.get_body(("plain",)).get_content()
    assert "Du har slutat på företaget, så din plats är avbokad" in " ".join(body.split())
    assert "Boka ett annat pass" not in ics + body
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


def test_a_stale_resend_after_signing_in_says_no_invitation_is_needed(app, client, setup):
    _register(client, "Karin Svets", "karin@verkstaden.se")
    person_id = _person(app, "karin@verkstaden.se").id
    page = f"/company/employees/{person_id}"
    stale = page_form(client, page, button="Skicka inbjudan igen")
    (invitation,) = _invitations(app, "karin@verkstaden.se")
    _set_password(app.test_client(), invitation)
    body = stale.submit(follow_redirects=True).get_data(as_text=True)
    assert "Karin Svets har redan loggat in, så ingen ny inbjudan behövs." in body
    assert "kan inte ändras" not in body.split("<main")[1].split("</h1>")[0]
    assert len(_invitations(app, "karin@verkstaden.se")) == 1


def test_a_leaver_registered_again_gets_neither_old_key_nor_old_feed_back(app, client, make, setup):
    with app.app_context():
        worker = make.employee(company=db.session.merge(setup["company"]), name="Erik Eriksson")
        key = create_token(worker, "hr")[1]
        feed = f"/calendar/feed/{ensure_feed_token(worker)}.ics"
        worker_id, address = worker.id, worker.email
    outside = app.test_client()
    bearer = {"Authorization": f"Bearer {key}"}

    def key_and_feed():
        return outside.get("/api/v1/bookings", headers=bearer).status_code, outside.get(
            feed
        ).status_code

    assert key_and_feed() == (200, 200)
    _leave(client, worker_id, "Erik Eriksson")
    assert key_and_feed() == (401, 404)
    _register(client, "Erik Eriksson", address)
    assert _person(app, address).active
    assert key_and_feed() == (401, 404)
    (invitation,) = _invitations(app, address)
    assert _says_who_invited(invitation)  # registered again by the coordinator
    returned = app.test_client()
    _set_password(returned, invitation)
    assert key_and_feed() == (401, 404)
    assert Auth(returned).login(address, "svetsa-bra-123").status_code == 302
    page = returned.get("/calendar/").get_data(as_text=True)
    assert "/calendar/feed/" in page and feed not in page  # a new URL for them to add


def test_a_leavers_interest_ends_and_no_longer_counts(app, client, make, setup):
    with app.app_context():
        company = db.session.merge(setup["company"])
        worker = make.employee(company=company, name="Erik Eriksson")
        first = today() + timedelta(days=7)
        register_interest([worker], make.model().id, company.municipality_id, first, first, worker)
        db.session.commit()
        worker_id = worker.id
    listed = client.get("/company/interest").get_data(as_text=True)
    assert "Erik Eriksson" in listed and "Gäller" in listed
    _leave(client, worker_id, "Erik Eriksson")
    listed = client.get("/company/interest").get_data(as_text=True)
    row = listed.split("Erik Eriksson", 1)[1].split("</tr>")[0]
    assert "Har slutat på företaget" in row and "Gäller" not in row
    with app.app_context():
        (interest,) = db.session.scalars(select(Interest)).all()
        assert interest.ended_at is not None and interest.end_reason == "left_company"
