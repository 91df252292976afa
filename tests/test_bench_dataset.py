"""The benchmark's data set obeys the booking rules, and its sign-ins are accepted.

No timing here: this keeps `bench/` working when the schema changes.
"""

from sqlalchemy import func, select

from app.accounts.models import Person
from app.bookings.models import SEAT_STATUSES, Booking
from app.calendar.feeds import ensure_feed_token
from app.extensions import db
from app.schedule.models import ValidationSession
from bench.dataset import build, proportions
from bench.scenarios import (
    FORM,
    USER_AGENT,
    _web_booking,
    check_seats,
    dashboard_figures,
    dashboard_seats,
    feed_events,
    signed_in,
)


def test_the_data_set_keeps_seat_counts_and_queues_and_can_be_booked(app, database_url):
    data = build(database_url, 300, burst_seats=3)

    assert data.counts["bookings"] == 300
    assert data.counts["employees"] == proportions(300)["employees"]
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
