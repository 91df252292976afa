"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright.

The app runs on a loopback port (werkzeug, in a thread) against a fresh SQLite
database built by the migrations and filled by the factories. People sign in
through the login form and click their way through the main journeys with
JavaScript turned off, as the pages must work without it. axe-core checks every
main page (the error pages too: 403, 404 and the sign-in limit's 429) at a phone's
and a desktop's width, in Swedish and a handful of them in English, and the pages are
saved as PNGs under screenshots/ when TCB_SCREENSHOTS=1 (docs/browser-tests-and-screenshots.md).

CI installs Chromium with `apt-get install -y chromium` (.ci/run); without it these
tests fail rather than skip.
"""

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app import create_app
from app.accounts.services import invite_new_person, link_token
from app.api.tokens import create_token
from app.bookings.interest import register_interest
from app.bookings.interest import today as interest_today
from app.bookings.services import book_seat, cancel_booking
from app.centers.services import add_closure
from app.db import utcnow
from app.extensions import db
from app.results.services import AreaVerdict, check_in, model_areas, record_outcomes
from app.schedule.models import AssessorAuthorisation
from app.timeutil import local_date
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, Factory
from tests.live import chromium, screenshot, serving

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# Sign-in attempts per typed address and minute on the live server: low, so that the
# 429 page takes a few wrong passwords, yet above the sign-ins of any one person in
# this file (the testledare's five).
SIGN_IN_LIMIT = 10


@dataclass
class World:
    """The live server's address and the rows the journeys use (ids and names)."""

    base: str
    center: int
    s_free: int  # Industriteknik BAS in Luleå, seats left
    s_full: int  # one seat, taken by Maja
    s_umea: int  # Automation BAS in Umeå (Västerbotten)
    s_started: int  # began 20 minutes ago; the testledare's participants
    week: str  # ISO week of s_started, for the testledare's grid
    nils_id: int
    pia_id: int  # the project admin of every project
    assessor_id: int  # Anna Lindberg, the testledare
    vera_booking: int  # attended, with results recorded
    vera_live: int  # a confirmed seat in s_free
    iso_day: str
    model: int  # Industriteknik BAS
    plan_query: str  # a two-week series to preview
    set_password: str  # the path in an invitation mail, to choose a password

    def url(self, path: str) -> str:
        return self.base + path


def _build_world(make: Factory) -> dict:
    """Create two counties' worth of centers, people, sessions and bookings."""
    industri = make.model("industriteknik-bas")
    automation = make.model("automation-bas")
    lulea = make.center(name="Komvux Luleå teknikcentrum", municipality="Luleå")
    umea = make.center(name="Umeå industriskola", municipality="Umeå")
    assessor = make.person(("assessor",), name="Anna Lindberg", email="testledare@example.se")
    make._save(
        AssessorAuthorisation(
            person=assessor,
            model=industri,
            valid_from=lulea.accredited_from,
            valid_to=lulea.accredited_to,
        )
    )
    company = make.company(name="Norrbottens Stål AB", municipality="Luleå")
    sara = make.person(
        ("coordinator",), company=company, name="Sara Samordnare", email="samordnare@example.se"
    )
    people = {
        key: make.employee(company=company, name=name, email=f"{key}@example.se")
        for key, name in [
            ("elin", "Elin Eriksson"),
            ("maja", "Maja Öberg"),
            ("oskar", "Oskar Holm"),
            ("nils", "Nils Berg"),
            ("elsa", "Elsa Lind"),
            ("karl", "Karl Nilsson"),
            ("vera", "Vera Strand"),
        ]
    }
    pia = make.person(("project_admin",), name="Pia Projektledare", email="projektadmin@example.se")
    lulea_admin = make.person(
        ("center_admin",), center=lulea, name="Ali Administratör", email="centeradmin@example.se"
    )

    s_free = make.session(seats=5, starts_in=timedelta(days=14), center=lulea, assessor=assessor)
    s_full = make.session(seats=1, starts_in=timedelta(days=20), center=lulea, assessor=assessor)
    s_umea = make.session(seats=4, starts_in=timedelta(days=21), center=umea, model=automation)
    make.session(seats=6, starts_in=timedelta(days=25), center=umea)  # where Vera may move
    now = utcnow()
    s_started = make.session(
        seats=4, starts_at=now - timedelta(minutes=20), center=lulea, assessor=assessor
    )
    book_seat(s_full.id, people["maja"], people["maja"])
    earlier = now - timedelta(days=3)
    by_key = {
        key: book_seat(s_started.id, people[key], people[key], now=earlier)
        for key in ("elsa", "karl", "vera")
    }
    check_in(by_key["vera"].id, assessor)
    verdicts = [AreaVerdict(area_id=a.id, result="approved") for a in model_areas(industri.id)]
    verdicts[-1] = AreaVerdict(
        area_id=verdicts[-1].area_id, result="not_yet", training="Kurs i mätteknik"
    )
    record_outcomes(by_key["vera"].id, verdicts, "Bra genomfört.", assessor)
    # Vera also has a seat she may move, a cancelled booking (her history) and an API key.
    vera_live = book_seat(s_free.id, people["vera"], people["vera"])
    cancel_booking(book_seat(s_umea.id, people["vera"], people["vera"]).id, people["vera"])
    create_token(people["vera"], "Lönesystemet")
    # Vera and Nils want Automation BAS near Luleå (the interest pages and planners' tables).
    register_interest(
        [people["vera"], people["nils"]],
        automation.id,
        lulea.municipality_id,
        interest_today(),
        interest_today() + timedelta(days=60),
        sara,
    )
    add_closure(lulea.id, date(2027, 2, 15), date(2027, 2, 19), "Sportlov", False, lulea_admin)
    # A new testledare, invited by mail to choose a password (the link's token).
    invited = invite_new_person("Ivar Isaksson", "inbjuden@example.se", ("assessor",))
    year, week, _ = local_date(s_started.starts_at).isocalendar()
    return {
        "center": lulea.id,
        "s_free": s_free.id,
        "s_full": s_full.id,
        "s_umea": s_umea.id,
        "s_started": s_started.id,
        "week": f"{year}-W{week:02d}",
        "nils_id": people["nils"].id,
        "pia_id": pia.id,
        "assessor_id": assessor.id,
        "vera_booking": by_key["vera"].id,
        "vera_live": vera_live.id,
        "iso_day": local_date(s_free.starts_at).isoformat(),
        "model": industri.id,
        "plan_query": (
            f"model={industri.id}&assessor={assessor.id}&first_day={local_date(s_free.starts_at)}"
            "&start=08:00&weeks=2&weekdays=0&weekdays=2"
        ),
        "set_password": f"/password/invite/{link_token(invited, 'invite')}",
    }


@pytest.fixture(scope="module")
def world(_sqlite_databases, tmp_path_factory):
    """Serve the app on 127.0.0.1 (a free port) from a thread, with the outbox viewer on
    and a sign-in limit low enough to trip."""
    url = _sqlite_databases.create(tmp_path_factory.mktemp("browser"))
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_VIEWER": True,
            "SEARCH_CACHE_SECONDS": 0,
            "LOGIN_RATE_LIMIT": f"{SIGN_IN_LIMIT} per minute",
        }
    )
    with app.app_context():
        rows = _build_world(Factory())
        db.session.remove()
    with serving(app) as base:
        yield World(base=base, **rows)


@pytest.fixture(scope="module")
def browser():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/js`.")
    with chromium() as browser:
        yield browser


def _page(browser, viewport=DESKTOP, javascript=False) -> Page:
    """A fresh visitor (own cookies); JavaScript off unless asked for.

    With JavaScript on, the page's Content-Security-Policy is bypassed so that axe-core
    can be injected; the app's own pages need no script.
    """
    context = browser.new_context(
        viewport=viewport, java_script_enabled=javascript, bypass_csp=javascript, locale="sv-SE"
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(page: Page, world: World, email: str) -> None:
    page.goto(world.url("/login"))
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def shot(page: Page, name: str) -> None:
    width = page.viewport_size["width"]
    label = "phone" if width < 600 else "desktop"
    screenshot(page, SCREENSHOTS / f"{label}-{name}.png")


def flash(page: Page):
    return page.locator(".messages")


# --- journeys (JavaScript off) ---------------------------------------------------


def test_employee_searches_books_gets_the_invite_and_cancels(world, browser):
    page = _page(browser, PHONE)
    sign_in(page, world, "elin@example.se")

    page.get_by_role("link", name="Hitta validering").click()
    page.locator("summary", has_text="Filter").click()  # folded on a phone
    page.get_by_label("Validering", exact=True).select_option(label="Industriteknik BAS")
    page.get_by_label("Län", exact=True).select_option(label="Norrbottens län")
    page.get_by_label("Bara pass med lediga platser").check()
    page.get_by_role("button", name="Visa pass").click()
    cards = page.locator("ul.cards > li")
    # The full session and the one in Umeå (Västerbotten) are filtered away.
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Komvux Luleå teknikcentrum")
    expect(cards.first).to_contain_text("platser kvar")
    shot(page, "journey-search-results")

    cards.first.get_by_role("link", name="Industriteknik BAS").click()
    assert page.url == world.url(f"/sessions/{world.s_free}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Industriteknik BAS")
    page.get_by_role("button", name="Boka plats").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mina bokningar")
    expect(flash(page)).to_contain_text("Du har fått en plats")
    booking = page.locator("ul.cards > li").filter(has_text="Komvux Luleå teknikcentrum")
    expect(booking).to_contain_text("Bekräftad plats")
    shot(page, "journey-my-bookings")

    admin = _page(browser, DESKTOP)
    sign_in(admin, world, "projektadmin@example.se")
    admin.get_by_role("link", name="Utkorg").click()
    invite = admin.locator("tbody tr").filter(has_text="elin@example.se")
    expect(invite).to_have_count(1)
    invite.get_by_role("link").click()
    expect(
        admin.locator("pre.message-part").filter(has_text="METHOD:REQUEST").first
    ).to_be_visible()
    expect(admin.locator("main")).to_contain_text("Komvux Luleå teknikcentrum")

    booking.get_by_role("link", name="Avboka").click()
    expect(page.locator("main")).to_contain_text("Platsen blir ledig")  # asked first
    page.get_by_role("button", name="Ja, avboka").click()
    expect(flash(page)).to_contain_text("Bokningen är avbokad")
    expect(page.locator("ul.cards > li")).to_have_count(0)
    expect(page.locator("table")).to_contain_text("Avbokad")

    admin.goto(world.url("/calendar/outbox"))
    to_elin = admin.locator("tbody tr").filter(has_text="elin@example.se")
    expect(to_elin).to_have_count(2)
    to_elin.first.get_by_role("link").click()  # newest first
    expect(admin.locator("pre.message-part").filter(has_text="METHOD:CANCEL").first).to_be_visible()


def test_waitlisted_employee_gets_the_seat_someone_cancels(world, browser):
    oskar = _page(browser, PHONE)
    sign_in(oskar, world, "oskar@example.se")
    oskar.goto(world.url(f"/sessions/{world.s_full}"))
    expect(oskar.locator(".badge-full")).to_have_text("Fullbokat")
    oskar.get_by_role("button", name="Ställ mig i kö").click()
    expect(flash(oskar)).to_contain_text("Du står i kö som nummer 1")
    card = oskar.locator("ul.cards > li")
    expect(card).to_contain_text("I kö, plats 1")

    maja = _page(browser, DESKTOP)
    sign_in(maja, world, "maja@example.se")
    maja.get_by_role("link", name="Mina bokningar").click()
    maja.locator("ul.cards > li").get_by_role("link", name="Avboka").click()
    expect(maja.locator("main")).to_contain_text("Platsen går direkt till nästa i kön")
    maja.get_by_role("button", name="Ja, avboka").click()
    expect(flash(maja)).to_contain_text("Platsen gick till nästa i kön.")

    oskar.reload()
    expect(card).to_contain_text("Bekräftad plats")
    expect(card).not_to_contain_text("I kö")
    oskar.goto(world.url(f"/sessions/{world.s_full}"))
    expect(oskar.get_by_role("region", name="Bokning")).to_contain_text("Bekräftad plats")


def test_testledare_checks_in_and_records_an_outcome(world, browser):
    page = _page(browser, DESKTOP)
    sign_in(page, world, "testledare@example.se")
    page.get_by_role("link", name="Mitt schema").click()
    page.goto(world.url(f"/schedule/?week={world.week}"))
    shot(page, "journey-assessor-week")
    page.locator(".week-grid").get_by_role("link", name="Industriteknik BAS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deltagare: Industriteknik BAS")

    elsa = page.locator("tbody tr").filter(has_text="Elsa Lind")
    elsa.get_by_role("button", name="Checka in Elsa Lind").click()
    expect(flash(page)).to_contain_text("Elsa Lind är incheckad")
    # The session has started but not ended: checked in, not yet done.
    expect(elsa).to_contain_text("Incheckad")
    expect(elsa).not_to_contain_text("Genomförd")
    elsa.get_by_role("link", name="Registrera resultat Elsa Lind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resultat för Elsa Lind")

    # Saving with areas left blank is refused with a message, nothing is lost.
    areas = page.locator("fieldset.area")
    expect(areas).to_have_count(10)
    areas.nth(0).get_by_label("Godkänd", exact=True).check()
    page.get_by_role("button", name="Spara resultat").click()
    message = "Ange ett resultat för varje kompetensområde."
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(message)
    # Its link leads to the first area without a result, the second.
    summary.get_by_role("link").press("Enter")
    expect(areas.nth(1).get_by_label("Godkänd", exact=True)).to_be_focused()
    expect(areas.nth(0).get_by_label("Godkänd", exact=True)).to_be_checked()
    # The message is read out with each area still missing a result, not the answered one.
    expect(areas.nth(1)).to_have_accessible_description(message)
    expect(areas.nth(0)).to_have_accessible_description("")

    for index in range(9):
        areas.nth(index).get_by_label("Godkänd", exact=True).check()
    last = areas.nth(9)
    last.get_by_label("Inte ännu", exact=True).check()
    last.get_by_label("Föreslagna kompetensutvecklande åtgärder").fill("Repetera ritningsläsning")
    shot(page, "journey-outcome-entry")
    page.get_by_role("button", name="Spara resultat").click()
    expect(flash(page)).to_contain_text("Resultatet för Elsa Lind är sparat")

    page.locator("tbody tr").filter(has_text="Elsa Lind").get_by_role("link", name="Intyg").click()
    expect(page.locator("main")).to_contain_text("Repetera ritningsläsning")
    expect(page.locator("main")).to_contain_text("Elsa Lind")


def test_coordinator_books_for_an_employee(world, browser):
    """The coordinator picks an employee on the session page and books the seat."""
    page = _page(browser, DESKTOP)
    sign_in(page, world, "samordnare@example.se")
    page.goto(world.url(f"/sessions/{world.s_umea}"))
    page.get_by_label("Medarbetare", exact=True).select_option(str(world.nils_id))
    page.get_by_role("button", name="Boka plats åt medarbetaren").click()
    expect(page.locator(".flash, [role=status], .messages").first).to_contain_text(
        "Nils Berg har fått en plats: Automation BAS"
    )
    expect(page.locator("h1")).to_contain_text("Nils Berg")

    page.get_by_role("link", name="Företagets valideringar").click()
    row = page.locator("tbody tr").filter(has_text="Nils Berg")
    expect(row).to_contain_text("Automation BAS")
    expect(row).to_contain_text("Bekräftad plats")

    nils = _page(browser, PHONE)
    sign_in(nils, world, "nils@example.se")
    nils.get_by_role("link", name="Mina bokningar").click()
    expect(nils.locator("ul.cards > li")).to_contain_text("Umeå industriskola")


def test_form_errors_are_tied_to_their_fields(world, browser):
    page = _page(browser, PHONE)
    page.goto(world.url("/login"))
    email = page.get_by_label("E-postadress", exact=True)
    email.fill("elin@example.se")
    page.get_by_role("button", name="Logga in").click()
    password = page.get_by_label("Lösenord", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Fyll i ditt lösenord.")
    expect(email).to_have_value("elin@example.se")
    expect(email).not_to_have_attribute("aria-invalid", "true")

    password.fill("wrong password")
    page.get_by_role("button", name="Logga in").click()
    expect(password).to_have_accessible_description("Fel e-postadress eller lösenord.")
    # The refused page opens on its error summary (no script: autofocus), says "Fel" in
    # its title, and the summary's link takes the keyboard to the field.
    summary = page.get_by_role("alert").filter(has_text="Formuläret har ett fel")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Fel: Logga in"))
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#password$"))

    page.goto(world.url("/"))
    page.locator("summary", has_text="Filter").click()  # folded on a phone
    page.get_by_label("Från datum", exact=True).fill("2027-03-10")
    page.get_by_label("Till datum", exact=True).fill("2027-03-01")
    page.get_by_role("button", name="Visa pass").click()
    to = page.get_by_label("Till datum", exact=True)
    expect(to).to_have_accessible_description("Till-datumet ligger före från-datumet.")
    expect(to).to_have_value("2027-03-01")


# --- keyboard --------------------------------------------------------------------


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute('href'),
                    outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }"""
    )


def test_week_grid_and_check_in_work_with_the_keyboard_alone(world, browser):
    page = _page(browser, DESKTOP, javascript=True)
    sign_in(page, world, "testledare@example.se")
    page.goto(world.url(f"/schedule/?week={world.week}"))
    target = f"/sessions/{world.s_started}/participants"
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = _focused(page)
        seen.append(focused)
        if focused["href"] == target:
            break
    else:
        pytest.fail(f"Tab never reached the session link; focus went {seen}")
    assert seen[0]["text"] == "Hoppa till innehållet"
    order = [f["text"] for f in seen]
    assert order.index("Mitt schema") < order.index("Föregående vecka") < len(order) - 1
    # Visible focus: a real outline on the focused link.
    assert seen[-1]["outline"] != "none" and seen[-1]["width"] >= 2, seen[-1]
    page.keyboard.press("Enter")
    expect(page).to_have_url(world.url(target))

    button = page.get_by_role("button", name="Checka in Karl Nilsson")
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the check-in button")
    page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("Karl Nilsson är incheckad")


# The controls a Tab can reach, in document order: one radio per group (the checked
# one, else the first), nothing hidden (e.g. inside a closed <details>).
TABBABLE = """() => {
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
        + ' [tabindex]:not([tabindex="-1"])';
    const groups = new Set();
    const found = [];
    for (let el of document.querySelectorAll(selector)) {
        if (el.disabled || !el.checkVisibility()) continue;
        if (el.type === 'radio') {
            if (groups.has(el.name)) continue;
            groups.add(el.name);
            el = document.querySelector(`input[name="${el.name}"]:checked`) || el;
        }
        el.dataset.kb = found.length;
        found.push((el.getAttribute('aria-label') || el.textContent || el.name || el.id).trim());
    }
    return found;
}"""


FOCUSED = """() => {
    const el = document.activeElement;
    return [el.dataset.kb ?? null, getComputedStyle(el).outlineStyle];
}"""


def test_staff_pages_reach_every_control_with_tab_in_order(world, browser):
    """Keyboard alone: Tab visits every link, button and field once, in reading order,
    and each shows where the focus is."""
    pages = [
        ("testledare@example.se", f"/schedule/?week={world.week}"),
        ("testledare@example.se", "/schedule/availability"),
        ("testledare@example.se", f"/sessions/{world.s_started}/participants"),
        ("testledare@example.se", f"/bookings/{world.vera_booking}/outcome"),
        ("centeradmin@example.se", f"/centers/{world.center}/admin"),
        ("centeradmin@example.se", f"/centers/{world.center}/closures"),
        ("centeradmin@example.se", f"/centers/{world.center}/plan?{world.plan_query}"),
        ("centeradmin@example.se", f"/sessions/{world.s_free}/manage"),
        ("centeradmin@example.se", f"/centers/{world.center}/sessions"),
        ("centeradmin@example.se", f"/centers/{world.center}/capacity"),
        ("projektadmin@example.se", "/reports/"),
        ("projektadmin@example.se", "/reports/projects/1"),
        ("projektadmin@example.se", "/people"),
        ("projektadmin@example.se", "/companies"),
        ("projektadmin@example.se", "/audit"),
        ("projektadmin@example.se", "/calendar/outbox"),
    ]
    signed_in: dict[str, Page] = {}
    problems = []
    for who, path in pages:
        if who not in signed_in:
            signed_in[who] = _page(browser, DESKTOP, javascript=True)
            sign_in(signed_in[who], world, who)
        page = signed_in[who]
        page.goto(world.url(path))
        controls = page.evaluate(TABBABLE)
        reached, unseen = [], []
        for _ in controls:
            # Date and time fields take a Tab per part (day, month, year) before moving on.
            for _part in range(4):
                page.keyboard.press("Tab")
                now, outline = page.evaluate(FOCUSED)
                if not reached or now != reached[-1]:
                    break
            reached.append(now)
            if outline == "none":
                unseen.append(controls[int(now)] if now else now)
        expected = [str(i) for i in range(len(controls))]
        if reached != expected:
            at = next(i for i, (a, b) in enumerate(zip(reached, expected, strict=True)) if a != b)
            problems.append(
                f"{path}: Tab {at + 1} reached {reached[at]!r}, expected {controls[at]!r}"
            )
        if unseen:
            problems.append(f"{path}: no visible focus on {unseen}")
        assert len(controls) > 10, (path, controls)  # the menu and the page's own controls
    assert not problems, "\n".join(problems)


# --- every main page: axe, no sideways scrolling, screenshots ------------------


def _main_pages(world: World) -> list[tuple[str | None, str, str]]:
    """(who signs in, name, path) for every main page."""
    search = f"/?model={world.model}&county=&date_from={world.iso_day}&free_only=y"
    return [
        (None, "start", "/"),
        (None, "search-results", search),
        (None, "month", f"/month?model={world.model}&free_only=y"),
        (None, "search-none-found", f"/?model={world.model}&municipality=&weeks=1&free_only=y"),
        (None, "session-free", f"/sessions/{world.s_free}"),
        (None, "session-full", f"/sessions/{world.s_full}"),
        (None, "sign-in", "/login"),
        (None, "api-docs", "/api/v1/docs"),
        ("vera@example.se", "session-book-form", f"/sessions/{world.s_free}"),
        ("vera@example.se", "my-bookings", "/bookings"),
        ("vera@example.se", "calendar-subscribe", "/calendar/"),
        ("vera@example.se", "api-tokens", "/account/api-tokens"),
        ("vera@example.se", "statement", f"/bookings/{world.vera_booking}/intyg"),
        ("vera@example.se", "move-booking", f"/bookings/{world.vera_live}/move"),
        ("vera@example.se", "not-found", "/sessions/999999"),
        ("testledare@example.se", "assessor-week", f"/schedule/?week={world.week}"),
        ("testledare@example.se", "assessor-list", "/schedule/list"),
        ("testledare@example.se", "availability", "/schedule/availability"),
        ("testledare@example.se", "participants", f"/sessions/{world.s_started}/participants"),
        ("testledare@example.se", "results-entry", f"/bookings/{world.vera_booking}/outcome"),
        ("centeradmin@example.se", "center-admin", f"/centers/{world.center}/admin"),
        ("centeradmin@example.se", "center-closures", f"/centers/{world.center}/closures"),
        ("centeradmin@example.se", "center-plan", f"/centers/{world.center}/plan"),
        (
            "centeradmin@example.se",
            "center-plan-preview",
            f"/centers/{world.center}/plan?{world.plan_query}",
        ),
        ("centeradmin@example.se", "center-sessions", f"/centers/{world.center}/sessions"),
        ("centeradmin@example.se", "center-capacity", f"/centers/{world.center}/capacity"),
        ("centeradmin@example.se", "session-manage", f"/sessions/{world.s_free}/manage"),
        ("centeradmin@example.se", "session-staff", f"/sessions/{world.s_started}"),
        ("samordnare@example.se", "company-results", "/company/results"),
        ("samordnare@example.se", "company-overview", "/company/overview"),
        ("samordnare@example.se", "company-employees", "/company/employees"),
        ("samordnare@example.se", "company-employee", f"/company/employees/{world.nils_id}"),
        ("vera@example.se", "interest", "/interest"),
        ("samordnare@example.se", "company-interest", "/company/interest"),
        ("vera@example.se", "account", "/account"),
        (None, "forgot-password", "/password/forgot"),
        ("projektadmin@example.se", "people", "/people"),
        ("projektadmin@example.se", "companies", "/companies"),
        ("projektadmin@example.se", "audit", "/audit"),
        ("projektadmin@example.se", "outbox", "/calendar/outbox"),
        ("projektadmin@example.se", "outbox-message", "/calendar/outbox/1"),
        ("projektadmin@example.se", "dashboard", "/reports/"),
        ("projektadmin@example.se", "project-targets", "/reports/projects/1"),
        ("projektadmin@example.se", "project-new", "/reports/projects/new"),
        ("projektadmin@example.se", "centers", "/centers"),
        ("projektadmin@example.se", "travel-times", "/centers/travel-times"),
        ("projektadmin@example.se", "erase-person", f"/people/{world.nils_id}/erase"),
        ("projektadmin@example.se", "admin-projects", f"/people/{world.pia_id}/projects"),
        ("projektadmin@example.se", "assessor-grants", f"/people/{world.assessor_id}/assessor"),
        ("centeradmin@example.se", "dashboard-center", "/reports/"),
        (None, "set-password", world.set_password),
        ("vera@example.se", "forbidden", "/people"),  # an employee on a staff page
        (None, "too-many-attempts", "/login"),  # see _trip_the_sign_in_limit
    ]


# The pages that answer with an error on purpose; every other main page answers 200.
STATUS = {"not-found": 404, "forbidden": 403, "too-many-attempts": 429}


def _english_pages(world: World) -> list[tuple[str | None, str, str]]:
    """A handful of the main pages, a visitor's and staff's, to check in English."""
    search = f"/?model={world.model}&county=&date_from={world.iso_day}&free_only=y"
    return [
        (None, "start", "/"),
        (None, "search-results", search),
        (None, "month", f"/month?model={world.model}&free_only=y"),
        (None, "search-none-found", f"/?model={world.model}&municipality=&weeks=1&free_only=y"),
        (None, "sign-in", "/login"),
        ("vera@example.se", "session-book-form", f"/sessions/{world.s_free}"),
        ("vera@example.se", "my-bookings", "/bookings"),
        ("testledare@example.se", "assessor-week", f"/schedule/?week={world.week}"),
        ("projektadmin@example.se", "center-admin", f"/centers/{world.center}/admin"),
        ("projektadmin@example.se", "dashboard", "/reports/"),
    ]


HELD_RULES = ("landmark-unique", "landmark-no-duplicate-main")


def _axe(page: Page) -> list[str]:
    """Run axe-core on the page; describe every serious or critical violation."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    problems = []
    for violation in result["violations"]:
        # And two moderate ones a screen reader's list of landmarks suffers from.
        if violation["impact"] in ("serious", "critical") or violation["id"] in HELD_RULES:
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:5]]
            problems.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return problems


def _too_wide(page: Page, width: int) -> str | None:
    """Say what sticks out when the page scrolls sideways at this width."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll <= width:
        return None
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .filter(e => !e.closest('.table-scroll') || e.matches('.table-scroll'))
            .slice(-3).map(e => e.tagName.toLowerCase() + '.' + e.className)""",
        width,
    )
    return f"{scroll} px wide at {width} px, scrolls sideways: {wide}"


def _trip_the_sign_in_limit(page: Page, world: World):
    """Guess a password until the sign-in limit answers; return that answer (the 429)."""
    page.goto(world.url("/login"))
    for _ in range(SIGN_IN_LIMIT + 1):
        page.get_by_label("E-postadress", exact=True).fill("gissare@example.se")
        page.get_by_label("Lösenord", exact=True).fill("fel lösenord")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Logga in").click()
        page.wait_for_load_state()
        if answer.value.status == 429:
            return answer.value
    pytest.fail(f"{SIGN_IN_LIMIT + 1} wrong passwords in a row were never refused with 429")


def _check(page: Page, label: str, screenshot: str) -> list[str]:
    """The open page at 375 px and 1280 px: axe, width, headings; save both PNGs."""
    failures = []
    headings = page.evaluate(
        "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"
    )
    if headings[:1] != [1] or any(b - a > 1 for a, b in itertools.pairwise(headings)):
        failures.append(f"{label}: headings out of order {headings}")
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for problem in _axe(page):
            failures.append(f"{label} at {viewport['width']} px: {problem}")
        if problem := _too_wide(page, viewport["width"]):
            failures.append(f"{label}: {problem}")
        shot(page, screenshot)
    return failures


def _part(pages: list[tuple[str | None, str, str]], part: int) -> list:
    """One of PARTS shares of the pages, whole per person (each signs in once), the
    people with most pages first to the emptiest share: the shares run side by side
    on the test workers instead of one after the other."""
    by_who: dict[str | None, list] = {}
    for page in pages:
        by_who.setdefault(page[0], []).append(page)
    shares: list[list] = [[] for _ in range(PARTS)]
    for group in sorted(by_who.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return shares[part]


PARTS = 3


@pytest.mark.parametrize("part", range(PARTS))
def test_main_pages_pass_axe_and_fit_the_screen(world, browser, part):
    """Each page at 375 px (phone) and 1280 px (desktop): axe, width, headings, PNGs."""
    pages: dict[str | None, Page] = {}
    failures = []
    for who, name, path in _part(_main_pages(world), part):
        if who not in pages:
            pages[who] = _page(browser, DESKTOP, javascript=True)
            if who:
                sign_in(pages[who], world, who)
        page = pages[who]
        if name == "too-many-attempts":
            answer = _trip_the_sign_in_limit(page, world)
        else:
            answer = page.goto(world.url(path))
        expected = STATUS.get(name, 200)
        assert answer.status == expected, f"{name} {path}: {answer.status}"
        failures += _check(page, f"{name} {path}", name)
    assert not failures, "\n".join(failures)


def test_pages_in_english_pass_axe_and_say_so(world, browser):
    """The same checks in English, chosen with the footer's language switch: a link for
    a visitor (kept in the session), a button for someone signed in (kept as their
    locale, and set back to Swedish afterwards). The PNGs are `*-en-<page>.png`."""
    pages: dict[str | None, Page] = {}
    failures = []
    for who, name, path in _english_pages(world):
        if who not in pages:
            page = pages[who] = _page(browser, DESKTOP, javascript=True)
            if who:
                sign_in(page, world, who)
                page.get_by_role("button", name="English").click()
            else:
                page.goto(world.url("/"))
                page.get_by_role("link", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        page = pages[who]
        answer = page.goto(world.url(path))
        assert answer.status == 200, f"{name} {path} in English: {answer.status}"
        if (lang := page.evaluate("document.documentElement.lang")) != "en":
            failures.append(f"{name} {path}: html lang is {lang!r}, not 'en'")
        failures += _check(page, f"{name} {path} in English", f"en-{name}")
    for who, page in pages.items():
        if who:  # the person's stored choice back to Swedish, as the other tests expect
            page.get_by_role("button", name="Svenska").click()
            expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert not failures, "\n".join(failures)
