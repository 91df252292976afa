"""The employee's way to a seat: few screens, a search that remembers, and
somewhere else to go when a session is full."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.bookings.session_search import nearby_alternatives
from app.db import utcnow
from app.extensions import db
from app.schedule.models import ValidationSession
from tests.forms import forms_in, page_form, pick_form


class Browser:
    """The test client, counting the screens (HTML pages) a person is shown."""

    def __init__(self, client):
        self.client = client
        self.screens: list[str] = []
        self.url = "/"

    def _follow(self, response):
        while response.status_code in (301, 302, 303):
            response = self.client.get(response.location)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        self.url = response.request.full_path.rstrip("?")
        self.screens.append(response.request.path)
        return response.get_data(as_text=True)

    def open(self, url: str) -> str:
        return self._follow(self.client.get(url))

    def submit(self, html: str, action: str | None = None, **fields) -> str:
        """Fill and send a form of the current screen as it was rendered: the one posting
        to `action`, or else the one with the first field named."""
        forms = forms_in(html, self.url, self.client)
        clues = {"action": action} if action else {"field": next(iter(fields))}
        form = pick_form(forms, method="post", **clues).fill(**fields)
        return self._follow(form.submit())


def _first_session_link(html: str) -> str:
    match = re.search(r'href="(/sessions/\d+)"', html)
    assert match, "the search list links no session"
    return match.group(1)


def _statuses(app, session_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(Booking.status).where(Booking.session_id == session_id))
        )


def test_not_signed_in_from_the_start_page_to_a_seat_in_three_screens(app, client, make):
    with app.app_context():
        session_id = make.session(seats=3).id
        email = make.employee().email
    browser = Browser(client)

    start = browser.open("/")
    page = browser.open(_first_session_link(start))
    assert "Logga in och boka" in page
    login = browser.submit(page, f"/sessions/{session_id}/book", support_needs=["extra_time"])
    assert "Logga in så bokas platsen direkt." in login
    assert _statuses(app, session_id) == []  # nothing happens before signing in
    done = browser.submit(login, email=email, password="secret-pass")

    assert browser.screens[:3] == ["/", f"/sessions/{session_id}", "/login"]
    assert browser.screens[3:] == ["/bookings"]  # where the booked seat is shown
    assert "Du har fått en plats" in done
    assert _statuses(app, session_id) == ["confirmed"]
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session_id))
        assert booking.support_needs == "extra_time"


def test_signed_in_it_takes_two_screens(app, client, auth, make):
    with app.app_context():
        session_id = make.session().id
        email = make.employee().email
    auth.login(email)
    browser = Browser(client)
    page = browser.open(_first_session_link(browser.open("/")))
    assert "Boka plats" in page
    done = browser.submit(page, f"/sessions/{session_id}/book")
    assert browser.screens == ["/", f"/sessions/{session_id}", "/bookings"]
    assert "Du har fått en plats" in done
    assert _statuses(app, session_id) == ["confirmed"]


def test_signing_in_to_a_full_session_puts_one_in_the_queue(app, client, make):
    with app.app_context():
        session = make.session(seats=1)
        session_id = session.id
        taker = make.employee()
        book_seat(session_id, taker, taker)
        email = make.employee().email
    browser = Browser(client)
    page = browser.open(f"/sessions/{session_id}")
    assert "Logga in och ställ mig i kö" in page
    login = browser.submit(page, f"/sessions/{session_id}/book")
    done = browser.submit(login, email=email, password="secret-pass")
    assert "Du står i kö som nummer 1" in done
    assert sorted(_statuses(app, session_id)) == ["confirmed", "waitlisted"]


def test_a_pending_booking_is_made_once_and_only_for_its_session(app, client, auth, make):
    with app.app_context():
        session_id = make.session().id
        other_id = make.session().id
        email = make.employee().email
    browser = Browser(client)
    page = browser.open(f"/sessions/{session_id}")
    login = browser.submit(page, f"/sessions/{session_id}/book")
    browser.submit(login, email=email, password="secret-pass")
    # Going back to the resume address (history, a reload) books nothing more.
    again = client.get(f"/sessions/{session_id}/book/resume")
    assert again.status_code == 302 and again.location.endswith(f"/sessions/{session_id}")
    elsewhere = client.get(f"/sessions/{other_id}/book/resume")
    assert elsewhere.status_code == 302 and elsewhere.location.endswith(f"/sessions/{other_id}")
    assert _statuses(app, session_id) == ["confirmed"]
    assert _statuses(app, other_id) == []


def test_a_pending_booking_needs_a_valid_form_and_a_sign_in(app, client, make):
    with app.app_context():
        session_id = make.session().id
    booking = f"/sessions/{session_id}/book"
    no_token = page_form(client, f"/sessions/{session_id}", action=booking).remove("csrf_token")
    assert no_token.submit().status_code == 400
    bad_key = page_form(client, f"/sessions/{session_id}", action=booking)
    assert bad_key.set("request_key", "not a key!").submit().status_code == 400
    resume = client.get(f"/sessions/{session_id}/book/resume")
    assert resume.status_code == 302 and "/login" in resume.location
    assert _statuses(app, session_id) == []


# The search remembers its filters -------------------------------------------------


@pytest.fixture
def two_models(app, make):
    with app.app_context():
        industri = make.session(center=make.center(name="Komvux Luleå"))
        svets = make.model("svets-vit")
        welding = make.session(
            model=svets, center=make.center(name="Umeå Svetsskola", municipality="Umeå")
        )
        return {"svets": svets.id, "industri": industri.id, "welding": welding.id}


def test_coming_back_to_the_start_page_shows_the_last_search(app, client, two_models):
    app.config["SEARCH_CACHE_SECONDS"] = 60  # the cache must not mix visitors' searches
    filtered = client.get(f"/?model={two_models['svets']}&free_only=y").get_data(as_text=True)
    assert "Umeå Svetsskola" in filtered and "Komvux Luleå" not in filtered

    back = client.get("/").get_data(as_text=True)
    assert "Umeå Svetsskola" in back and "Komvux Luleå" not in back
    assert "Du ser din senaste sökning." in back
    assert re.search(rf'<option selected value="{two_models["svets"]}"', back)
    assert 'href="/?clear=1"' in back  # the visible reset

    stranger = app.test_client().get("/").get_data(as_text=True)
    assert "Komvux Luleå" in stranger and "Umeå Svetsskola" in stranger
    assert "Du ser din senaste sökning." not in stranger

    cleared = client.get("/?clear=1").get_data(as_text=True)
    assert "Komvux Luleå" in cleared and "Umeå Svetsskola" in cleared
    assert "Komvux Luleå" in client.get("/").get_data(as_text=True)


def test_an_emptied_form_forgets_and_bad_filters_are_not_remembered(app, client, two_models):
    client.get(f"/?model={two_models['svets']}")
    client.get("/?model=&county=&municipality=&date_from=&date_to=")
    assert "Komvux Luleå" in client.get("/").get_data(as_text=True)

    client.get(f"/?model={two_models['svets']}")
    bad = client.get("/?date_from=2027-13-45")
    assert bad.status_code == 400
    back = client.get("/").get_data(as_text=True)
    assert "Umeå Svetsskola" in back and "Komvux Luleå" not in back


def test_remembered_filters_that_no_longer_fit_are_dropped(app, client, two_models):
    client.set_cookie("tcb_search", "model=999999&date_from=not-a-date")
    response = client.get("/")
    assert response.status_code == 200
    assert "Komvux Luleå" in response.get_data(as_text=True)
    assert client.get_cookie("tcb_search") is None


# A full session points elsewhere --------------------------------------------------


@pytest.fixture
def full_in_lulea(app, make):
    """A full session in Luleå and others of the same model around the two counties."""
    with app.app_context():
        now = utcnow()
        lulea = make.center(name="Komvux Luleå")
        full = make.session(seats=1, center=lulea, starts_in=timedelta(days=10))
        taker = make.employee()
        book_seat(full.id, taker, taker)

        def at(center, days, **kwargs):
            return make.session(center=center, starts_in=timedelta(days=days), **kwargs).id

        other_lulea = make.center(name="Luleå tekniska gymnasium")
        boden = make.center(name="Boden Industricenter", municipality="Boden")
        umea = make.center(name="Umeå Industriskola", municipality="Umeå")
        ids = {
            "lulea_later": at(other_lulea, 30),
            "lulea_sooner": at(lulea, 20),
            "boden": at(boden, 12),
            "umea_first": at(umea, 11),
            "umea_second": at(umea, 15),
            "umea_third": at(umea, 16),
        }
        # Never offered: full, another model, cancelled, not yet open, already closed.
        also_full = make.session(seats=1, center=lulea, starts_in=timedelta(days=5))
        second_taker = make.employee()
        book_seat(also_full.id, second_taker, second_taker)
        at(lulea, 6, model=make.model("svets-vit"))
        at(lulea, 7, status="cancelled")
        at(lulea, 120)
        closed = make.session(center=lulea, starts_at=now + timedelta(hours=3))
        return {"full": full.id, "closed": closed.id, "also_full": also_full.id, **ids}


def test_nearby_alternatives_same_town_then_county_then_the_other_county(app, full_in_lulea):
    ids = full_in_lulea
    with app.app_context():
        full = db.session.get(ValidationSession, ids["full"])
        offered = [s.id for s in nearby_alternatives(full, utcnow())]
    assert offered == [
        ids["lulea_sooner"],
        ids["lulea_later"],
        ids["boden"],
        ids["umea_first"],
        ids["umea_second"],
    ]


def test_the_full_session_page_offers_the_queue_and_the_nearby_sessions(
    app, client, auth, make, full_in_lulea
):
    with app.app_context():
        email = make.employee().email
    auth.login(email)
    html = client.get(f"/sessions/{full_in_lulea['full']}").get_data(as_text=True)
    assert "Ställ mig i kö" in html
    assert "Lediga platser på andra pass i närheten" in html
    section = html[html.index("Lediga platser på andra pass i närheten") :]
    links = re.findall(r'href="/sessions/(\d+)"', section)
    assert [int(i) for i in links[:5]] == [
        full_in_lulea[k]
        for k in ("lulea_sooner", "lulea_later", "boden", "umea_first", "umea_second")
    ]
    free = client.get(f"/sessions/{full_in_lulea['boden']}").get_data(as_text=True)
    assert "Lediga platser på andra pass i närheten" not in free
