"""The benchmark's data set obeys the booking rules, and its sign-ins are accepted.

No timing here: this keeps `bench/` working when the schema changes.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Company, Person
from app.bookings.models import SEAT_STATUSES, Booking
from app.calendar.feeds import ensure_feed_token
from app.centers.models import TestCenter
from app.db import utcnow
from app.extensions import db
from app.projects.models import FundingProject, ProjectCompany, ProjectTarget
from app.regions.models import County, Municipality
from app.schedule.models import ValidationSession
from app.timeutil import local_date
from bench.dataset import NORTHERN_COUNTIES, build, national, proportions
from bench.scenarios import (
    FORM,
    USER_AGENT,
    _web_booking,
    check_seats,
    dashboard_figures,
    dashboard_seats,
    feed_events,
    searchers,
    signed_in,
)


def test_the_data_set_keeps_seat_counts_and_queues_and_can_be_booked(app, database_url):
    data = build(database_url, 300, burst_seats=3)

    assert data.counts["bookings"] == 300
    assert data.counts["employees"] == proportions(300)["employees"]
    # In the north whatever regions the database knows, every company in the regional project.
    with app.app_context():
        counties = db.session.scalars(
            select(County.code)
            .join(Municipality, Municipality.county_id == County.id)
            .where(
                Municipality.id.in_(select(TestCenter.municipality_id))
                | Municipality.id.in_(select(Company.municipality_id))
            )
        ).all()
        assert set(counties) <= set(NORTHERN_COUNTIES)
        regional = db.session.scalar(select(func.min(FundingProject.id)))
        taking_part = db.session.scalars(
            select(ProjectCompany.company_id).where(ProjectCompany.project_id == regional)
        ).all()
        assert (
            sorted(taking_part) == db.session.scalars(select(Company.id).order_by(Company.id)).all()
        )
    with app.app_context():
        held = dict(
            db.session.execute(
                select(Booking.session_id, func.count())
                .where(Booking.status.in_(SEAT_STATUSES))
                .group_by(Booking.session_id)
            ).all()
        )
        for session_id, seats, taken in db.session.execute(
            select(ValidationSession.id, ValidationSession.seats, ValidationSession.seats_taken)
        ):
            assert taken == held.get(session_id, 0) <= seats
        session_ids = db.session.scalars(select(ValidationSession.id)).all()

    # A person signed in by the benchmark books through the real form, twice over:
    # the new rows get ids after the loaded ones (PostgreSQL's sequences were moved).
    # The POST is the benchmark's own prepared request (bench/scenarios.py), sent as it
    # is: that request, not a page's form, is what this test checks.
    fixtures = data.fixtures
    client = app.test_client()
    for person_id in fixtures.employees[:4]:
        cookie, csrf = signed_in(app, [person_id])[person_id]
        request = _web_booking(fixtures.web_burst, cookie, csrf)
        client.set_cookie("session", cookie)
        answer = client.post(
            request.path,
            data=request.body,
            headers={"Content-Type": FORM, "User-Agent": USER_AGENT},
        )
        assert answer.status_code == 302 and answer.location.endswith("/bookings")
    check = check_seats(app, fixtures.web_burst)
    assert check.ok and (check.holding_seat, check.waitlisted) == (3, 1)
    assert fixtures.web_burst in session_ids

    # "A feed of 1,000 events" serves 1,000: every one inside the feed's window.
    with app.app_context():
        tokens = {
            events: ensure_feed_token(db.session.get(Person, pid))
            for events, pid in fixtures.feed_people.items()
        }
        db.session.commit()
    for events, token in tokens.items():
        served, what = feed_events([client.get(f"/calendar/feed/{token}.ics").data], events)
        assert served, what

    # The dashboard's heatmap adds up to the seats booked in its weeks, as counted apart.
    cookie, _csrf = signed_in(app, [fixtures.project_admin])[fixtures.project_admin]
    client.set_cookie("session", cookie)
    page = client.get("/reports/", headers={"User-Agent": USER_AGENT})
    served, what = dashboard_figures([page.data], dashboard_seats(app))
    assert page.status_code == 200 and served and dashboard_seats(app) > 0, what


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_national_data_set_spans_the_country_and_ten_years(app, database_url):
    """A tenth of the national set: its proportions, its ten years, its projects."""
    shape = national(0.1)
    data = build(database_url, shape, burst_seats=3)

    assert data.counts["bookings"] == 3000
    assert (data.counts["centers"], data.counts["companies"]) == (15, 100)
    assert (data.counts["employees"], data.counts["assessors"]) == (2000, 30)
    today = local_date(utcnow())
    # Ten years of sessions with bookings, three months of them still to come.
    assert today - data.first_day >= timedelta(days=9 * 365 + 270)
    assert timedelta(days=60) <= data.last_day - today <= timedelta(days=90)
    assert "over 10 years" in data.label
    with app.app_context():
        municipalities = db.session.scalar(select(func.count(Municipality.id)))
        assert data.counts["municipalities"] == municipalities
        places = db.session.scalars(select(Company.municipality_id).distinct()).all()
        # Companies spread over every municipality (100 companies: as many as there are).
        assert len(places) == min(municipalities, 100)
        center_places = db.session.scalars(select(TestCenter.municipality_id)).all()
        assert len(set(center_places)) == len(center_places) == 15  # one in each place
        # Every company takes part in the projects of its county, each project's counties
        # those of its targets.
        counties = dict(
            db.session.execute(
                select(Company.id, Municipality.county_id).join(
                    Municipality, Company.municipality_id == Municipality.id
                )
            ).all()
        )
        project_counties: dict[int, set[int]] = {}
        for project_id, county_id in db.session.execute(
            select(ProjectTarget.project_id, ProjectTarget.county_id)
        ):
            project_counties.setdefault(project_id, set()).add(county_id)
        expected = {
            (project_id, company_id)
            for company_id, county_id in counties.items()
            for project_id, covered in project_counties.items()
            if county_id in covered
        }
        taking_part = set(
            db.session.execute(select(ProjectCompany.project_id, ProjectCompany.company_id))
        )
        assert taking_part == expected and len(taking_part) == data.counts["project_companies"]
        assert data.counts["funding_projects"] == len(project_counties)
        if municipalities == 290:  # all of Sweden (migration 0126)
            assert len(project_counties) == 5
    # The signed-in search scenario finds people whose default search has sessions.
    people, what = searchers(app, data.fixtures.employees, 20)
    assert people and "employees of" in what
