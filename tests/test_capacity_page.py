"""The capacity page says once which weekdays the center is always closed, instead of
repeating "Stängt den veckodagen" for every Saturday and Sunday."""

from datetime import date

from app.bookings.capacity import closed_weekdays, weekly_capacity
from app.centers.models import CenterClosure, TestCenter
from app.extensions import db


def _center(app, make, auth):
    with app.app_context():
        center = make.center(name="Boden yrkescenter", municipality="Boden")  # Mon-Fri
        admin = make.person(("center_admin",), center=center)
        auth.login(admin.email)
        return center.id


def test_closed_weekdays_are_said_once_not_per_week(app, client, make, auth):
    cid = _center(app, make, auth)
    html = client.get(f"/centers/{cid}/capacity?from=2027-12-20&weeks=8").get_data(as_text=True)
    assert "ingen öppettid den veckodagen" not in html
    assert html.count("Stängt varje lördag och söndag") == 1
    # Holidays are still named on their week, a Saturday's too (Juldagen and
    # Nyårsdagen fall on Saturdays): a Sunday is not named for being a Sunday.
    assert "Julafton" in html and "Trettondedag jul" in html
    table = html.split("<tbody>", 1)[1]
    assert "lördag 25 december Juldagen" in table and "lördag 1 januari Nyårsdagen" in table
    assert "söndag 26 december Annandag jul" in table
    assert table.count("lördag") == 2 and table.count("söndag") == 1


def test_a_weekend_day_opened_on_purpose_shows_as_open(app, client, make, auth):
    cid = _center(app, make, auth)
    with app.app_context():
        db.session.add(
            CenterClosure(
                center_id=cid,
                first_day=date(2027, 9, 18),  # a Saturday
                last_day=date(2027, 9, 18),
                reason="Öppet hus",
                open_anyway=True,
            )
        )
        db.session.commit()
        center = db.session.get(TestCenter, cid)
        assert closed_weekdays(center) == [5, 6]
        (week,) = weekly_capacity(center, date(2027, 9, 13), 1)
        assert week.closed_days == [] and week.opened_days == [date(2027, 9, 18)]
    html = client.get(f"/centers/{cid}/capacity?from=2027-09-13&weeks=1").get_data(as_text=True)
    assert "lördag 18 september öppet" in html


def test_english_says_it_once_too(app, client, make, auth):
    cid = _center(app, make, auth)
    html = client.get(
        f"/centers/{cid}/capacity?weeks=4", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert html.count("Closed every Saturday and Sunday") == 1


def test_a_day_no_week_can_be_counted_from_shows_the_coming_weeks(app, client, make, auth):
    """A hand-made link's year 9999 or 0001 (the page has no date field): the coming
    weeks, as for a date that does not parse, not a 500."""
    cid = _center(app, make, auth)
    for day in ("9999-12-27", "0001-01-01", "not-a-day"):
        page = client.get(f"/centers/{cid}/capacity?from={day}&weeks=26")
        assert page.status_code == 200 and "Stängt varje lördag och söndag" in page.get_data(
            as_text=True
        )


def test_holidays_are_named_in_the_readers_language(app, client, make, auth):
    cid = _center(app, make, auth)
    english = client.get(
        f"/centers/{cid}/capacity?from=2027-12-20&weeks=2", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Christmas Day" in english and "Juldagen" not in english
    swedish = client.get(f"/centers/{cid}/capacity?from=2027-12-20&weeks=2").get_data(as_text=True)
    assert "Juldagen" in swedish and "Christmas Day" not in swedish
