"""Issue 18 items 2 and 6: interest matches by travel time, and may name a whole family.

Through the pages a person uses (tests/forms.py) and the API; both databases.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app.accounts import privacy
from app.accounts.models import Person
from app.bookings.models import Interest
from app.bookings.services import book_seat
from app.extensions import db
from app.schedule.models import ModelFamily
from tests.calendars import parse_mail
from tests.forms import page_form
from tests.test_interest import _notices, _plan, _tuesday_ahead


@pytest.fixture
def near(app, make):
    """An employee of a company in Boden; centers in Luleå (about 40 min, the estimate),
    Gällivare (about 3 h 10 min) and Kiruna (over 4 h); a center admin of all three."""
    with app.app_context():
        from app.accounts.models import RoleGrant
        from app.centers.models import CenterWorkstation

        company = make.company(municipality="Boden")
        employee = make.employee(company, name="Britt Boden")
        centers = {
            name: make.center(name=f"{name} center", municipality=name)
            for name in ("Luleå", "Gällivare", "Kiruna")
        }
        admin = make.person(("center_admin",), center=centers["Luleå"])
        for name in ("Gällivare", "Kiruna"):
            make._save(
                RoleGrant(person_id=admin.id, role="center_admin", center_id=centers[name].id)
            )
        models = {code: make.model(code) for code in ("svets-vit", "svets-bla")}
        for center in centers.values():  # welding booths beside the computers
            center.workstations.append(
                CenterWorkstation(kind=models["svets-vit"].workstation_kind, count=6)
            )
        db.session.commit()
        assessors = {code: make.assessor(m).id for code, m in models.items()}
        return {
            "email": employee.email,
            "employee": employee.id,
            "admin": admin.email,
            "centers": {name: c.id for name, c in centers.items()},
            "models": {code: m.id for code, m in models.items()},
            "assessors": assessors,
            "boden": make.municipality("Boden").id,
        }


def _register(client, **values):
    form = page_form(client, "/interest", button="Anmäl intresse")
    return form.fill(**values).submit()


def test_interest_matches_sessions_within_its_travel_time(app, client, auth, near):
    auth.login(near["email"])
    form = page_form(client, "/interest", button="Anmäl intresse")
    assert form.value("reach") == "120"
    assert form.options("reach") == ["60", "120", "180", "240", "0"]
    day = _tuesday_ahead(21)
    answer = form.fill(
        model=near["models"]["svets-vit"], to_date=(day + timedelta(days=30)).isoformat()
    ).submit()
    assert answer.status_code == 302
    auth.logout()
    auth.login(near["admin"])
    vit, assessor = near["models"]["svets-vit"], near["assessors"]["svets-vit"]
    _plan(client, near["centers"]["Gällivare"], vit, assessor, day, 1)
    assert _notices(app) == [], "Gällivare is beyond 2 h of Boden"
    _plan(client, near["centers"]["Luleå"], vit, assessor, day + timedelta(days=7), 1)
    (notice,) = _notices(app)
    text = parse_mail(notice.raw).get_body(("plain",)).get_content()
    # The notice says how far the session is, as the search's cards do.
    assert re.search(r"Restid: ≈ \d+ min från Boden\.", text), text


def test_a_wider_reach_and_a_whole_family(app, client, auth, near):
    auth.login(near["email"])
    form = page_form(client, "/interest", button="Anmäl intresse")
    assert "family:svets" in form.options("model")
    day = _tuesday_ahead(21)
    answer = form.fill(
        model="family:svets", reach=240, to_date=(day + timedelta(days=30)).isoformat()
    ).submit(follow_redirects=True)
    assert "Svets, alla nivåer" in answer.get_data(as_text=True)
    with app.app_context():
        (interest,) = db.session.scalars(select(Interest)).all()
        family = db.session.scalar(select(ModelFamily).where(ModelFamily.code == "svets"))
        assert (interest.model_id, interest.family_id, interest.max_minutes) == (
            None,
            family.id,
            240,
        )
        exported = privacy.export(db.session.get(Person, near["employee"]))
        assert exported["interest"][0]["family"] == "Svets"
        assert exported["interest"][0]["max_minutes"] == 240
    auth.logout()
    auth.login(near["admin"])
    # The planners' table names the family.
    plan = client.get(f"/centers/{near['centers']['Luleå']}/plan").get_data(as_text=True)
    section = plan.split('id="interest-demand-heading"', 1)[1]
    assert "Svets, alla nivåer" in section and "Boden" in section
    bla, assessor = near["models"]["svets-bla"], near["assessors"]["svets-bla"]
    _plan(client, near["centers"]["Kiruna"], bla, assessor, day, 1)
    assert _notices(app) == [], "Kiruna is beyond 4 h of Boden"
    _plan(client, near["centers"]["Gällivare"], bla, assessor, day + timedelta(days=7), 1)
    assert len(_notices(app)) == 1, "any level of the family, within 4 h"
    # A seat on any level ends it.
    with app.app_context():
        from app.schedule.models import ValidationSession

        session = db.session.scalar(
            select(ValidationSession).where(
                ValidationSession.center_id == near["centers"]["Gällivare"]
            )
        )
        person = db.session.get(Person, near["employee"])
        book_seat(session.id, person, person)
        assert db.session.scalar(select(Interest.end_reason)) == "booked"


def test_the_api_takes_a_family_and_a_reach(app, make, api, near):
    with app.app_context():
        family = db.session.scalar(select(ModelFamily).where(ModelFamily.code == "svets"))
        call = api(db.session.get(Person, near["employee"]))
        from app.bookings.interest import today

        body = {
            "family_id": family.id,
            "max_minutes": 180,
            "from_date": today().isoformat(),
            "to_date": (today() + timedelta(days=40)).isoformat(),
        }
        made = call("POST", "/interests", json=body)
        assert made.status_code == 201, made.get_json()
        got = made.get_json()
        assert (got["model_id"], got["family"], got["max_minutes"]) == (None, "Svets", 180)
        both = call("POST", "/interests", json={**body, "model_id": near["models"]["svets-vit"]})
        assert both.status_code in (400, 422), both.get_json()
        odd = call("POST", "/interests", json={**body, "max_minutes": 75})
        assert odd.status_code in (400, 422), odd.get_json()


def test_nothing_found_for_a_family_offers_interest_in_the_family(client, auth, near):
    auth.login(near["email"])
    form = page_form(client, "/", action="/", field="origin")
    empty = form.fill(model="family:svets").submit()
    link = re.search(r'href="(/interest\?[^"]*)"', empty.get_data(as_text=True))
    interest = page_form(client, unescape(link[1]), button="Anmäl intresse")
    assert interest.value("model") == "family:svets"
