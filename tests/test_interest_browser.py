"""Interest when nothing fits, in Chromium on a 390 px phone without JavaScript: from a
full session's page to the form (model and place filled in), registered with the
keyboard, then withdrawn (issue 18, item 6)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from app import create_app
from app.bookings.interest import today
from app.bookings.services import book_seat
from app.extensions import db
from tests.conftest import TEST_CONFIG
from tests.factories import Factory
from tests.live import chromium, serving
from tests.test_browser import _page, sign_in

PHONE = {"width": 390, "height": 844}


@dataclass
class World:
    base: str
    full: int  # a full session in Luleå
    model: int  # its model
    lulea: int  # its municipality

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def world(_sqlite_databases, tmp_path_factory):
    url = _sqlite_databases.create(tmp_path_factory.mktemp("interest-browser"))
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        make = Factory()
        works = make.company("Malmfältens Verkstad AB", municipality="Gällivare")
        make.employee(works, name="Ella Ek", email="ella@example.se")
        center = make.center(name="Luleå tekniska gymnasium", municipality="Luleå")
        full = make.session(center=center, seats=1, starts_in=timedelta(days=20))
        someone = make.employee(make.company())
        book_seat(full.id, someone, someone)
        rows = {"full": full.id, "model": full.model_id, "lulea": center.municipality_id}
        db.session.remove()
    with serving(app) as base:
        yield World(base=base, **rows)


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def test_an_employee_registers_and_withdraws_interest_on_a_phone(world, browser):
    page = _page(browser, PHONE)
    sign_in(page, world, "ella@example.se")
    page.goto(world.url(f"/sessions/{world.full}"))
    page.get_by_role("link", name="Inget annat pass som passar?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmäl intresse")
    expect(page.get_by_label("Validering")).to_have_value(str(world.model))
    expect(page.get_by_label("Nära kommun")).to_have_value(str(world.lulea))
    expect(page.get_by_label("Från och med")).to_have_value(today().isoformat())
    until = today() + timedelta(days=45)
    page.get_by_label("Till och med").fill(until.isoformat())
    page.get_by_role("button", name="Anmäl intresse").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Intresset är anmält")
    row = page.locator("tbody tr").filter(has_text="Luleå")
    # The period in the page's language, as every date: "7 dec. 2026 – 21 jan. 2027".
    said = [format_date(day, "d MMM y", locale="sv") for day in (today(), until)]
    expect(row).to_contain_text(" – ".join(said))
    expect(row).to_contain_text("Gäller")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px screen"
    row.get_by_role("button", name="Ta bort intresseanmälan").click()
    expect(page.locator(".messages")).to_contain_text("Intresseanmälan är borttagen.")
    expect(page.locator("tbody tr").first).to_contain_text("Borttagen")
    page.context.close()
