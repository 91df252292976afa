"""Layout in a real browser: nothing scrolls sideways on a phone, the menu fits one row.

Debian's Chromium through Playwright, against the live server and the rows of
tests/test_browser.py (its `world` and `browser` fixtures, one server for this module).
"""

import itertools
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from app import create_app
from app.accounts.models import Company
from app.bookings.services import book_seat
from app.extensions import db
from app.results.models import AreaOutcome
from app.schedule.models import ValidationSession
from tests.conftest import TEST_CONFIG
from tests.factories import Factory
from tests.live import serving
from tests.test_browser import (  # noqa: F401 (browser is a fixture)
    World,
    _build_world,
    _main_pages,
    _page,
    browser,
    sign_in,
)

PHONE = {"width": 390, "height": 844}
# Real addresses are long: a company's domain in full, a double surname.
LONG_NAME = "Maximilian Karlsson-Wikström"
LONG_EMAIL = "maximilian.karlsson-wikstrom.4711@norrbottens-stal-och-verkstadsteknik.example.se"
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 768, "height": 1024}
LONG_LINK = (
    "https://www.yrkeshogskolan.se/hitta-utbildning/sok/?query=digitalisering%20industri"
    "%20produktion%20automation&sort=relevance&ort=Lule%C3%A5&distans=ja&takt=100&sida=2"
)

# What sticks out past the right edge (a .table-scroll box may hold wider content).
STICKING_OUT = """w => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 1)
    .filter(e => !e.closest('.table-scroll') || e.matches('.table-scroll'))
    .slice(-3).map(e => e.tagName.toLowerCase() + '.' + e.className)"""


def _add_long_rows(make: Factory, rows: dict) -> None:
    """One of the coordinator's employees with a long name and address, booked on the
    sessions staff look at, so that the tables have something wide to hold."""
    company = db.session.scalar(select(Company).where(Company.name == "Norrbottens Stål AB"))
    person = make.employee(company=company, name=LONG_NAME, email=LONG_EMAIL)
    book_seat(rows["s_free"], person, person)
    elsewhere = make.company(name="Västerbottens Precisionsmekanik och Svetsteknik Aktiebolag")
    other = make.employee(company=elsewhere, name="Karl-Johan Öhrström-Lindqvist")
    book_seat(rows["s_free"], other, other)
    started = db.session.get(ValidationSession, rows["s_started"])
    book_seat(started.id, person, person, now=started.starts_at - timedelta(days=2))
    # What a center admin may type without a space or a hyphen: a long link.
    center = db.session.get(ValidationSession, rows["s_free"]).center
    center.accessibility = "Ramp:https://www.example.se/tillganglighet?" + "&plan=2" * 12
    center.street_address = "Industriområdet_Norra_Hamnen_Kaj_4_Port_B_Lastkaj_Entré_Väst"
    # A testledare proposes training by its link, unbroken.
    not_yet = db.session.scalar(
        select(AreaOutcome).where(
            AreaOutcome.booking_id == rows["vera_booking"], AreaOutcome.result == "not_yet"
        )
    )
    not_yet.training = LONG_LINK
    db.session.commit()


@pytest.fixture(scope="module")
def world(_sqlite_databases, tmp_path_factory):
    """tests/test_browser.py's rows plus the long ones, served on a loopback port."""
    url = _sqlite_databases.create(tmp_path_factory.mktemp("phone"))
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "OUTBOX_VIEWER": True})
    with app.app_context():
        make = Factory()
        rows = _build_world(make)
        _add_long_rows(make, rows)
        db.session.remove()
    with serving(app) as base:
        yield World(base=base, **rows)


def _phone_pages(world: World) -> list[tuple[str | None, str, str]]:
    """Every main page of each role, and the staff's views of a session."""
    pages = [page for page in _main_pages(world) if page[1] != "too-many-attempts"]
    return [
        *pages,
        ("testledare@example.se", "session-testledare", f"/sessions/{world.s_started}"),
        ("testledare@example.se", "session-testledare-free", f"/sessions/{world.s_free}"),
        ("centeradmin@example.se", "session-manage-started", f"/sessions/{world.s_started}/manage"),
        ("samordnare@example.se", "session-coordinator", f"/sessions/{world.s_free}"),
        ("projektadmin@example.se", "people-search", "/people?q=example"),
        ("projektadmin@example.se", "session-project-admin", f"/sessions/{world.s_free}"),
        ("centeradmin@example.se", "session-center-admin", f"/sessions/{world.s_free}"),
    ]


def test_no_page_scrolls_sideways_on_a_phone(world, browser):  # noqa: F811
    """At 390 x 844 the page is never wider than the screen: wide tables stack or
    scroll inside their own box."""
    pages: dict[str | None, Page] = {}
    failures = []
    for who, name, path in _phone_pages(world):
        if who not in pages:
            pages[who] = _page(browser, PHONE)
            if who:
                sign_in(pages[who], world, who)
        page = pages[who]
        page.goto(world.url(path))
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            wide = page.evaluate(STICKING_OUT, inner)
            failures.append(f"{name} {path}: {scroll} px wide at {inner} px: {wide}")
    for page in pages.values():
        page.context.close()
    assert not failures, "\n".join(failures)


def test_the_menu_fits_one_row_at_1366_for_a_project_admin(world, browser):  # noqa: F811
    """The project admin has the longest menu; at 1366 px it is still one row."""
    page = _page(browser, LAPTOP)
    sign_in(page, world, "projektadmin@example.se")
    for path in ("/", "/reports/"):
        page.goto(world.url(path))
        tops, nav, item = page.evaluate(
            """() => {
                const items = [...document.querySelectorAll('nav[aria-label] > ul > li')];
                return [
                    [...new Set(items.map(li => Math.round(li.getBoundingClientRect().top)))],
                    document.querySelector('nav[aria-label] > ul').getBoundingClientRect().height,
                    Math.max(...items.map(li => li.getBoundingClientRect().height)),
                ];
            }"""
        )
        assert len(tops) == 1, f"{path}: menu items on {len(tops)} rows"
        assert nav <= item + 1, f"{path}: the menu is {nav} px high, one item {item} px"
        header = page.evaluate(
            "document.querySelector('.site-header .wrap').getBoundingClientRect().height"
        )
        assert header < 2 * item + 24, f"{path}: the header wraps ({header} px)"
    page.context.close()


def test_a_field_reached_with_tab_in_a_sideways_table_comes_into_view(world, browser):  # noqa: F811
    """The opening hours at 390 px: the table scrolls inside its box, and Tab to a
    closing time past the box's edge brings it into view (Chromium did not)."""
    page = _page(browser, PHONE, javascript=True)
    sign_in(page, world, "centeradmin@example.se")
    page.goto(world.url(f"/centers/{world.center}/admin"))
    page.focus("#opens-0")
    for _ in range(6):  # through the time field's own parts
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "closes-0":
            break
    field, box = page.evaluate(
        """() => [document.activeElement.getBoundingClientRect().right,
                  document.activeElement.closest('.table-scroll').getBoundingClientRect().right]"""
    )
    assert page.evaluate("document.activeElement.id") == "closes-0"
    assert field <= box + 1, f"the field ends at {field} px, its box at {box} px"
    page.context.close()


def test_the_dashboards_chart_labels_are_readable_on_a_phone(world, browser):  # noqa: F811
    """The chart is drawn at about half its size at 390 px: its labels were 6 px high."""
    page = _page(browser, PHONE)
    sign_in(page, world, "projektadmin@example.se")
    page.goto(world.url("/reports/"))
    labels = page.evaluate(
        """() => [...document.querySelectorAll('figure.chart text.tick')]
            .map(t => t.getBoundingClientRect())
            .filter(r => r.height > 0)
            .map(r => [r.left, r.right, r.height, r.top])"""
    )
    assert labels, "no chart labels on the dashboard"
    assert min(height for _l, _r, height, _t in labels) >= 11, labels
    # No label runs into another (the months along the bottom, the axis's numbers), nor
    # past the chart's left edge.
    bottom = max(top for *_rest, top in labels)
    months = [label for label in labels if abs(label[3] - bottom) < 1]
    assert len(months) >= 2, months
    boxes = [(left, right, top, top + height) for left, right, height, top in labels]
    for a, b in itertools.combinations(boxes, 2):
        apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
        assert apart, (a, b)
    chart_left = page.evaluate(
        "document.querySelector('figure.chart svg').getBoundingClientRect().left"
    )
    assert min(left for left, *_rest in labels) >= chart_left, labels


def test_a_statement_with_a_long_link_fits_a_tablet_and_the_printed_page(world, browser):  # noqa: F811
    """A proposed training given as a link kept its table cell (and the page) 1,267 px
    wide at 768 px, and so cut the printed statement off."""
    page = _page(browser, TABLET)
    sign_in(page, world, "vera@example.se")
    page.goto(world.url(f"/bookings/{world.vera_booking}/intyg"))
    assert LONG_LINK in page.inner_text("article")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{media}: {scroll} px wide at {inner} px"
    page.context.close()
