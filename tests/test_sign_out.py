"""Signing out ends the sign-in on the server: a copy of the cookie stops working too.

Each sign-in is a `login_session` row; the cookie carries its random id, the row only
the id's SHA-256. Signing out, signing out everywhere, a new password, an idle time
and a deactivated account end it; a remember-me cookie cannot bring it back.
"""

from datetime import timedelta

from flask_login.utils import encode_cookie
from sqlalchemy import event, func, select, update

from app.accounts.login_sessions import SESSION_KEY, digest
from app.accounts.models import LoginSession, Person
from app.accounts.privacy import erase
from app.bookings.models import Booking
from app.db import utcnow
from app.extensions import db
from app.querycount import count_queries
from tests.conftest import Auth
from tests.forms import form_of, page_form


def _copy_of(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client, address: str) -> bool:
    answer = client.get("/account")
    return answer.status_code == 200 and address in answer.get_data(as_text=True)


def _sessions_of(app, person_id: int) -> list[LoginSession]:
    with app.app_context():
        return db.session.scalars(
            select(LoginSession).where(LoginSession.person_id == person_id)
        ).all()


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, client, auth, make):
    with app.app_context():
        address = make.employee().email
    assert auth.login(address).status_code == 302
    copy = _copy_of(app, client)
    assert _signed_in(copy, address)  # the copy works while the owner is signed in

    assert auth.logout().status_code == 302

    account = copy.get("/account")
    assert account.status_code == 302 and account.location.startswith("/login")
    export = copy.get("/account/export.json")
    assert export.status_code in (302, 401)
    assert address not in export.get_data(as_text=True)
    assert not _signed_in(client, address)


def test_signing_out_ends_only_that_sign_in(app, make):
    with app.app_context():
        address = make.employee().email
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login(address)
    Auth(phone).login(address)
    Auth(laptop).logout()
    assert not _signed_in(laptop, address)
    assert _signed_in(phone, address)


def test_sign_out_everywhere_ends_every_sign_in_and_deletes_the_rows(app, make):
    with app.app_context():
        person = make.employee()
        address, person_id = person.email, person.id
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login(address)
    Auth(phone).login(address)
    copy = _copy_of(app, phone)
    assert len(_sessions_of(app, person_id)) == 2
    page_form(laptop, "/account", action="/account/sign-out-everywhere").submit()
    assert not any(_signed_in(c, address) for c in (laptop, phone, copy))
    assert _sessions_of(app, person_id) == []


def test_the_cookie_carries_a_random_id_and_the_table_only_its_digest(app, client, auth, make):
    with app.app_context():
        person = make.employee()
        address, person_id = person.email, person.id
    auth.login(address)
    cookie = client.get_cookie("session").value
    token = app.session_interface.get_signing_serializer(app).loads(cookie)[SESSION_KEY]
    (row,) = _sessions_of(app, person_id)
    assert len(token) >= 40 and token not in row.id
    assert row.id == digest(token)
    assert row.user_agent.startswith("Werkzeug")  # the test client's


def test_a_remember_me_cookie_does_not_bring_an_ended_sign_in_back(app, make):
    with app.app_context():
        person = make.employee()
        address = person.email
        remembered = encode_cookie(person.get_id())  # signed with the app's key
    client = app.test_client()
    Auth(client).login(address)
    Auth(client).logout()
    client.set_cookie("remember_token", remembered)
    assert client.get("/account").status_code == 302
    # Not on a browser that never signed in either.
    stranger = app.test_client()
    stranger.set_cookie("remember_token", remembered)
    assert stranger.get("/account").status_code == 302


def test_a_new_password_from_a_reset_link_ends_the_other_sign_ins(app, make):
    from tests.test_accounts_security import _forgot, _link, _mails_to, _set_password

    with app.app_context():
        person = make.employee()
        address, person_id = person.email, person.id
    laptop = app.test_client()
    Auth(laptop).login(address)
    copy = _copy_of(app, laptop)
    phone = app.test_client()
    _forgot(phone, address)
    with app.app_context():
        link = _link(_mails_to(address)[0])
    assert _set_password(phone, link, "a-new-long-password").status_code == 302
    assert not _signed_in(laptop, address) and not _signed_in(copy, address)
    assert _sessions_of(app, person_id) == []


def test_a_deactivated_account_is_signed_out(app, client, auth, make):
    with app.app_context():
        person = make.employee()
        address, person_id = person.email, person.id
    auth.login(address)
    with app.app_context():
        db.session.execute(update(Person).where(Person.id == person_id).values(active=False))
        db.session.commit()
    assert not _signed_in(client, address)


def test_a_sign_in_unused_for_the_idle_time_ends(app, client, auth, make):
    with app.app_context():
        person = make.employee()
        address, person_id = person.email, person.id
    auth.login(address)
    idle = timedelta(days=app.config["LOGIN_SESSION_IDLE_DAYS"], minutes=1)
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - idle))
        db.session.commit()
    assert not _signed_in(client, address)
    # The next sign-in, anyone's, clears the idle rows.
    with app.app_context():
        other = make.employee().email
    Auth(app.test_client()).login(other)
    assert _sessions_of(app, person_id) == []


def test_last_use_is_written_only_every_few_minutes(app, client, auth, make):
    with app.app_context():
        person = make.employee()
        address, person_id = person.email, person.id
    auth.login(address)
    (row,) = _sessions_of(app, person_id)
    with app.app_context(), count_queries(db.engine) as counted:
        assert _signed_in(client, address)
    assert not any(s.startswith("UPDATE login_session") for s in counted.statements)
    assert _sessions_of(app, person_id)[0].last_seen_at == row.last_seen_at

    earlier = utcnow() - timedelta(minutes=app.config["LOGIN_SESSION_TOUCH_MINUTES"] + 1)
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=earlier))
        db.session.commit()
    assert _signed_in(client, address)
    (row,) = _sessions_of(app, person_id)
    assert row.last_seen_at > earlier + timedelta(minutes=1)


def test_a_signed_in_page_asks_for_the_sign_in_in_one_statement(app, client, auth, make):
    with app.app_context():
        address = make.employee().email
    auth.login(address)
    statements = []

    def _seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _seen)
        try:
            assert _signed_in(client, address)
        finally:
            event.remove(db.engine, "before_cursor_execute", _seen)
    lookups = [s for s in statements if "login_session" in s]
    assert len(lookups) == 1, statements
    assert "FROM person JOIN login_session" in lookups[0] and "role_grant" in lookups[0]


def test_signing_in_again_on_the_same_browser_replaces_its_sign_in(app, client, auth, make):
    with app.app_context():
        first = make.employee()
        second = make.employee()
        ids = first.id, second.id
        addresses = first.email, second.email
    auth.login(addresses[0])
    old_copy = _copy_of(app, client)
    auth.logout()
    auth.login(addresses[1])
    assert not _signed_in(old_copy, addresses[0])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1
    assert _sessions_of(app, ids[0]) == [] and len(_sessions_of(app, ids[1])) == 1


def test_erasure_ends_every_sign_in_of_the_person(app, make):
    with app.app_context():
        person = make.employee()
        admin_id = make.person(("project_admin",)).id
        address, person_id = person.email, person.id
    phone = app.test_client()
    Auth(phone).login(address)
    assert len(_sessions_of(app, person_id)) == 1
    with app.app_context():
        erase(person_id, db.session.get(Person, admin_id))
        db.session.commit()
    assert not _signed_in(phone, address)
    assert _sessions_of(app, person_id) == []


def test_a_form_of_a_page_signed_out_in_another_tab_leads_to_sign_in_and_back(
    app, client, auth, make
):
    """*Boka plats* pressed in a tab after another tab signed out said "the page was too
    old", and reloading sent the POST again (a GET of it is 405)."""
    with app.app_context():
        address, session_id = make.employee().email, make.session().id
    auth.login(address)
    page = f"/sessions/{session_id}"
    book = page_form(client, page, action=f"{page}/book")
    auth.logout()  # the other tab

    answer = book.submit()
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/login?next=/sessions/{session_id}"
    login = client.get(answer.headers["Location"])
    assert "Du har loggats ut, kanske i en annan flik." in login.get_data(as_text=True)
    login_form = form_of(login, client, field="email")
    signed_in = login_form.fill(email=address, password="secret-pass").submit()
    assert signed_in.headers["Location"] == page
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0
    # Signed in again, the page's form books.
    assert page_form(client, page, action=f"{page}/book").submit().status_code == 302

    # So do the forms of Mitt konto (their blueprint answers its own token failures).
    place = page_form(client, "/account", action="/account/place")
    auth.logout()
    answer = place.submit()
    assert answer.headers["Location"] == "/login?next=/account"
    auth.login(address)

    # Sent from another site's page, it is refused as before: nothing to go back to.
    auth.logout()
    elsewhere = book.submit(headers={"Referer": "https://example.com/sessions/1"})
    assert elsewhere.status_code == 400
    assert "Sidan var för gammal" in elsewhere.get_data(as_text=True)
