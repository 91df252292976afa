"""A group booking racing single bookings for the same seats (issue 19, item 2).

Threads against a real server (tests/live.py), each request with its own database
connection, on SQLite and PostgreSQL: the coordinator's confirmation and eight
people's booking forms, each read from its page and then sent at the same instant.
"""

import pytest
import requests
from sqlalchemy import select

from app.bookings.models import Booking
from app.extensions import db
from app.schedule.models import ValidationSession
from tests.factories import PASSWORD
from tests.forms import forms_in, pick_form
from tests.live import serving
from tests.test_booking_race import _press_together
from tests.test_bulk_booking import _live, _plain


@pytest.fixture
def server(app):
    """The app on a loopback port, a thread per request, each with its own connection."""
    with serving(app) as base:
        yield base


def test_a_group_booking_racing_single_bookings_oversells_nothing(app, make, server):
    """Through a real server: a coordinator confirms six people over two sessions
    (4 + 2) at the instant eight others book the same seats one by one."""
    with app.app_context():
        company = make.company(municipality="Boden")
        model = make.model()
        first = make.session(seats=4, center=make.center(municipality="Boden"), model=model)
        second = make.session(seats=3, center=make.center(municipality="Luleå"), model=model)
        group = [make.employee(company, name=f"Grupp {n}").id for n in range(6)]
        coordinator = make.person(("coordinator",), company=company).email
        singles = [(make.employee().email, s.id) for s in (first, second) for _n in range(4)]
        sessions, model_id = (first.id, second.id), model.id

    browser = _signed_in(server, coordinator)
    browsers = [browser]
    query = "&".join(f"employees={i}" for i in group)
    page = browser.get(f"{server}/company/book?model={model_id}&{query}&show=1", timeout=60)
    confirm = pick_form(forms_in(page.text, "/company/book"), button="Boka alla")
    assert confirm.value("plan") == f"{sessions[0]}:4,{sessions[1]}:2"
    jobs = [lambda: browser.post(f"{server}{confirm.action}", data=confirm.data(), timeout=120)]
    for email, session_id in singles:
        person = _signed_in(server, email)
        browsers.append(person)
        path = f"/sessions/{session_id}"
        form = pick_form(
            forms_in(person.get(f"{server}{path}", timeout=60).text, path), action=f"{path}/book"
        )
        jobs.append(
            lambda p=person, f=form: p.post(
                f"{server}{f.action}", data=f.data(), allow_redirects=False, timeout=120
            )
        )

    answers = _press_together(jobs)
    for browser in browsers:  # idle keep-alive connections would hold the server's shutdown
        browser.close()

    assert [getattr(a, "status_code", a) for a in answers] == [200] + [302] * len(singles)
    shown = _plain(answers[0].text)
    with app.app_context():
        for session_id in sessions:
            session = db.session.get(ValidationSession, session_id)
            rows = _live(session_id)
            confirmed = [e for e, s in rows if s == "confirmed"]
            assert len(confirmed) == session.seats_taken == session.seats  # full, not oversold
            queued = db.session.scalars(
                select(Booking.waitlist_number).where(
                    Booking.session_id == session_id, Booking.status == "waitlisted"
                )
            ).all()
            assert len(rows) == len(confirmed) + len(queued)
            assert sorted(queued) == list(range(1, len(queued) + 1))
        # Each of the six has one live booking, as the result page says.
        mine = db.session.execute(
            select(Booking.employee_id, Booking.status).where(Booking.employee_id.in_(group))
        ).all()
    assert sorted(e for e, _s in mine) == sorted(group)
    seated = sum(s == "confirmed" for _e, s in mine)
    assert f"Fick plats: {seated}" in shown and f"I kö: {6 - seated}" in shown
    assert "Inte bokade: 0" in shown


def _signed_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    login = pick_form(
        forms_in(browser.get(f"{base}/login", timeout=60).text, "/login"), field="email"
    )
    login.fill(email=email, password=PASSWORD)
    browser.post(f"{base}{login.action}", data=login.data(), allow_redirects=False, timeout=60)
    return browser
