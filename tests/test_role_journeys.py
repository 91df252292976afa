"""One journey per role, in Chromium, on the demo data (see README, *Demo accounts*).

A fresh SQLite database is built by the migrations and filled by `seed_demo()` (the
same data as `flask --app wsgi seed-demo`, relative to now; loaded once per pytest
run, see tests/demo_seed.py); one live server (werkzeug, in a thread) serves it to
one Chromium for the whole module, as in tests/test_browser.py, with JavaScript off
as the pages must work without it. Sessions and dates are picked from what the pages
show, never by id. Each person signs in through the login form and works
through their pages; the steps assert what the person sees (headings, flash
messages, table rows, texts), and with TCB_SCREENSHOTS=1 every step is saved as
screenshots/journeys/<role>/NN-step.png.

The demo's coming sessions start three days from today and its history ends last
week, so nothing is in progress when the tests run. The testledare checks people
in and records results on the day, so the module adds one session the way the demo
makes its sessions (see `_session_in_progress`).
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import create_app
from app.accounts.models import Company, Person, RoleGrant
from app.bookings.services import book_seat
from app.centers.models import TestCenter
from app.db import unit_of_work, utcnow
from app.demo import PASSWORD, SIGN_INS
from app.extensions import db
from app.schedule.models import ValidationModel, ValidationSession
from app.timeutil import day_start, local_date
from tests.conftest import TEST_CONFIG
from tests.demo_seed import seeded_demo_copy
from tests.live import chromium, screenshot, serving

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "screenshots" / "journeys"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@dataclass
class Demo:
    """The live server's address and the session the testledare runs today."""

    base: str
    center: int  # Komvux Luleå teknikcentrum, the demo center admin's center
    in_progress: int  # began 20 minutes ago; Birgitta Testledare's
    participants: list[str]  # the names booked on it
    names: dict[str, str]  # the demo accounts' names, by role (SIGN_INS)

    def url(self, path: str) -> str:
        return self.base + path


def _session_in_progress() -> tuple[int, int, list[str]]:
    """Add one Industriteknik BAS session at Komvux Luleå that began 20 minutes ago,
    run by the demo testledare (Birgitta Testledare, authorised for the model), with
    three employees of Luleå companies who booked it a week ago through the booking
    service, as the demo's own bookings are made.

    The demo itself has no session today (its history ends last week and its coming
    sessions start in three days), and check-in is only open around a session's start.
    The row is made as the demo's `_new_session` makes its sessions; it is not held to
    the opening hours, as the tests may run at any hour (it starts at midnight at the
    earliest, so that it stays on today's date).
    """
    now = utcnow().replace(second=0, microsecond=0)
    with unit_of_work():
        center = db.session.scalar(
            select(TestCenter).where(TestCenter.name == "Komvux Luleå teknikcentrum")
        )
        model = db.session.scalar(
            select(ValidationModel).where(ValidationModel.code == "industriteknik-bas")
        )
        assessor = db.session.scalar(select(Person).where(Person.email == SIGN_INS["assessor"]))
        starts_at = max(now - timedelta(minutes=20), day_start(local_date(now)))
        session = ValidationSession(
            center=center,
            model=model,
            assessor=assessor,
            starts_at=starts_at,
            ends_at=starts_at + model.duration,
            seats=4,
            created_at=starts_at - timedelta(days=60),
        )
        db.session.add(session)
        db.session.flush()
        session_id, center_id, municipality_id = session.id, center.id, center.municipality_id
    people = db.session.scalars(
        select(Person)
        .join(Company, Person.company_id == Company.id)
        .where(
            Company.municipality_id == municipality_id,
            Person.email != SIGN_INS["employee"],
            Person.role_grants.any(RoleGrant.role == "employee"),
        )
        .order_by(Person.id)
        .limit(3)
    ).all()
    for person in people:
        book_seat(session_id, person, person, now=now - timedelta(days=7))
    return center_id, session_id, [p.name for p in people]


def _app(url: str):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "SEARCH_CACHE_SECONDS": 0})


def _in_progress_and_names(url: str) -> dict:
    """Add the session in progress to the demo; answer what the journeys need to know."""
    app = _app(url)
    with app.app_context():
        center, in_progress, participants = _session_in_progress()
        names = {
            role: db.session.scalar(select(Person.name).where(Person.email == email))
            for role, email in SIGN_INS.items()
        }
        db.session.remove()
        db.engine.dispose()
    return {
        "center": center,
        "in_progress": in_progress,
        "participants": participants,
        "names": names,
    }


@pytest.fixture(scope="module")
def demo(_sqlite_databases, tmp_path_factory, worker_id):
    """The demo served on 127.0.0.1 (a free port) from a thread."""
    url, _printed = seeded_demo_copy(_sqlite_databases, tmp_path_factory, worker_id)
    facts = _in_progress_and_names(url)
    app = _app(url)
    with serving(app) as base:
        yield Demo(base=base, **facts)


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


class Journey:
    """One person's tab: signs in through the login form, saves numbered screenshots."""

    def __init__(self, browser, demo: Demo, role: str, viewport: dict):
        self.context = browser.new_context(
            viewport=viewport, java_script_enabled=False, locale="sv-SE", accept_downloads=True
        )
        self.context.set_default_timeout(10_000)
        self.page: Page = self.context.new_page()
        self.demo = demo
        self.role = role
        self.folder = SCREENSHOTS / role
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.step = 0

    def shot(self, name: str) -> None:
        self.step += 1
        screenshot(self.page, self.folder / f"{self.step:02d}-{name}.png")

    def goto(self, path: str) -> None:
        self.page.goto(self.demo.url(path))

    def close(self) -> None:
        self.context.close()


def flash(page: Page):
    return page.locator(".messages")


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def sign_in(journey: Journey, role: str) -> None:
    """The login form, as the demo account of `role` (see app.demo.SIGN_INS)."""
    page = journey.page
    journey.goto("/login")
    page.get_by_label("E-postadress", exact=True).fill(SIGN_INS[role])
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    journey.shot("sign-in")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    expect(flash(page)).to_contain_text(f"Välkommen, {journey.demo.names[role]}!")


def search_results(page: Page):
    """The start page's sessions found: a list named by their number ("12 pass")."""
    return page.get_by_role("list", name=re.compile(r"^\d+ pass$")).get_by_role("listitem")


def booking_card(page: Page, when: str):
    """A coming booking in Mina bokningar, by its date line."""
    return page.locator("ul.cards > li").filter(has_text=when)


# --- the employee (deltagare), on a phone ----------------------------------------


def employee_searches(journey: Journey) -> None:
    """The start page's search: Underhåll BAS in Norrbotten, only free seats (the
    default, as are the next 8 weeks)."""
    page = journey.page
    page.get_by_role("link", name="Hitta validering").click()
    expect(heading(page)).to_have_text("Hitta en validering")
    # On a phone the filters fold behind one line saying what is active.
    summary = page.locator("summary", has_text="Filter")
    expect(summary).to_contain_text("8 veckor · lediga platser")
    summary.click()
    page.get_by_label("Validering", exact=True).select_option(label="Underhåll BAS")
    page.get_by_label("Län", exact=True).select_option(label="Norrbottens län")
    page.get_by_label("Bara pass med lediga platser").check()
    page.get_by_role("button", name="Visa pass").click()
    cards = search_results(page)
    expect(cards.first).to_be_visible()
    for index in range(cards.count()):
        expect(cards.nth(index)).to_contain_text("Underhåll BAS")
        expect(cards.nth(index)).to_contain_text("Norrbottens län")
        expect(cards.nth(index)).to_contain_text(re.compile(r"\d+ platse?r? kvar"))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^\d+ pass$"))).to_be_visible()
    journey.shot("search-results")


def employee_books_the_first(journey: Journey) -> str:
    """Open the soonest session found that the employee has no seat on (the demo gives
    them one coming booking) and book a seat; answer its date line."""
    page = journey.page
    results = page.url
    for index in range(3):
        card = search_results(page).nth(index)
        when = card.locator("p").first.inner_text()
        card.get_by_role("link", name="Underhåll BAS").click()
        expect(heading(page)).to_have_text("Underhåll BAS")
        expect(page.locator("main")).to_contain_text(when)
        if page.get_by_role("button", name="Boka plats").count():
            break
        page.goto(results)
    # How to get there and when to come, before booking.
    expect(page.get_by_role("heading", name="Inför provet")).to_be_visible()
    expect(page.get_by_role("link", name="Visa på karta")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=6\d\.\d+&mlon=")
    )
    journey.shot("session")
    page.get_by_role("button", name="Boka plats").click()
    expect(heading(page)).to_have_text("Mina bokningar")
    expect(flash(page)).to_contain_text("Du har fått en plats")
    return when


def employee_finds_it_in_my_bookings(journey: Journey, when: str):
    page = journey.page
    page.get_by_role("link", name="Mina bokningar").click()
    expect(heading(page)).to_have_text("Mina bokningar")
    card = booking_card(page, when)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Underhåll BAS")
    expect(card).to_contain_text("Bekräftad plats")
    expect(card.get_by_role("link", name="Lägg till i Google Kalender")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?action=TEMPLATE&")
    )
    expect(card.get_by_role("link", name="Lägg till i Outlook")).to_have_attribute(
        "href", re.compile(r"^https://outlook\.office\.com/calendar/0/deeplink/compose\?")
    )
    journey.shot("my-bookings")
    return card


def employee_adds_it_to_the_calendar(journey: Journey, when: str) -> None:
    """The card's calendar link downloads an .ics file that a calendar can read."""
    page = journey.page
    card = booking_card(page, when)
    with page.expect_download() as download:
        card.get_by_role("link", name=re.compile("Lägg i kalendern")).click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(Path(path).read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1, calendar.to_ical()
    event = events[0]
    assert "Underhåll BAS" in str(event["SUMMARY"])
    day = re.search(r"(\d+) (\w+) (\d{4})", when)
    starts = event.decoded("DTSTART")
    assert (starts.day, starts.year) == (int(day[1]), int(day[3])), (starts, when)
    journey.shot("calendar-downloaded")


def employee_moves_it(journey: Journey, when: str) -> str:
    """Move the booking to the first other session offered; answer the new date line."""
    page = journey.page
    card = booking_card(page, when)
    card.get_by_role("link", name="Flytta").click()
    expect(heading(page)).to_have_text("Flytta bokning")
    expect(page.locator("main")).to_contain_text(when)
    choice = page.get_by_role("group", name="Välj nytt pass").get_by_role("radio").first
    label = choice.evaluate("r => r.labels[0].textContent").strip()
    new_when = label.split(" – ")[0]
    choice.check()
    journey.shot("move-choose")
    page.get_by_role("button", name="Flytta hit").click()
    expect(flash(page)).to_contain_text("Bokningen är flyttad till")
    expect(heading(page)).to_have_text("Mina bokningar")
    moved = booking_card(page, new_when)
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text("Bekräftad plats")
    expect(booking_card(page, when)).to_have_count(0)
    journey.shot("moved")
    return new_when


def employee_cancels_it(journey: Journey, when: str) -> None:
    page = journey.page
    booking_card(page, when).get_by_role("link", name="Avboka").click()
    expect(heading(page)).to_have_text("Vill du avboka din plats?")
    expect(page.locator("main")).to_contain_text(when)
    journey.shot("cancel-confirm")
    page.get_by_role("button", name="Ja, avboka").click()
    expect(flash(page)).to_contain_text("Bokningen är avbokad")
    expect(booking_card(page, when)).to_have_count(0)
    expect(page.locator("table tbody tr").filter(has_text="Avbokad").first).to_be_visible()
    journey.shot("cancelled")


def test_employee_books_adds_to_calendar_moves_and_cancels_on_a_phone(demo, browser):
    journey = Journey(browser, demo, "employee", PHONE)
    sign_in(journey, "employee")
    employee_searches(journey)
    when = employee_books_the_first(journey)
    employee_finds_it_in_my_bookings(journey, when)
    employee_adds_it_to_the_calendar(journey, when)
    new_when = employee_moves_it(journey, when)
    employee_cancels_it(journey, new_when)
    journey.close()


# --- the company coordinator (samordnare) -----------------------------------------

NEW_EMPLOYEE = ("Tove Testsson", "tove.testsson@journey.example.se")
IMPORTED = [
    ("Ivar Importsson", "ivar.importsson@journey.example.se", "070-123 45 67"),
    ("Ines Importsdotter", "ines.importsdotter@journey.example.se", ""),
]


def coordinator_registers_an_employee(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("link", name="Medarbetare", exact=True).click()
    expect(heading(page)).to_contain_text("Medarbetare på")
    journey.shot("employees")
    form = page.get_by_role("region", name="Registrera en medarbetare")
    form.get_by_label("Namn", exact=True).fill(NEW_EMPLOYEE[0])
    form.get_by_label("E-postadress", exact=True).fill(NEW_EMPLOYEE[1])
    form.get_by_role("button", name="Registrera och skicka inbjudan").click()
    expect(flash(page)).to_contain_text(f"{NEW_EMPLOYEE[0]} är registrerad och får en inbjudan")
    row = page.locator("tbody tr").filter(has_text=NEW_EMPLOYEE[1])
    expect(row).to_contain_text(NEW_EMPLOYEE[0])
    journey.shot("registered")


def coordinator_imports_a_csv(journey: Journey) -> None:
    """A list saved from a Swedish Excel (Windows-1252, semicolons) with two bad rows."""
    page = journey.page
    form = page.get_by_role("region", name="Registrera många från en CSV-fil")
    expect(form).to_contain_text("namn, e-post, telefon och avdelning")
    expect(form.get_by_role("link", name="Ladda ner mallen (CSV)")).to_be_visible()
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Namn", "E-post", "Telefon"])
    writer.writerows(IMPORTED)
    writer.writerows([("Åke Utanadress", "", ""), ("", "namnlos@journey.example.se", "")])
    form.get_by_label("CSV-fil").set_input_files(
        {
            "name": "medarbetare.csv",
            "mimeType": "text/csv",
            "buffer": text.getvalue().encode("cp1252"),
        }
    )
    form.get_by_role("button", name="Läs in filen").click()
    expect(heading(page)).to_have_text("Inläsning av medarbetare")
    expect(page.get_by_text("2 nya medarbetare är registrerade")).to_be_visible()
    rejected = page.get_by_role("region", name="Avvisade rader")
    expect(rejected.locator("tbody tr")).to_have_count(2)
    expect(rejected.locator("tbody tr").first).to_contain_text("E-postadress saknas.")
    journey.shot("import-report")
    page.get_by_role("link", name="Tillbaka till medarbetarna").click()
    for name, email, _phone in IMPORTED:
        expect(page.locator("tbody tr").filter(has_text=email)).to_contain_text(name)
    journey.shot("imported")


def coordinator_books_for_an_employee(journey: Journey, name: str) -> str:
    """From the start page: the soonest session with free seats, booked for `name`."""
    page = journey.page
    page.get_by_role("link", name="Hitta validering").click()
    page.get_by_label("Validering", exact=True).select_option(label="Industriteknik BAS")
    page.get_by_label("Bara pass med lediga platser").check()
    page.get_by_role("button", name="Visa pass").click()
    card = search_results(page).first
    when = card.locator("p").first.inner_text()
    card.get_by_role("link", name="Industriteknik BAS").click()
    expect(heading(page)).to_have_text("Industriteknik BAS")
    region = page.get_by_role("region", name="Boka åt en medarbetare")
    region.get_by_label("Medarbetare", exact=True).select_option(
        label=next(o for o in _options(region) if o.startswith(name))
    )
    journey.shot("book-for-employee")
    region.get_by_role("button", name="Boka plats åt medarbetaren").click()
    expect(flash(page)).to_contain_text(f"{name} har fått en plats: Industriteknik BAS")
    expect(heading(page)).to_have_text(name)
    expect(page.locator("ul > li").filter(has_text=when)).to_contain_text("Bekräftad plats")
    journey.shot("booked-for-employee")
    return when


def _options(scope) -> list[str]:
    return [o.strip() for o in scope.locator("option").all_inner_texts()]


def coordinator_sees_the_companys_validations(journey: Journey, name: str) -> None:
    page = journey.page
    page.get_by_role("link", name="Företagets valideringar").click()
    expect(heading(page)).to_contain_text("Företagets valideringar")
    booked = page.locator("tbody tr").filter(has_text=name)
    expect(booked).to_contain_text("Industriteknik BAS")
    expect(booked).to_contain_text("Bekräftad plats")
    # The company's history, apart from what is coming, each with its result.
    past = page.locator("[role=region][aria-labelledby=past] tbody tr")
    done = past.filter(has_text=re.compile(r"\d+ av \d+ områden"))
    expect(done.first).to_be_visible()
    assert done.count() > 10
    journey.shot("company-validations")
    who = done.first.locator("td").first.inner_text()
    done.first.get_by_role("link", name=re.compile("^Intyg")).click()
    expect(heading(page)).to_have_text("Intyg om validering")
    expect(page.locator("main")).to_contain_text(who)
    expect(
        page.get_by_role("heading", name=re.compile(r"^Godkända kompetensområden"))
    ).to_be_visible()
    journey.shot("statement")


def test_coordinator_registers_imports_books_and_sees_results(demo, browser):
    journey = Journey(browser, demo, "coordinator", DESKTOP)
    sign_in(journey, "coordinator")
    coordinator_registers_an_employee(journey)
    coordinator_imports_a_csv(journey)
    coordinator_books_for_an_employee(journey, IMPORTED[0][0])
    coordinator_sees_the_companys_validations(journey, IMPORTED[0][0])
    journey.close()


# --- the testledare, in English -------------------------------------------------


def switch_to_english(journey: Journey) -> None:
    """The footer's language switch (a button for someone signed in)."""
    page = journey.page
    page.get_by_role("contentinfo").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def switch_back_to_swedish(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("contentinfo").get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")


def assessor_opens_the_week(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("link", name="My schedule").click()
    expect(heading(page)).to_have_text(re.compile(r"^My schedule, week \d+$"))
    today = page.locator("main li").filter(has=page.get_by_role("link", name="Industriteknik BAS"))
    expect(today).to_contain_text("Komvux Luleå teknikcentrum")
    expect(today).to_contain_text(f"{len(journey.demo.participants)} participants")
    journey.shot("week")
    today.get_by_role("link", name="Industriteknik BAS").click()
    expect(heading(page)).to_have_text("Participants: Industriteknik BAS")
    expect(page.locator("main")).to_contain_text("The session is under way")
    for name in journey.demo.participants:
        expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Confirmed seat")
    journey.shot("participants")


def assessor_checks_in(journey: Journey, names: list[str]) -> None:
    page = journey.page
    for name in names:
        page.get_by_role("button", name=f"Check in {name}").click()
        expect(flash(page)).to_contain_text(f"{name} is checked in.")
        row = page.get_by_role("row").filter(has_text=name)
        expect(row.get_by_role("button", name=f"Check in {name}")).to_have_count(0)
        expect(row.get_by_role("link", name=f"Record results {name}")).to_be_visible()
    journey.shot("checked-in")


def assessor_records_results(journey: Journey, name: str) -> list[str]:
    """Every competence area answered: all approved but the last, with training proposed.
    Answers the areas' names."""
    page = journey.page
    page.get_by_role("row").filter(has_text=name).get_by_role(
        "link", name=f"Record results {name}"
    ).click()
    expect(heading(page)).to_have_text(f"Results for {name}")
    areas = page.get_by_role("group").filter(has=page.get_by_label("Approved", exact=True))
    count = areas.count()
    assert count >= 3, count
    names = []
    for index in range(count):
        area = areas.nth(index)
        names.append(re.sub(r"^\d+\. ", "", area.locator("legend").inner_text()))
        if index < count - 1:
            area.get_by_label("Approved", exact=True).check()
        else:
            area.get_by_label("Not yet", exact=True).check()
            area.get_by_label(re.compile("^Proposed further training")).fill(TRAINING)
    page.get_by_label("Comment to the participant").fill(COMMENT)
    journey.shot("results-entry")
    page.get_by_role("button", name="Save results").click()
    expect(flash(page)).to_contain_text(f"The result for {name} has been saved.")
    expect(heading(page)).to_have_text("Participants: Industriteknik BAS")
    journey.shot("results-saved")
    return names


COMMENT = "Well done on the practical parts."
TRAINING = "Guided practice at the workplace for 2–4 weeks, then a new test."


def assessor_opens_the_statement(journey: Journey, name: str, areas: list[str]) -> None:
    page = journey.page
    page.get_by_role("row").filter(has_text=name).get_by_role("link", name="Statement").click()
    expect(heading(page)).to_have_text("Validation statement")
    main = page.locator("main")
    expect(main).to_contain_text(name)
    expect(main).to_contain_text("Birgitta Testledare")
    approved = f"Approved competence areas ({len(areas) - 1})"
    expect(page.get_by_role("heading", name=approved)).to_be_visible()
    expect(page.get_by_role("heading", name="Still to develop (1)")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=areas[-1])).to_contain_text(TRAINING)
    for area in areas[:-1]:
        expect(page.get_by_role("listitem").filter(has_text=area)).to_be_visible()
    expect(main).to_contain_text(COMMENT)
    journey.shot("statement")


def test_testledare_checks_in_records_results_and_opens_the_statement_in_english(demo, browser):
    journey = Journey(browser, demo, "testledare", DESKTOP)
    sign_in(journey, "assessor")
    switch_to_english(journey)
    assessor_opens_the_week(journey)
    assessor_checks_in(journey, demo.participants[:2])
    areas = assessor_records_results(journey, demo.participants[0])
    assessor_opens_the_statement(journey, demo.participants[0], areas)
    switch_back_to_swedish(journey)
    journey.close()


# --- the test-center admin (Luleå) ----------------------------------------------

PLAN_MODEL = "Automation BAS"
PLAN_ASSESSOR = "Birgitta Testledare"
CLOSURE_REASON = "Studiedag för personalen"


MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"


def _iso_day(text: str) -> date:
    """The date in a Swedish long date as the pages show it: 'tisdag 29 december 2026'."""
    _weekday, day, month, year = text.split()
    return date(int(year), MONTHS.split().index(month) + 1, int(day))


def center_page(page: Page, name: str) -> None:
    """A link in the center's own menu (Uppgifter, Stängda dagar, Planera pass, ...)."""
    page.get_by_role("navigation", name="Testcentret").get_by_role(
        "link", name=name, exact=True
    ).click()


def _weekdays_from(first: date):
    day = first
    while True:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _fill_plan(page: Page, first: date, weeks: int = 1, weekdays: tuple[str, ...] = ()) -> None:
    page.get_by_label("Validering", exact=True).select_option(label=PLAN_MODEL)
    assessor = page.get_by_label("Testledare", exact=True)
    assessor.select_option(label=next(o for o in _options(assessor) if o.startswith(PLAN_ASSESSOR)))
    page.get_by_label("Första datum", exact=True).fill(first.isoformat())
    page.get_by_label("Starttid", exact=True).fill("08:00")
    page.get_by_label(re.compile(r"^Antal veckor")).fill(str(weeks))
    days = page.get_by_role("group", name=re.compile("^Veckodagar"))
    for box in days.get_by_role("checkbox").all():
        box.set_checked(box.evaluate("b => b.labels[0].textContent.trim()") in weekdays)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning")).to_be_visible()


def _preview_rows(page: Page):
    # The preview's table, not the interest table below it (the demo has interest).
    preview = page.locator("h2", has_text="Förhandsgranskning")
    return preview.locator("xpath=following-sibling::table[1]").locator("tbody tr")


def _create_planned(page: Page, count: int) -> None:
    """The preview's "Skapa N pass" button: the sessions appear in the center's list."""
    page.get_by_role("button", name=f"Skapa {count} pass").click()
    expect(flash(page)).to_contain_text(f"{count} pass skapades")
    expect(heading(page)).to_have_text(re.compile("^Kommande pass: Komvux Luleå"))


def _session_row(page: Page, day_text: str):
    return page.get_by_role("row").filter(has_text=day_text).filter(has_text=PLAN_MODEL)


def center_admin_plans_one_session(journey: Journey) -> tuple[date, str]:
    """Preview one date at a time, three weeks on, until the preview says it can be made
    (the testledare and the center have other sessions); create it. Answers its date."""
    page = journey.page
    page.get_by_role("link", name="Testcenter", exact=True).click()
    expect(heading(page)).to_have_text("Komvux Luleå teknikcentrum")
    page.get_by_role("navigation", name="Testcentret").get_by_role(
        "link", name="Planera pass"
    ).click()
    expect(heading(page)).to_have_text("Planera pass: Komvux Luleå teknikcentrum")
    today = local_date(utcnow())
    for _attempt, day in zip(range(10), _weekdays_from(today + timedelta(days=14)), strict=False):
        _fill_plan(page, day)
        rows = _preview_rows(page)
        expect(rows).to_have_count(1)
        if "Kan skapas" in rows.first.inner_text():
            break
    else:
        pytest.fail("no date in two weeks could be planned")
    day_text = rows.first.locator("td").first.inner_text()
    journey.shot("plan-one-preview")
    _create_planned(page, 1)
    expect(_session_row(page, day_text)).to_contain_text("0/")
    journey.shot("planned-one")
    return day, day_text


def center_admin_plans_a_series(journey: Journey, after: date) -> list[str]:
    """Tuesdays and Thursdays for three weeks: the preview says which dates are refused
    and why (holidays, the testledare's other sessions); "Skapa N pass" makes the rest."""
    page = journey.page
    page.get_by_role("navigation", name="Testcentret").get_by_role(
        "link", name="Planera pass"
    ).click()
    monday = after + timedelta(days=7 - after.weekday())
    _fill_plan(page, monday, weeks=3, weekdays=("tisdag", "torsdag"))
    rows = _preview_rows(page)
    expect(rows).to_have_count(6)
    good = rows.filter(has_text="Kan skapas")
    days = [row.locator("td").first.inner_text() for row in good.all()]
    assert len(days) >= 2, rows.all_inner_texts()
    for row in rows.filter(has_text="Nekas").all():
        assert len(row.inner_text()) > len("Nekas") + 20, row.inner_text()  # says why
    journey.shot("plan-series-preview")
    _create_planned(page, len(days))
    for day_text in days:
        expect(_session_row(page, day_text)).to_contain_text("Planerat")
    journey.shot("planned-series")
    return days


def _manage(page: Page, day_text: str) -> None:
    center_page(page, "Pass")
    _session_row(page, day_text).get_by_role("link", name="Flytta eller ställ in").click()
    expect(heading(page)).to_have_text(PLAN_MODEL)
    expect(page.locator("main")).to_contain_text(day_text)


def center_admin_moves_a_session(journey: Journey, day_text: str) -> None:
    """The single session moves to 11.00 the same day (it takes five hours; 17.00 closes)."""
    page = journey.page
    _manage(page, day_text)
    move = page.get_by_role("region", name="Flytta eller byt testledare")
    move.get_by_label("Ny starttid", exact=True).fill("11:00")
    journey.shot("move-session")
    move.get_by_role("button", name="Flytta passet").click()
    expect(flash(page)).to_contain_text("Passet är flyttat.")
    expect(_session_row(page, day_text)).to_contain_text("kl. 11.00")
    journey.shot("moved-session")


def center_admin_cancels_a_session(journey: Journey, day_text: str) -> None:
    page = journey.page
    _manage(page, day_text)
    cancel = page.get_by_role("region", name="Ställ in passet")
    cancel.get_by_label(re.compile("^Anledning")).fill("Testledaren är sjuk.")
    journey.shot("cancel-session")
    cancel.get_by_role("button", name="Ställ in").click()
    expect(flash(page)).to_contain_text("Passet är inställt")
    expect(_session_row(page, day_text)).to_contain_text("Inställt")
    journey.shot("cancelled-session")


def center_admin_closes_a_day_with_a_session(journey: Journey, day: date, day_text: str) -> None:
    """A closure over a planned session: the page lists it and asks; the admin cancels it
    with the closure."""
    page = journey.page
    center_page(page, "Stängda dagar")
    expect(heading(page)).to_have_text("Stängda dagar: Komvux Luleå teknikcentrum")
    page.get_by_label("Första dagen", exact=True).fill(day.isoformat())
    page.get_by_label("Anledning", exact=True).fill(CLOSURE_REASON)
    journey.shot("closure-form")
    page.get_by_role("button", name="Lägg till").click()
    expect(heading(page)).to_have_text("Planerade pass på de stängda dagarna")
    expect(page.get_by_role("row").filter(has_text=day_text)).to_contain_text(PLAN_MODEL)
    journey.shot("closure-asks")
    # Our session, and any other the center has that day (a model on other workstations).
    cancel = page.get_by_role("button", name=re.compile(r"^Ställ in \d+ pass och spara"))
    count = re.search(r"\d+", cancel.inner_text())[0]
    cancel.click()
    expect(flash(page)).to_contain_text(f"Stängningen är sparad och {count} pass är inställ")
    expect(page.get_by_role("row").filter(has_text=CLOSURE_REASON)).to_be_visible()
    journey.shot("closure-saved")
    center_page(page, "Pass")
    expect(_session_row(page, day_text)).to_contain_text("Inställt")


def center_admin_reads_the_capacity(journey: Journey, planned: date) -> None:
    """The weeks ahead: sessions, seats and workstation hours; the week of the session
    planned first counts it, and the closure is named on its week."""
    page = journey.page
    center_page(page, "Kapacitet")
    expect(heading(page)).to_have_text("Kapacitet: Komvux Luleå teknikcentrum")
    if not page.get_by_role("row").filter(has_text=CLOSURE_REASON).count():
        page.get_by_role("link", name="Visa 26 veckor").click()
    closed = page.get_by_role("row").filter(has_text=CLOSURE_REASON)
    expect(closed).to_have_count(1)
    expect(closed.get_by_role("rowheader")).to_have_text(re.compile(r"^vecka \d+"))
    assert page.get_by_role("rowheader").count() >= 8
    year, number, _day = planned.isocalendar()
    week = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile(rf"^vecka {number}( {year})?$"))
    )
    sessions, seats = (week.get_by_role("cell").nth(i).inner_text() for i in (0, 1))
    assert int(sessions) >= 1 and not seats.startswith("0 "), week.inner_text()
    journey.shot("capacity")


def test_center_admin_plans_closes_moves_cancels_and_reads_capacity(demo, browser):
    journey = Journey(browser, demo, "center-admin", DESKTOP)
    sign_in(journey, "center_admin")
    day, one = center_admin_plans_one_session(journey)
    series = center_admin_plans_a_series(journey, day)
    center_admin_moves_a_session(journey, one)
    center_admin_cancels_a_session(journey, series[-1])
    center_admin_closes_a_day_with_a_session(journey, _iso_day(series[0]), series[0])
    center_admin_reads_the_capacity(journey, day)
    journey.close()


# --- the project admin ----------------------------------------------------------

TARGET_SCOPE = "Norrbottens län, Stål"
NEW_TARGET = 320
GRANTEE = "Mona Lindahl"  # a demo testledare, authorised for Industriteknik and Underhåll BAS
GRANT_MODEL = "Automation BAS"


def project_admin_reads_the_dashboard(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("link", name="Rapporter").click()
    expect(heading(page)).to_have_text("Rapporter")
    goals = page.get_by_role("region", name="Mål och utfall: Industrivalidering Norr")
    employees = goals.get_by_role("row", name=re.compile(f"^{TARGET_SCOPE}: anställda"))
    expect(employees.get_by_role("cell").first).to_have_text("300")
    expect(employees.get_by_role("progressbar").first).to_have_accessible_name(
        re.compile(r"^\d+ av 300$")
    )
    journey.shot("dashboard")


def project_admin_changes_a_target(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("link", name="Ändra projekt och mål").click()
    expect(heading(page)).to_have_text("Projekt och mål: Industrivalidering Norr")
    target = page.locator("form").filter(has=page.get_by_role("heading", name=TARGET_SCOPE))
    target.get_by_label("Anställda", exact=True).fill(str(NEW_TARGET))
    journey.shot("target-form")
    target.get_by_role("button", name="Spara målet").click()
    expect(flash(page)).to_contain_text("Målet är sparat.")
    page.get_by_role("link", name="Till rapporterna").click()
    goals = page.get_by_role("region", name="Mål och utfall: Industrivalidering Norr")
    employees = goals.get_by_role("row", name=re.compile(f"^{TARGET_SCOPE}: anställda"))
    expect(employees.get_by_role("cell").first).to_have_text(str(NEW_TARGET))
    expect(employees.get_by_role("progressbar").first).to_have_accessible_name(
        re.compile(rf"^\d+ av {NEW_TARGET}$")
    )
    journey.shot("target-changed")


def project_admin_downloads_the_targets(journey: Journey) -> None:
    """The targets as CSV (semicolons, UTF-8 with a BOM for Excel), with the new target."""
    page = journey.page
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner målen som CSV").click()
    assert download.value.suggested_filename == "targets.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Län", "Bransch", "Mål företag"], rows[0]
    assert "Mål anställda" in rows[0], rows[0]
    county, industry = TARGET_SCOPE.split(", ")
    row = next(r for r in rows[1:] if r[:2] == [county, industry])
    assert row[rows[0].index("Mål anställda")] == str(NEW_TARGET), row


def project_admin_grants_an_authorisation(journey: Journey) -> None:
    """A year's authorisation for Automation BAS, from today, for a testledare."""
    page = journey.page
    page.get_by_role("link", name="Personer").click()
    expect(heading(page)).to_have_text("Personer")
    page.get_by_label("Namn eller e-postadress").fill(GRANTEE)
    page.get_by_role("button", name="Sök").click()
    page.get_by_role("link", name=f"Behörigheter {GRANTEE}").click()
    expect(heading(page)).to_have_text(f"Testledare: {GRANTEE}")
    grants = page.get_by_role("region", name="Behörigheter").first
    expect(grants.get_by_role("row").filter(has_text=GRANT_MODEL)).to_have_count(0)
    today = local_date(utcnow())
    grants.get_by_label("Validering", exact=True).select_option(label=GRANT_MODEL)
    grants.get_by_label("Gäller från", exact=True).fill(today.isoformat())
    grants.get_by_label("Gäller till och med", exact=True).fill(
        (today + timedelta(days=365)).isoformat()
    )
    journey.shot("authorisation-form")
    grants.get_by_role("button", name="Lägg till behörighet").click()
    expect(flash(page)).to_contain_text("Behörigheten är sparad.")
    row = page.get_by_role("row").filter(has_text=GRANT_MODEL)
    expect(row).to_have_count(1)
    expect(row.get_by_role("button", name=f"Ta bort {GRANT_MODEL}")).to_be_visible()
    journey.shot("authorisation-granted")


def project_admin_reads_the_audit_log(journey: Journey) -> None:
    """The log as sentences; filtered to authorisations, the grant just made is there."""
    page = journey.page
    page.get_by_role("link", name="Ändringslogg").click()
    expect(heading(page)).to_have_text("Ändringslogg")
    entries = page.get_by_role("region", name="Ändringslogg").locator("tbody tr")
    expect(entries.first).to_be_visible()
    assert entries.count() > 10
    journey.shot("audit-log")
    page.get_by_label("Typ av ändring").select_option(label="Testledares behörighet")
    page.get_by_role("button", name="Visa").click()
    grant = entries.filter(has_text=GRANTEE).filter(has_text=GRANT_MODEL)
    expect(grant).to_have_count(1)
    expect(grant).to_contain_text("Pia Projektledare")
    journey.shot("audit-log-authorisations")


def test_project_admin_changes_a_target_exports_grants_and_reads_the_log(demo, browser):
    journey = Journey(browser, demo, "project-admin", DESKTOP)
    sign_in(journey, "project_admin")
    project_admin_reads_the_dashboard(journey)
    project_admin_changes_a_target(journey)
    project_admin_downloads_the_targets(journey)
    project_admin_grants_an_authorisation(journey)
    project_admin_reads_the_audit_log(journey)
    journey.close()
