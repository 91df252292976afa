"""Issue 18 item 2: a search that starts from a place, within a travel time, closest first.

Every test loads the page a person loads and submits the form it rendered
(tests/forms.py); both databases (tests/conftest.py).
"""

import re
from datetime import timedelta
from html import unescape

import pytest

from app.extensions import db
from app.regions.models import TravelBuffer
from tests.forms import page_form


def _cards(response) -> list[str]:
    html = response.get_data(as_text=True)
    listed = re.search(r'<ul class="cards session-cards"[^>]*>(.*?)</ul>', html, re.S)
    if not listed:
        return []
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", card)).split())
        for card in re.findall(r"<li class=\"card\">(.*?)</li>", listed[1], re.S)
    ]


def _summary(response) -> str:
    html = response.get_data(as_text=True)
    found = re.search(r'<span class="filter-summary">(.*?)</span>', html, re.S)
    return unescape(found[1])


@pytest.fixture
def north(app, make):
    """Sessions in Kiruna (day 3, far), Luleå (day 5, estimated 40 min from Boden), Piteå
    (day 15; the stored Boden–Piteå time, 30 min, beats the estimate of about an hour)
    and Boden (day 20); an employee of a company in Boden."""
    app.config["SEARCH_CACHE_SECONDS"] = 0
    with app.app_context():
        boden, pitea = make.municipality("Boden"), make.municipality("Piteå")
        low, high = sorted((boden.id, pitea.id))
        db.session.add(TravelBuffer(from_municipality_id=low, to_municipality_id=high, minutes=30))
        db.session.commit()
        ids = {"boden": boden.id}
        for name, day in (("Kiruna", 3), ("Luleå", 5), ("Piteå", 15), ("Boden", 20)):
            center = make.center(name=f"{name} Testcenter", municipality=name)
            ids[name] = make.session(center=center, starts_in=timedelta(days=day)).id
        company = make.company(municipality="Boden")
        ids["email"] = make.employee(company=company).email
        return ids


def test_a_visitor_searches_from_a_place_closest_first(client, north):
    assert [c.split(" Testcenter")[0][-6:] for c in _cards(client.get("/"))] == [
        "Kiruna",
        " Luleå",
        " Piteå",
        " Boden",
    ], "without a place: by date, as before"

    form = page_form(client, "/", action="/", field="origin")
    response = form.fill(origin=north["boden"]).submit()
    cards = _cards(response)
    # Within 2 h (the default reach): Kiruna is left out; Boden itself first, then the
    # stored pair (Piteå, 30 min) before the estimate (Luleå, 40 min), though later.
    assert [card.split(" Testcenter")[0].split()[-1] for card in cards] == [
        "Boden",
        "Piteå",
        "Luleå",
    ]
    assert cards[0].endswith("Boden Testcenter (Norrbottens län) · i Boden")
    assert cards[1].endswith("Piteå Testcenter (Norrbottens län) · ≈ 30 min från Boden")
    assert cards[2].endswith("Luleå Testcenter (Norrbottens län) · ≈ 40 min från Boden")
    assert _summary(response).startswith("inom 2 h från Boden · ")


def test_the_reach_filter(client, north):
    form = page_form(client, "/", action="/", field="origin").fill(origin=north["boden"])
    assert form.options("reach") == ["60", "120", "180", "240", "0"]
    assert form.value("reach") == "120"
    one_hour = form.copy().fill(reach=60).submit()
    assert len(_cards(one_hour)) == 3
    anywhere = form.copy().fill(reach=0).submit()
    cards = _cards(anywhere)
    assert len(cards) == 4 and cards[-1].startswith("Industriteknik") and "Kiruna" in cards[-1]
    assert re.search(r"≈ \d+ h( \d+ min)? från Boden$", cards[-1]), cards[-1]
    assert _summary(anywhere).startswith("från Boden · ")


def test_a_signed_in_employee_starts_from_their_place(client, auth, north):
    auth.login(north["email"])
    response = client.get("/")
    cards = _cards(response)
    assert cards[0].endswith("i Boden") and len(cards) == 3
    assert _summary(response).startswith("inom 2 h från Boden")
    # They may choose no place: date order, every place.
    form = page_form(client, "/", action="/", field="origin")
    assert form.value("origin") == str(north["boden"])
    by_date = form.fill(origin="").submit()
    assert len(_cards(by_date)) == 4 and "Kiruna" in _cards(by_date)[0]
    assert "från Boden" not in _summary(by_date)


def test_the_month_view_keeps_the_place(client, north):
    form = page_form(client, "/", action="/", field="origin")
    listed = form.fill(origin=north["boden"], weeks=0).submit()
    month = re.search(r'href="([^"]*/month[^"]*)"', listed.get_data(as_text=True))
    assert month and "origin=" in unescape(month[1])
    # Every day with a free seat within reach is linked, over the months the sessions span.
    days = 0
    url = unescape(month[1])
    for _ in range(3):
        page = client.get(url)
        html = page.get_data(as_text=True)
        days += len(re.findall(r"<td[^>]*>\s*<a ", html))
        following = re.search(r'href="([^"]*)" rel="next"', html)
        url = unescape(following[1])
    assert days == 3, "Kiruna is out of reach"


def test_nothing_within_reach_offers_the_same_model_farther_away(client, make, app, north):
    with app.app_context():
        kiruna = make.center(name="Kiruna Svets", municipality="Kiruna")
        gallivare = make.center(name="Gällivare Svets", municipality="Gällivare")
        model = make.model("svets-bla")
        make.session(center=gallivare, model=model, starts_in=timedelta(days=30))
        make.session(center=kiruna, model=model, starts_in=timedelta(days=10))
        model_id = model.id
    form = page_form(client, "/", action="/", field="origin")
    response = form.fill(origin=north["boden"], model=model_id).submit()
    assert _cards(response) == []
    html = unescape(response.get_data(as_text=True))
    places = re.findall(r"I (\w+): 1 pass, första", html)
    # Gällivare is closer to Boden than Kiruna, though its session comes later.
    assert places == ["Gällivare", "Kiruna"]


# --- moving a booking -------------------------------------------------------------


def test_moving_lists_the_closest_sessions_first(app, client, auth, make, north):
    """An employee in Boden with a seat on day 40 in Boden: the targets are Boden (day
    20), Piteå (stored 30 min, day 15), Luleå (40 min, day 5), then Kiruna (day 3)."""
    with app.app_context():
        from app.accounts.models import Person
        from app.bookings.services import book_seat

        person = db.session.scalar(db.select(Person).where(Person.email == north["email"]))
        center = make.center(name="Bodens andra center", municipality="Boden")
        own = make.session(center=center, starts_in=timedelta(days=40))
        booking_id = book_seat(own.id, person, person).id
    auth.login(north["email"])
    page = client.get(f"/bookings/{booking_id}/move")
    html = page.get_data(as_text=True)
    labels = [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", label)).split())
        for label in re.findall(r'<label for="target-\d+">(.*?)</label>', html, re.S)
    ]
    assert [label.split(" – ")[1].split(" Testcenter")[0] for label in labels] == [
        "Boden",
        "Piteå",
        "Luleå",
        "Kiruna",
    ]
    assert labels[0].endswith("· i Boden")
    assert labels[1].endswith("· ≈ 30 min från Boden")
    assert labels[2].endswith("· ≈ 40 min från Boden")
    # The closest one is the one the form moves to when chosen.
    first = re.search(r'id="target-(\d+)"', html)[1]
    moved = page_form(client, f"/bookings/{booking_id}/move", button="Flytta hit")
    assert moved.fill(target=first).submit().status_code == 302
    assert first == str(north["Boden"])
