"""Small things a reader notices: the favicon, queue wording, times of day, place names,
plural menu items in English."""

import re
from datetime import UTC, datetime

from flask_babel import force_locale

from app.accounts.models import Person
from app.bookings.services import book_seat
from app.extensions import db
from app.formatting import short_datetime


def _nav(html: str) -> str:
    return re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', html, re.S).group(1)


def test_favicon_is_served_and_linked(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype.startswith("image/") and icon.data[:4] == b"\0\0\1\0"
    icon.close()
    html = client.get("/").get_data(as_text=True)
    svg = re.search(r'<link rel="icon" href="([^"]+\.svg)" type="image/svg\+xml">', html)
    answer = client.get(svg.group(1))
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    answer.close()


def test_the_queue_says_nobody_then_counts_people(app, client, make):
    with app.app_context():
        session_id = make.session(seats=1).id
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "<dd>Ingen i kö</dd>" in page and "0 personer" not in page
    with app.app_context():
        for _ in range(2):  # a seat, then a place in the queue
            person = make.employee()
            book_seat(session_id, person, person)
    assert "<dd>1 person</dd>" in client.get(f"/sessions/{session_id}").get_data(as_text=True)


def test_a_short_date_and_time_says_kl_in_swedish_only(app):
    moment = datetime(2027, 1, 25, 7, 0, tzinfo=UTC)  # 08.00 in Stockholm
    with app.test_request_context():
        with force_locale("sv"):
            assert short_datetime(moment) == "25 jan. 2027 kl. 08.00"
        with force_locale("en"):
            assert short_datetime(moment) == "25 Jan 2027 08:00"


def test_a_town_already_in_the_name_or_address_is_not_repeated(app, client, auth, make):
    with app.app_context():
        center = make.center(name="Skellefteå industricentrum", municipality="Skellefteå")
        session_id = make.session(center=center).id
        make.center(name="Komvux Luleå")  # two centers: /centers lists them
        email = make.person(("project_admin",)).email
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Skellefteå (Skellefteå)" not in page
    assert "972 31 Skellefteå</dd>" in page
    search = client.get("/").get_data(as_text=True)
    assert "Skellefteå industricentrum (Västerbottens län)" in search
    assert "industricentrum, Skellefteå" not in search
    auth.login(email)
    centers = client.get("/centers").get_data(as_text=True)
    assert "Skellefteå industricentrum</a></li>" in centers


def test_menu_items_for_lists_are_plural_in_english(app, client, auth, make):
    with app.app_context():
        make.center(), make.center()
        admin = make.person(("project_admin",))
        coordinator = make.person(("coordinator",), company=make.company())
        admin.locale = coordinator.locale = "en"
        db.session.commit()
        admin_email, coordinator_email = admin.email, coordinator.email
        coordinator_id = coordinator.id
    auth.login(admin_email)
    nav = _nav(client.get("/").get_data(as_text=True))
    for plural in (">Test centers<", ">Companies<", ">People<", ">Reports<"):
        assert plural in nav
    assert "<h1>Test centers</h1>" in client.get("/centers").get_data(as_text=True)
    assert "<h1>Companies</h1>" in client.get("/companies").get_data(as_text=True)
    auth.logout()
    auth.login(coordinator_email)
    assert ">Employees<" in _nav(client.get("/").get_data(as_text=True))
    # In Swedish the same words serve both.
    with app.app_context():
        db.session.get(Person, coordinator_id).locale = "sv"
        db.session.commit()
    assert ">Medarbetare<" in _nav(client.get("/").get_data(as_text=True))
