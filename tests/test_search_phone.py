"""Issue 18 in Chromium: on a 390×844 phone the search's first result is on the first
screen, with the filters folded behind one line; the month view works by keyboard.

JavaScript is off, as the pages must work without it (tests/live.py serves the app).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import create_app
from app.bookings.services import book_seat
from app.extensions import db
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, Factory
from tests.live import chromium, serving

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def site(_sqlite_databases, tmp_path_factory):
    """25 coming sessions (more than a page), a full one first, and an employee of a
    company in Gällivare."""
    url = _sqlite_databases.create(tmp_path_factory.mktemp("search-phone"))
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "SEARCH_CACHE_SECONDS": 0})
    with app.app_context():
        make = Factory()
        center = make.center(name="Gällivare Industriskola", municipality="Gällivare")
        full = make.session(center=center, seats=1, starts_in=timedelta(days=3))
        taker = make.employee()
        book_seat(full.id, taker, taker)
        for day in range(4, 29):
            make.session(center=center, model=make.model("svets-bla"), starts_in=timedelta(day))
        company = make.company(name="Malmbergets Stål AB", municipality="Gällivare")
        email = make.employee(company=company, name="Maja Malmberg").email
        db.session.remove()
    with serving(app) as base:
        yield base, email


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, java_script_enabled=False, locale="sv-SE")
    context.set_default_timeout(10_000)
    return context.new_page()


def _fully_on_screen(locator, height: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_first_result_is_on_a_phones_first_screen(site, browser):
    base, email = site
    page = _page(browser, PHONE)
    page.goto(base + "/login")
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    page.get_by_role("link", name="Hitta validering").click()

    cards = page.get_by_role("list", name="25 pass").get_by_role("listitem")
    first = cards.first
    # Only free seats by default: the full session on day 3 is not the first card.
    expect(first).to_contain_text("Svets — nivå BLÅ")
    expect(first).to_contain_text("5 platser kvar")
    # The search starts from the company's place: closest first, each card says how far.
    expect(first).to_contain_text("i Gällivare")
    assert _fully_on_screen(first, PHONE["height"]), first.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    # The filters are folded: one line says what is active.
    summary = page.locator("summary", has_text="Filter")
    expect(summary).to_have_text("Filter: inom 2 h från Gällivare · 8 veckor · lediga platser")
    expect(page.get_by_label("Validering", exact=True)).to_be_hidden()
    # A page of results is compact: 20 cards in under 2,800 px (the issue found 5,200).
    height = page.evaluate("document.querySelector('ul.session-cards').offsetHeight")
    assert height < 2800, height

    summary.click()
    page.get_by_label("Validering", exact=True).select_option(label="Svets, alla nivåer")
    page.get_by_role("button", name="Visa pass").click()
    expect(page.locator("summary", has_text="Filter")).to_have_text(
        "Filter: Svets, alla nivåer · inom 2 h från Gällivare · 8 veckor · lediga platser"
    )
    assert _fully_on_screen(page.locator("ul.session-cards > li").first, PHONE["height"])
    page.context.close()


def test_on_a_laptop_the_filters_are_open_without_a_click(site, browser):
    base, _email = site
    page = _page(browser, LAPTOP)
    page.goto(base + "/")
    expect(page.get_by_label("Validering", exact=True)).to_be_visible()
    expect(page.locator("summary", has_text="Filter")).to_be_hidden()
    page.context.close()


def test_the_month_view_by_keyboard_on_a_phone(site, browser):
    base, _email = site
    page = _page(browser, PHONE)
    page.goto(base + "/")
    page.get_by_role("link", name="Månadsvy").click()
    table = page.get_by_role("table")
    if not table.get_by_role("link").count():  # late in a month: the sessions are in the next
        page.get_by_role("link", name="Nästa månad").click()
    expect(table.locator("caption")).to_contain_text("pass med lediga platser")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Tab to the first day with free seats and choose it with Enter.
    day = table.get_by_role("link").first
    label = " ".join(day.text_content().split())  # "tisdag 8 december: 2 pass med lediga ..."
    assert re.match(r"^\w+ \d+ \w+: \d+ pass med lediga platser$", label), label
    day.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hitta en validering")
    cards = page.locator("ul.session-cards > li")
    expect(cards.first).to_be_visible()
    count = int(label.split(": ")[1].split()[0])
    expect(cards).to_have_count(count)
    page.context.close()
