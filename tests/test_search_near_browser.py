"""Issue 18's done criterion in Chromium, on the demo: an employee of a company in
Gällivare signs in on a 390×844 phone and the first card, on the first screen, is the
closest session with a free seat, saying how far it is from Gällivare."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Company, Person
from app.extensions import db
from app.regions.models import Municipality
from tests.demo_seed import seeded_demo_copy
from tests.live import chromium, serving
from tests.test_role_journeys import _app
from tests.test_search_phone import PHONE, _fully_on_screen


@pytest.fixture(scope="module")
def demo(_sqlite_databases, tmp_path_factory, worker_id):
    url, _printed = seeded_demo_copy(_sqlite_databases, tmp_path_factory, worker_id)
    app = _app(url)
    with app.app_context():
        # A demo employee of a Gällivare company, with the demo's password.
        people = db.session.scalars(
            select(Person)
            .join(Company, Person.company_id == Company.id)
            .join(Municipality, Company.municipality_id == Municipality.id)
            .where(Municipality.name == "Gällivare", Person.municipality_id.is_(None))
            .order_by(Person.id)
        )
        email = next(p.email for p in people if p.has_role("employee"))
        db.session.remove()
    with serving(app) as base:
        yield base, email


def test_a_gallivare_employee_sees_the_closest_free_session_first(demo):
    base, email = demo
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="sv-SE")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(base + "/login")
        page.get_by_label("E-postadress", exact=True).fill(email)
        page.get_by_label("Lösenord", exact=True).fill("demo1234")
        page.get_by_role("button", name="Logga in").click()
        page.get_by_role("link", name="Hitta validering").click()
        first = page.locator("ul.session-cards > li").first
        expect(first).to_contain_text(re.compile(r"(från|i) Gällivare"))
        expect(first).to_contain_text(re.compile(r"\d+ platse?r? kvar"))
        assert _fully_on_screen(first, PHONE["height"]), first.bounding_box()
        assert page.evaluate("window.scrollY") == 0
        # Closest first: no card after it is nearer.
        minutes = [_minutes(t) for t in page.locator("ul.session-cards .travel").all_inner_texts()]
        assert minutes == sorted(minutes), minutes
        context.close()


def _minutes(text: str) -> int:
    if text.startswith("i "):
        return 0
    hours = re.search(r"(\d+) h", text)
    mins = re.search(r"(\d+) min", text)
    return (int(hours[1]) * 60 if hours else 0) + (int(mins[1]) if mins else 0)


def test_a_visitor_chooses_where_to_start_from(demo):
    """Without an account: "Utgå från" Skellefteå under the folded filters, and the cards
    come closest first, each saying how far from Skellefteå."""
    base, _email = demo
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="sv-SE")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(base + "/")
        expect(page.locator("ul.session-cards .travel")).to_have_count(0)  # no place yet
        page.locator("summary", has_text="Filter").click()
        page.get_by_label("Utgå från", exact=True).select_option(label="Skellefteå")
        page.get_by_role("button", name="Visa pass").click()
        expect(page.locator("summary", has_text="Filter")).to_contain_text("från Skellefteå")
        travel = page.locator("ul.session-cards .travel")
        expect(travel.first).to_contain_text("Skellefteå")
        minutes = [_minutes(t) for t in travel.all_inner_texts()]
        assert minutes == sorted(minutes), minutes
        context.close()


def test_moving_a_booking_offers_the_closest_sessions_first(demo):
    """The Gällivare employee books the first card, then moves it: the other sessions of
    the model are listed closest to Gällivare first, and the move is confirmed."""
    base, email = demo
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="sv-SE")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(base + "/login")
        page.get_by_label("E-postadress", exact=True).fill(email)
        page.get_by_label("Lösenord", exact=True).fill("demo1234")
        page.get_by_role("button", name="Logga in").click()
        page.get_by_role("link", name="Hitta validering").click()
        page.locator("ul.session-cards > li").first.get_by_role("link").click()
        session_path = page.url.removeprefix(base)
        page.get_by_role("button", name="Boka plats").click()
        page.get_by_role("link", name="Mina bokningar").first.click()
        booked = page.locator("li.card", has=page.locator(f'a[href="{session_path}"]'))
        booked.get_by_role("link", name="Flytta").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Flytta bokning")
        labels = page.locator("fieldset label").all_inner_texts()
        assert labels, "no other session to move to"
        minutes = [_minutes(re.split(r" · ", t)[-1]) for t in labels if "Gällivare" in t]
        assert len(minutes) == len(labels), labels  # every choice says how far it is
        assert minutes == sorted(minutes), minutes
        page.locator("fieldset input[type=radio]").first.check()
        page.get_by_role("button", name="Flytta hit").click()
        expect(page.locator(".message")).to_contain_text("flytta")
        context.close()
