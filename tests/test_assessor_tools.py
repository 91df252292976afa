"""The testledare at a session and in their schedule (issue 19, items 5 and 6).

Done when: a testledare checks in 12 people and records results for all of them with
approve-all in under 30 actions. Every action here is a click a person makes: a ticked
checkbox or a pressed button, each submitting the form the page rendered.
"""

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app import create_app
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.db import utcnow
from app.extensions import db
from app.results.models import AreaOutcome
from app.results.services import model_areas
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, Factory
from tests.forms import form_of, page_form
from tests.live import chromium, serving


def _session_with(make, names, started_ago=timedelta(minutes=20), **kwargs):
    session = make.session(seats=len(names), starts_at=utcnow() - started_ago, **kwargs)
    booked_at = session.starts_at - timedelta(days=3)
    bookings = [
        book_seat(session.id, p, p, now=booked_at)
        for p in (make.employee(name=name) for name in names)
    ]
    return session, bookings


def test_twelve_checked_in_and_approved_in_under_thirty_clicks(app, client, auth, make):
    names = [f"Deltagare {chr(ord('A') + i)}" for i in range(12)]
    with app.app_context():
        session, bookings = _session_with(make, names)
        session_id, email = session.id, session.assessor.email
        ids = [b.id for b in bookings]
        areas = len(model_areas(session.model_id))
    auth.login(email)
    clicks = 0
    listing = f"/sessions/{session_id}/participants"
    ticked = page_form(client, listing, button="Checka in alla närvarande")
    ticked.set("booking", [str(i) for i in ids])
    clicks += len(ids)  # one tick per person
    answer = ticked.submit("Checka in alla närvarande", follow_redirects=True)
    clicks += 1
    assert "12 deltagare är incheckade." in answer.get_data(as_text=True)
    for name in names:
        # Each row's approve-all; the list comes back at the row (#p-<id>).
        answer = form_of(answer, client, button=f"Godkänn alla områden {name}").submit(
            f"Godkänn alla områden {name}"
        )
        clicks += 1
        assert answer.status_code == 302 and re.search(r"#p-\d+$", answer.headers["Location"])
        answer = client.get(answer.headers["Location"])
    assert clicks < 30, clicks
    # With results recorded, the rows offer no "Uteblev", which would only be refused.
    page = client.get(listing).get_data(as_text=True)
    assert '>Uteblev<span class="visually-hidden">' not in page
    with app.app_context():
        statuses = db.session.scalars(select(Booking.status).where(Booking.id.in_(ids))).all()
        approved = db.session.scalar(
            select(func.count(AreaOutcome.id)).where(
                AreaOutcome.booking_id.in_(ids), AreaOutcome.result == "approved"
            )
        )
    assert set(statuses) == {"attended"} and approved == 12 * areas
    intyg = client.get(f"/bookings/{ids[0]}/intyg").get_data(as_text=True)
    assert "data-print" in intyg and "Skriv ut intyget" in intyg


def test_undo_a_check_in_mark_the_rest_absent_and_exceptions(app, client, auth, make):
    with app.app_context():
        session, bookings = _session_with(make, ["Ada Ek", "Bo Ek", "Cia Ek"])
        session_id, email = session.id, session.assessor.email
        ada, bo, cia = (b.id for b in bookings)
        areas = [a.id for a in model_areas(session.model_id)]
        _, (elsewhere,) = _session_with(make, ["Dan Ek"], assessor=session.assessor)
        elsewhere = elsewhere.id
    auth.login(email)
    listing = f"/sessions/{session_id}/participants"
    # A booking of another session, slipped into the ticks, checks nobody in.
    tampered = page_form(client, listing, button="Checka in alla närvarande")
    tampered.set("booking", [str(ada), str(elsewhere)], tamper=True)
    assert tampered.submit("Checka in alla närvarande").status_code == 404
    checked = page_form(client, listing, button="Checka in Ada Ek").submit("Checka in Ada Ek")
    assert checked.headers["Location"].endswith(f"{listing}#p-{ada}")
    # The page's script asks for the row alone, and puts it in place of the old one.
    row = page_form(client, listing, button="Ångra incheckning Ada Ek").submit(
        "Ångra incheckning Ada Ek", headers={"X-Row-Update": "1"}
    )
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and html.lstrip().startswith(f'<tr id="p-{ada}"')
    assert "Incheckningen av Ada Ek är ångrad" in html and "Checka in" in html
    page_form(client, listing, button="Checka in Bo Ek").submit("Checka in Bo Ek")

    question = client.get(listing).get_data(as_text=True)
    assert "Markera övriga som frånvarande" in question
    confirm = page_form(client, f"/sessions/{session_id}/absent", button="Ja, markera")
    assert "Ada Ek" in client.get(confirm.page_url).get_data(as_text=True)
    done = confirm.submit(follow_redirects=True)
    assert "2 deltagare är markerade som frånvarande." in done.get_data(as_text=True)

    # Bo has one exception: approve all but the last area, with training proposed.
    outcome = page_form(client, f"/bookings/{bo}/outcome", button="Spara resultat")
    # Refusals open on the page's error summary, which leads to the area they are about.
    unanswered = outcome.submit("Spara resultat").get_data(as_text=True)
    assert unanswered.startswith("<!doctype html>") and "<title>Fel: Resultat" in unanswered
    assert f'<a href="#area-{areas[0]}-approved">' in unanswered
    outcome.set(f"area-{areas[-1]}", "not_yet")
    untrained = outcome.submit("Godkänn övriga områden och spara")
    assert untrained.status_code == 400
    assert f'<a href="#training-{areas[-1]}">' in untrained.get_data(as_text=True)
    outcome.set(f"training-{areas[-1]}", "Kurs i mätteknik")
    assert outcome.submit("Godkänn övriga områden och spara").status_code == 302
    with app.app_context():
        status = dict(db.session.execute(select(Booking.id, Booking.status)).all())
        results = dict(
            db.session.execute(
                select(AreaOutcome.area_id, AreaOutcome.result).where(AreaOutcome.booking_id == bo)
            ).all()
        )
    assert (status[ada], status[bo], status[cia]) == ("no_show", "attended", "no_show")
    assert status[elsewhere] == "confirmed"
    assert results == {**dict.fromkeys(areas[:-1], "approved"), areas[-1]: "not_yet"}


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_week_or_month_that_does_not_exist_is_said_not_swapped_for_this_one(
    client, auth, make, app
):
    """?week=2027-W53 showed this week's heading as if it were asked for; a bad week, a
    bad date and a month out of the years now all say what is wrong (400), on the page
    with its jump form, and 2026 still has its week 53."""
    with app.app_context():
        email = make.assessor(make.model()).email
    auth.login(email)
    for week, message in (
        ("2027-W53", "År 2027 har veckorna 1–52."),
        ("2027-W00", "År 2027 har veckorna 1–52."),
        ("abc", "Ange veckan som ÅÅÅÅ-Wvv, till exempel 2027-W10."),
        ("9999-W01", "Välj en vecka mellan år 2000 och 2100."),
    ):
        refused = client.get(f"/schedule/?week={week}")
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400, week
        assert message in _summary(html) and "<title>Fel: Mitt schema" in html, week
    # The page is still there to use: its jump form goes on to a week that exists.
    jump = form_of(refused, client, field="date", method="get").fill(date="2026-12-31")
    assert "Mitt schema, vecka 53</h1>" in jump.submit().get_data(as_text=True)
    assert "Mitt schema, vecka 53</h1>" in client.get("/schedule/?week=2026-W53").get_data(
        as_text=True
    )
    bad_date = client.get("/schedule/?date=abc").get_data(as_text=True)
    assert '<a href="#jump-date">Gå till datum: Ange datumet som ÅÅÅÅ-MM-DD' in _summary(bad_date)
    far = client.get("/schedule/month?month=9999-12")
    assert far.status_code == 400
    assert "Välj en månad mellan år 2000 och 2100." in _summary(far.get_data(as_text=True))


def test_month_week_and_jump_to_a_date(app, client, auth, make):
    day = date(2030, 9, 4)  # a Wednesday, week 36
    with app.app_context():
        mine = make.session(local_day=day, local_time=time(12, 30))
        assessor = mine.assessor
        make.session(local_day=day + timedelta(days=20), local_time=time(8, 0), assessor=assessor)
        make.session(local_day=day + timedelta(days=1))  # another testledare's
        email, duration, mine_id = assessor.email, mine.ends_at - mine.starts_at, mine.id
    auth.login(email)
    month = client.get("/schedule/month?month=2030-09").get_data(as_text=True)
    assert month.count('class="session') == 2 and "2 pass" in month
    assert "12.30–" in month and f"/sessions/{mine_id}/participants" in month
    jumped = client.get("/schedule/month?date=2030-10-02").get_data(as_text=True)
    assert "oktober 2030" in jumped and 'class="session' not in jumped
    assert client.get("/schedule/month?date=2030-13-01").status_code == 400
    assert client.get("/schedule/?date=0001-01-01").status_code == 400
    assert client.get("/schedule/?week=0001-W01").status_code == 400
    assert client.get("/schedule/month?month=junk").status_code == 400

    week = page_form(client, "/schedule/", field="date", method="get").fill(date="2030-09-06")
    html = week.submit().get_data(as_text=True)
    assert "vecka 36" in html
    # The axis starts at 08: 12.30 is row 18 (4 rows an hour), and a 3-hour pass spans 12.
    quarters = duration // timedelta(minutes=15)
    assert f"card q-from-18 q-span-{quarters}" in html
    assert '<span class="hour q-from-16 q-span-4" aria-hidden="true">12</span>' in html
    assert "12.30–" in html  # the times as text, for everyone


def test_in_chromium_a_row_checks_in_without_reload_and_the_keyboard_approves_all(
    _sqlite_databases, tmp_path
):
    """With the page's own script (under its Content-Security-Policy)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": _sqlite_databases.create(tmp_path)})
    with app.app_context():
        session, (ada, _bo) = _session_with(Factory(), ["Ada Ek", "Bo Ek"])
        session_id, ada_id, email = session.id, ada.id, session.assessor.email
        db.session.remove()
    with serving(app) as base, chromium() as browser:
        page = browser.new_context(locale="sv-SE").new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base}/login")
        page.get_by_label("E-postadress", exact=True).fill(email)
        page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{base}/sessions/{session_id}/participants")
        page.evaluate("window.notReloaded = true")
        page.get_by_role("button", name="Checka in Ada Ek").click()
        row = page.locator(f"#p-{ada_id}")
        expect(row).to_contain_text("incheckad")
        expect(page.get_by_role("status").filter(has_text="Ada Ek är incheckad")).to_have_count(1)
        assert page.evaluate("window.notReloaded") is True
        # The keyboard stays in the row: its first button now has focus.
        assert page.evaluate("document.activeElement.closest('tr').id") == f"p-{ada_id}"

        page.goto(f"{base}/bookings/{ada_id}/outcome")
        for _ in range(40):  # Tab from the top of the page to the button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == (
                "Godkänn alla områden"
            ):
                break
        else:
            raise AssertionError("Tab never reaches Godkänn alla områden")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/sessions/{session_id}/participants#p-{ada_id}")
        expect(page.locator(f"#p-{ada_id}")).to_contain_text("Intyg")
