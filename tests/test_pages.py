"""What a visitor and an employee see and do in the browser (without JavaScript)."""

from datetime import date, time, timedelta

import pytest
from flask import template_rendered
from sqlalchemy import select

from app.accounts.models import Person
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.cache import TTLCache
from app.db import utcnow
from app.extensions import db
from app.querycount import count_queries
from app.schedule.models import ValidationSession
from tests.calendars import outbox, parse_mail
from tests.forms import form_of, page_form


@pytest.fixture
def two_counties(app, make):
    """An Industriteknik session in Luleå and a Svets VIT one in Umeå, the latter full."""
    with app.app_context():
        lulea = make.session(
            seats=4, center=make.center(name="Komvux Luleå"), starts_in=timedelta(days=10)
        )
        svets = make.model("svets-vit")
        umea = make.session(
            seats=1,
            model=svets,
            center=make.center(name="Umeå Industriskola", municipality="Umeå"),
            starts_in=timedelta(days=40),
        )
        taker = make.employee()
        book_seat(umea.id, taker, taker)
        waiting = make.employee()
        book_seat(umea.id, waiting, waiting)
        return {"lulea": lulea.id, "umea": umea.id, "svets": svets.id}


def test_the_start_page_lists_upcoming_sessions_with_seats_and_queue(client, two_counties):
    # By default only sessions with a free seat; the form without its box ticked shows all.
    first = client.get("/").get_data(as_text=True)
    assert "Komvux Luleå" in first and "4 platser kvar" in first
    assert "Umeå Industriskola" not in first
    page = page_form(client, "/", action="/").set("free_only", False).submit()
    html = page.get_data(as_text=True)
    assert "Komvux Luleå" in html and "Umeå Industriskola" in html
    assert "4 platser kvar" in html
    assert "Fullbokat" in html and "1 i kö" in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"county": "2"}, "Umeå Industriskola", "Komvux Luleå"),
        ({"free_only": "y"}, "Komvux Luleå", "Umeå Industriskola"),
        ({"municipality": "MUNI_LULEA"}, "Komvux Luleå", "Umeå Industriskola"),
        ({"model": "SVETS"}, "Umeå Industriskola", "Komvux Luleå"),
        ({"date_from": "DAY30"}, "Umeå Industriskola", "Komvux Luleå"),
        ({"date_to": "DAY30"}, "Komvux Luleå", "Umeå Industriskola"),
    ],
)
def test_filters_narrow_the_list(app, client, two_counties, make, query, shown, hidden):
    with app.app_context():
        lulea_id = make.municipality("Luleå").id
    day30 = (utcnow() + timedelta(days=30)).date().isoformat()
    values = {"MUNI_LULEA": str(lulea_id), "SVETS": str(two_counties["svets"]), "DAY30": day30}
    query = {k: values.get(v, v) for k, v in query.items()}
    page = client.get("/", query_string=query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert shown in html and hidden not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "not-a-date"}, "Ange ett datum som ÅÅÅÅ-MM-DD."),
        ({"model": "abc"}, "Välj ett av alternativen."),
        ({"model": "99999"}, "Välj ett av alternativen."),
        ({"municipality": "abc"}, "Välj ett av alternativen."),
        ({"date_from": "2030-02-01", "date_to": "2030-01-01"}, "före från-datumet"),
        # Days a date field takes but no week or time zone arithmetic can reach (500s).
        ({"date_from": "9999-12-31"}, "mellan år 2000 och 2100"),
        ({"date_to": "9999-12-31", "weeks": "0"}, "mellan år 2000 och 2100"),
        ({"date_from": "0001-01-01"}, "mellan år 2000 och 2100"),
    ],
)
def test_bad_filters_answer_400_with_a_message(client, two_counties, query, message):
    response = client.get("/", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # WTForms' own messages in the app's Swedish, not its catalogue's ("kunde inte ceorce:a").
    assert message in html and "ceorce" not in html


def test_session_page_shows_center_assessor_and_local_times(app, client, make):
    with app.app_context():
        assessor = make.assessor()
        assessor.name = "Tove Testledare"
        db.session.commit()
        # 3 March 2026 is in winter time: 08:00 in Stockholm is 07:00 UTC.
        summer = make.session(local_day=date(2027, 6, 15), local_time=time(8, 0), assessor=assessor)
        summer_id, address = summer.id, summer.center.address
    html = client.get(f"/sessions/{summer_id}").get_data(as_text=True)
    assert "tisdag 15 juni 2027, kl. 08.00–11.00" in html
    assert "Tove Testledare" in html and address in html
    assert "5 platser kvar" in html


def test_unknown_or_malformed_session_ids_answer_404(client):
    assert client.get("/sessions/999999").status_code == 404
    assert client.get("/sessions/abc").status_code == 404
    assert client.get("/sessions/99999999999999999999").status_code == 404
    assert client.get("/sessions/0").status_code == 404
    assert "Sidan finns inte" in client.get("/sessions/abc").get_data(as_text=True)


def test_sign_in_with_wrong_password_says_so_without_revealing_the_address(app, client, auth, make):
    with app.app_context():
        email = make.employee().email
    wrong = auth.login(email, "not-it")
    unknown = auth.login("nobody@example.se", "not-it")
    assert wrong.status_code == unknown.status_code == 400
    assert "Fel e-postadress eller lösenord" in wrong.get_data(as_text=True)
    assert "Fel e-postadress eller lösenord" in unknown.get_data(as_text=True)
    assert auth.login(email.upper()).status_code == 302  # case does not matter


def _booking_form(client, session_id):
    """The session page's own booking form."""
    return page_form(client, f"/sessions/{session_id}", action=f"/sessions/{session_id}/book")


def _book(client, session_id):
    form = _booking_form(client, session_id)
    return form.submit(), form


def _reschedule(app, session_id, starts_at):
    """Time passes while a page stays open: the session is now `starts_at`."""
    with app.app_context():
        session = db.session.get(ValidationSession, session_id)
        session.ends_at = starts_at + (session.ends_at - session.starts_at)
        session.starts_at = starts_at
        db.session.commit()


def test_employee_books_sees_mina_bokningar_and_cancels(app, client, auth, make):
    with app.app_context():
        session = make.session(seats=2)
        email, session_id = make.employee().email, session.id
    auth.login(email)
    response, _ = _book(client, session_id)
    assert response.status_code == 302 and response.location.endswith("/bookings")
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Du har fått en plats" in mine and "Bekräftad plats" in mine

    booking_id = _booking_ids(app, session_id)[0]
    assert f'href="/bookings/{booking_id}/cancel"' in mine  # Avboka asks first
    question = page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka")
    response = question.submit()
    assert response.status_code == 302
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Bokningen är avbokad" in mine and "Du har inga kommande bokningar" in mine


def test_booking_after_the_cancel_deadline_is_warned_first_and_confirmed_so(
    app, client, auth, make
):
    """Inside the last 48 hours a seat can still be booked, but not given back online:
    the page says so before the button, and the confirmation follows suit."""
    with app.app_context():
        late = make.session(seats=2, starts_in=timedelta(hours=30))
        early = make.session(seats=2, starts_in=timedelta(days=14))
        email, late_id, early_id = make.employee().email, late.id, early.id
        contact = late.center.contact_email
    auth.login(email)
    page = client.get(f"/sessions/{late_id}").get_data(as_text=True)
    warning = "Sista dag att avboka eller flytta har passerat. Bokar du nu"
    assert warning in page and contact in page
    assert page.index(warning) < page.index("Boka plats</button>")
    assert warning not in client.get(f"/sessions/{early_id}").get_data(as_text=True)

    response, _ = _book(client, late_id)
    assert response.status_code == 302
    (booking_id,) = _booking_ids(app, late_id)
    with app.app_context():
        (confirmation,) = outbox()
        text = parse_mail(confirmation.raw).get_body(("plain",)).get_content()
    assert "kan inte längre avbokas eller flyttas" in text
    assert f"/bookings/{booking_id}/cancel" not in text


def _booking_ids(app, session_id):
    with app.app_context():
        return db.session.scalars(
            select(Booking.id).where(Booking.session_id == session_id).order_by(Booking.id)
        ).all()


def test_a_double_submitted_booking_form_books_once(app, client, auth, make):
    with app.app_context():
        session_id, email = make.session(seats=2).id, make.employee().email
    auth.login(email)
    first, form = _book(client, session_id)
    second = form.submit()  # the same form sent again, its request key with it
    assert first.status_code == second.status_code == 302
    assert len(_booking_ids(app, session_id)) == 1


def test_the_booking_form_sent_again_after_a_cancel_says_so_and_books_nothing(
    app, client, auth, make
):
    """A reload, or a page from history: the form's booking was cancelled since. It said
    "the session is full, you are number None in the queue" and booked nothing."""
    with app.app_context():
        session_id, email = make.session(seats=3).id, make.employee().email
    auth.login(email)
    first, form = _book(client, session_id)
    assert first.status_code == 302
    (booking_id,) = _booking_ids(app, session_id)
    page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka").submit()
    again = form.submit(follow_redirects=True)
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "Bokningen som formuläret gjorde är avbokad sedan dess." in html
    assert "None" not in html and "står i kö" not in html
    assert _booking_ids(app, session_id) == [booking_id]
    # A fresh page books anew.
    fresh, form = _book(client, session_id)
    assert fresh.status_code == 302 and len(_booking_ids(app, session_id)) == 2
    # Moved since: the form sent again says where the booking went.
    with app.app_context():
        later = make.session(seats=3, starts_in=timedelta(days=30), center=None)
        later_id = later.id
    (_first, live) = _booking_ids(app, session_id)
    move = page_form(client, f"/bookings/{live}/move", field="target").fill(target=later_id)
    assert move.submit().status_code == 302
    moved = form.submit(follow_redirects=True)
    assert moved.status_code == 409 and "redan flyttad till" in moved.get_data(as_text=True)


def test_a_form_left_open_by_someone_else_in_the_browser_is_refused(app, client, auth, make):
    """One browser, two tabs: Josefin's session page stays open while, in the other tab,
    she signs out and Lovisa signs in. Its Boka booked Lovisa; now it is refused."""
    with app.app_context():
        session_id = make.session(seats=3).id
        josefin, lovisa = make.employee().email, make.employee().email
    auth.login(josefin)
    left_open = page_form(client, f"/sessions/{session_id}", action=f"/sessions/{session_id}/book")
    auth.logout()
    auth.login(lovisa)
    stale = left_open.submit()
    assert stale.status_code == 400
    assert _booking_ids(app, session_id) == []
    fresh, _form = _book(client, session_id)  # her own page works
    assert fresh.status_code == 302 and len(_booking_ids(app, session_id)) == 1


def test_a_full_session_offers_the_queue_and_queues(app, client, auth, make):
    with app.app_context():
        session = make.session(seats=1)
        taker = make.employee()
        book_seat(session.id, taker, taker)
        session_id, email = session.id, make.employee().email
    auth.login(email)
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Ställ mig i kö" in page
    response, _ = _book(client, session_id)
    assert response.status_code == 302
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Du står i kö som nummer 1" in mine and "I kö</strong>, plats 1" in mine


def test_booking_requires_sign_in_and_a_csrf_token(app, client, auth, make):
    with app.app_context():
        session_id, email = make.session().id, make.employee().email
    signed_out = page_form(client, f"/sessions/{session_id}", button="Logga in och boka")
    response = signed_out.submit()
    assert response.status_code == 302 and "/login" in response.location
    auth.login(email)
    response = _booking_form(client, session_id).remove("csrf_token").submit()
    assert response.status_code == 400
    assert "säkerhetskod" in response.get_data(as_text=True)
    assert _booking_ids(app, session_id) == []


def test_bad_booking_posts_get_clear_4xx_answers_and_change_nothing(app, client, auth, make):
    with app.app_context():
        closed = make.session()  # booking closes before the test sends its form
        closed_id, open_id, email = closed.id, make.session().id, make.employee().email
    auth.login(email)
    unknown = _booking_form(client, open_id)
    unknown.action = "/sessions/424242/book"  # a hand-edited address
    assert unknown.submit().status_code == 404
    # The page was opened while booking was open; it is sent once booking has closed.
    late = _booking_form(client, closed_id)
    _reschedule(app, closed_id, utcnow() + timedelta(hours=5))
    late = late.submit()
    assert late.status_code == 409 and "Bokningen stängde" in late.get_data(as_text=True)
    no_key = _booking_form(client, open_id).remove("request_key").submit()
    assert no_key.status_code == 400
    bad_key = _booking_form(client, open_id).set("request_key", "<script>", tamper=True).submit()
    assert bad_key.status_code == 400
    assert _booking_ids(app, open_id) == [] and _booking_ids(app, closed_id) == []


def test_nobody_can_cancel_or_move_someone_elses_booking(app, client, auth, make):
    with app.app_context():
        session = make.session()
        owner = make.employee()
        booking_id = book_seat(session.id, owner, owner).id
        other = make.employee()
        own_id = book_seat(make.session().id, other, other).id
        email = other.email
    auth.login(email)
    # Their own booking's cancel form, its address edited to someone else's booking.
    cancel = page_form(client, f"/bookings/{own_id}/cancel", button="Ja, avboka")
    cancel.action = f"/bookings/{booking_id}/cancel"
    assert client.get(f"/bookings/{booking_id}/cancel").status_code == 404
    assert cancel.submit().status_code == 404
    assert client.get(f"/bookings/{booking_id}/move").status_code == 404
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "confirmed"


def test_employee_moves_a_booking_in_one_step(app, client, auth, make):
    with app.app_context():
        model = make.model()
        source = make.session(model=model, center=make.center(name="Pitecentret"))
        target = make.session(
            model=model, starts_in=timedelta(days=30), center=make.center(name="Bodencentret")
        )
        person = make.employee()
        booking_id = book_seat(source.id, person, person).id
        email, target_id = person.email, target.id
    auth.login(email)
    page = client.get(f"/bookings/{booking_id}/move")
    assert "Bodencentret" in page.get_data(as_text=True)
    response = form_of(page, client, button="Flytta hit").fill(target=target_id).submit()
    assert response.status_code == 302
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Bokningen är flyttad" in mine and "Bodencentret" in mine
    # A tampered target is refused with a message, and the booking stays where it is.
    with app.app_context():
        new_id = db.session.scalar(select(Booking.id).where(Booking.session_id == target_id))
    move = page_form(client, f"/bookings/{new_id}/move", button="Flytta hit")
    bad = move.set("target", "999999", tamper=True).submit()
    assert bad.status_code == 404
    junk = move.set("target", "abc", tamper=True).submit()
    assert junk.status_code == 400
    assert _booking_ids(app, target_id) == [new_id]


def test_staff_see_participants_and_can_cancel_after_the_deadline(app, client, auth, make):
    with app.app_context():
        session = make.session()
        person = make.employee(name="Pelle Deltagare")
        booking_id = book_seat(session.id, person, person).id
        admin_email = make.person(("center_admin",), center=session.center).email
        session_id = session.id
    auth.login(person_email := _email(app, booking_id))
    # The page was opened in time; the deadline has passed when it is sent.
    cancel = page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka")
    _reschedule(app, session_id, utcnow() + timedelta(hours=30))  # past the deadline
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Sista dag att avboka har passerat" in mine
    refused = cancel.submit()
    assert refused.status_code == 409
    auth.logout()
    assert person_email

    auth.login(admin_email)
    page = client.get(f"/sessions/{session_id}")
    assert "Pelle Deltagare" in page.get_data(as_text=True)
    assert f'href="/bookings/{booking_id}/cancel"' in page.get_data(as_text=True)
    done = page_form(client, f"/bookings/{booking_id}/cancel", button="Ja, avboka").submit()
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "cancelled"


def _email(app, booking_id):
    with app.app_context():
        return db.session.get(Booking, booking_id).employee.email


def test_participant_names_are_not_shown_to_other_employees(app, client, auth, make):
    with app.app_context():
        session = make.session()
        person = make.employee(name="Hemlig Person")
        book_seat(session.id, person, person)
        session_id, email = session.id, make.employee().email
    auth.login(email)
    assert "Hemlig Person" not in client.get(f"/sessions/{session_id}").get_data(as_text=True)


def test_the_search_result_is_reused_for_a_few_seconds(app, client, auth, make):
    """Hundreds load the same list when registration opens: it is rendered once."""
    now = [1000.0]
    app.extensions["search_cache"] = TTLCache(clock=lambda: now[0])
    with app.app_context():
        session = make.session(seats=4, center=make.center(name="Komvux Kalix"))
        session_id = session.id
        taker = make.employee()
        email, taker_id = taker.email, taker.id
        colleague = make.employee().email  # also of a company in Luleå: the same search
    page = client.get("/").get_data(as_text=True)
    assert "4 platser kvar" in page and "Logga in" in page
    # A signed-in search starts from the person's place: those of one place share a copy.
    auth.login(colleague)
    assert "4 platser kvar" in client.get("/").get_data(as_text=True)
    auth.logout()
    with app.app_context():
        taker = db.session.get(Person, taker_id)
        book_seat(session_id, taker, taker)

    # Signed in, the results are the shared copy, the page around them is one's own.
    auth.login(email)
    page = client.get("/").get_data(as_text=True)
    assert "4 platser kvar" in page and "Mina bokningar" in page and "Logga in" not in page
    auth.logout()

    now[0] += app.config["SEARCH_CACHE_SECONDS"] - 0.5
    assert "4 platser kvar" in client.get("/").get_data(as_text=True)
    assert "3 platser kvar" in client.get("/?free_only=y").get_data(as_text=True)
    assert "3 platser kvar" in client.get(f"/sessions/{session_id}").get_data(as_text=True)
    now[0] += 1
    assert "3 platser kvar" in client.get("/").get_data(as_text=True)

    app.config["SEARCH_CACHE_SECONDS"] = 0
    with app.app_context():
        other = make.employee()
        book_seat(session_id, other, other)
    assert "2 platser kvar" in client.get("/").get_data(as_text=True)


def test_visitors_share_the_whole_page_yet_see_their_own_messages(app, client, auth, make):
    with app.app_context():
        make.session(seats=4, center=make.center(name="Komvux Kalix"))
        email = make.employee().email
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    first = app.test_client().get("/?free_only=y")
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as counter, template_rendered.connected_to(record, app):
        second = app.test_client().get("/?free_only=y")
    assert second.get_data() == first.get_data()
    assert "Komvux Kalix" in second.get_data(as_text=True)
    assert counter.count == 0, "a visitor's copy of the page asks the database nothing"
    assert rendered == [], "nor is it rendered again"

    # The language link in the footer goes back to the address each visitor asked for.
    english = app.test_client().get("/?free_only=y&model=").get_data(as_text=True)
    assert "next=/?free_only%3Dy%26model%3D" in english.replace("&amp;", "&")

    # Someone who just signed out has a message waiting: their page is their own.
    auth.login(email)
    goodbye = auth.logout()
    assert goodbye.status_code == 302
    page = client.get("/?free_only=y").get_data(as_text=True)
    assert "Du är utloggad." in page
    assert "Du är utloggad." not in app.test_client().get("/?free_only=y").get_data(as_text=True)


def test_my_bookings_lists_the_next_session_first(app, client, auth, make):
    with app.app_context():
        employee = make.employee()
        later = make.session(starts_in=timedelta(days=30), model=make.model("gruvteknik"))
        sooner = make.session(starts_in=timedelta(days=10))
        for session in (later, sooner):  # booked in the other order
            book_seat(session.id, employee, employee)
        names = later.model.name, sooner.model.name
    auth.login(employee.email)
    page = client.get("/bookings").get_data(as_text=True)
    assert page.index(names[1]) < page.index(names[0])


def test_signing_in_or_out_from_a_tab_left_open_says_it_is_done_already(app, client, make):
    """Two tabs: signed in in one, the other's sign-in form is from before; signed out
    in one, the other's "Logga ut" is. Neither is an error: it is done already."""
    with app.app_context():
        email = make.employee().email
    other_tab = page_form(client, "/login?next=/bookings", field="password")
    page_form(client, "/login", field="password").fill(email=email, password="secret-pass").submit()
    again = other_tab.fill(email=email, password="secret-pass").submit(follow_redirects=True)
    assert again.status_code == 200 and "Du är redan inloggad." in again.get_data(as_text=True)
    assert again.request.path == "/bookings"  # where signing in was to lead
    logout_tab = page_form(client, "/bookings", action="/logout")
    assert page_form(client, "/bookings", action="/logout").submit().status_code == 302
    stale = logout_tab.submit(follow_redirects=True)
    assert stale.status_code == 200 and "Du är redan utloggad." in stale.get_data(as_text=True)
