"""The session page and the confirmation: arrival, what to bring, map, accessibility,
travel time, and Add to Google Calendar / Outlook beside the .ics download."""

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.calendar import links
from app.centers.models import TestCenter
from app.extensions import db
from app.schedule.models import ValidationSession
from app.timeutil import local_to_utc, to_local
from tests.forms import page_form

GOOGLE_LINK = re.compile(r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)"')
OUTLOOK_LINK = re.compile(
    r'href="(https://outlook\.office\.com/calendar/0/deeplink/compose\?[^"]+)"'
)


def _session(app, make, town="Luleå", accessibility=None, **kwargs):
    with app.app_context():
        center = make.center(municipality=town)
        center.latitude, center.longitude = 65.58415, 22.15465
        center.accessibility = accessibility
        db.session.commit()
        session = make.session(center=center, **kwargs)
        return session.id, center.id


def _employee(app, make, auth, town="Gällivare"):
    with app.app_context():
        email = make.employee(company=make.company(municipality=town)).email
    auth.login(email)
    return email


def _book(client, session_id):
    form = page_form(client, f"/sessions/{session_id}", action=f"/sessions/{session_id}/book")
    return form.submit()


def _utc(session_id):
    session = db.session.get(ValidationSession, session_id)
    return session.starts_at.astimezone(UTC), session.ends_at.astimezone(UTC)


def _google_times(url):
    query = parse_qs(urlsplit(url).query)
    start, end = query["dates"][0].split("/")
    parse = lambda text: datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)  # noqa: E731
    return parse(start), parse(end), query


def _outlook_times(url):
    query = parse_qs(urlsplit(url).query)
    parse = lambda text: datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)  # noqa: E731
    return parse(query["startdt"][0]), parse(query["enddt"][0]), query


def test_the_session_page_says_when_to_arrive_what_to_bring_and_where(app, client, make, auth):
    session_id, _center = _session(
        app, make, accessibility="Entré utan trappsteg från parkeringen.\nHörslinga i sal 2."
    )
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    with app.app_context():
        starts = db.session.get(ValidationSession, session_id).starts_at
    arrive = to_local(starts - timedelta(minutes=15)).strftime("%H.%M")
    assert "Inför provet" in html
    assert f"{arrive}, 15 minuter före start, för incheckning" in html
    assert "legitimation med foto, skyddsskor" in html  # WHAT_TO_BRING
    assert (
        'href="https://www.openstreetmap.org/?mlat=65.58415&amp;mlon=22.15465'
        '#map=16/65.58415/22.15465"' in html
    )
    assert "Entré utan trappsteg från parkeringen.\nHörslinga i sal 2." in html
    # A visitor has no place, so no travel time; nor calendar links without a seat.
    assert "Restid" not in html
    assert "Lägg till i Google Kalender" not in html and "Lägg till i Outlook" not in html

    # The setting moves the clock time.
    app.config["ARRIVE_MINUTES_BEFORE"] = 30
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    arrive = to_local(starts - timedelta(minutes=30)).strftime("%H.%M")
    assert f"{arrive}, 30 minuter före start, för incheckning" in html


def test_no_accessibility_text_no_heading_and_a_center_without_coordinates_uses_the_seat(
    app, client, make
):
    session_id, center_id = _session(app, make, town="Kiruna")
    with app.app_context():
        center = db.session.get(TestCenter, center_id)
        center.latitude = center.longitude = None
        db.session.commit()
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Tillgänglighet" not in html
    assert "?mlat=67.85572&amp;mlon=20.22513#map=16/67.85572/20.22513" in html  # Kiruna's seat


def test_a_signed_in_employee_sees_the_travel_time_from_their_place(app, client, make, auth):
    session_id, _center = _session(app, make)  # Luleå
    _employee(app, make, auth, town="Gällivare")
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "≈ 3 h 15 min från Gällivare" in html  # 185 km: the estimate
    with app.app_context():
        boden = make.municipality("Boden").id
    page_form(client, "/account", action="/account/place").fill(municipality=str(boden)).submit()
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "≈ 40 min från Boden" in html
    # A center in their own town is "in" it, as the search and Boka flera say.
    with app.app_context():
        luleå = make.municipality("Luleå").id
    page_form(client, "/account", action="/account/place").fill(municipality=str(luleå)).submit()
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "<dd>i Luleå</dd>" in html and "≈ 0 min" not in html


def test_after_booking_the_seat_has_calendar_links_with_the_sessions_times(app, client, make, auth):
    session_id, _center = _session(app, make)
    _employee(app, make, auth)
    booked = _book(client, session_id)
    assert booked.status_code == 302 and booked.location.endswith("/bookings")
    with app.app_context():
        starts, ends = _utc(session_id)
        booking_id = db.session.scalar(select(Booking.id).where(Booking.session_id == session_id))

    # The confirmation (Mina bokningar) and the session page both offer the three.
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Du har fått en plats" in mine
    arrive = to_local(starts - timedelta(minutes=15)).strftime("%H.%M")
    assert f"Kom senast {arrive} för incheckning." in mine
    assert "Ta med till provet: legitimation med foto" in mine
    assert "https://www.openstreetmap.org/?mlat=65.58415" in mine
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    for html in (mine, page):
        assert f'href="/calendar/bookings/{booking_id}.ics" download' in html
        (google,) = GOOGLE_LINK.findall(html)
        (outlook,) = OUTLOOK_LINK.findall(html)
        g_start, g_end, g_query = _google_times(unescape(google))
        o_start, o_end, o_query = _outlook_times(unescape(outlook))
        assert (g_start, g_end) == (o_start, o_end) == (starts, ends)
        assert g_query["action"] == ["TEMPLATE"] and g_query["text"] == ["Industriteknik BAS"]
        assert o_query["path"] == ["/calendar/action/compose"] and o_query["rru"] == ["addevent"]
        assert o_query["subject"] == ["Industriteknik BAS"]
        for query, key in ((g_query, "details"), (o_query, "body")):
            assert f"/bookings/{booking_id}/cancel" in query[key][0]
            assert "Ta med: legitimation med foto" in query[key][0]
        assert g_query["location"] == o_query["location"]
        assert g_query["location"][0].endswith("972 31 Luleå")
    # The .ics download is still there and works.
    assert client.get(f"/calendar/bookings/{booking_id}.ics").status_code == 200


def test_links_made_after_the_cancel_deadline_name_the_center_not_a_dead_link(
    app, client, make, auth
):
    """Booked 30 hours ahead (the deadline is 48): the Google and Outlook links, made as
    the page is shown, say whom to ask, as the invite does, not a cancel link that refuses."""
    session_id, _center = _session(app, make, starts_in=timedelta(hours=30))
    _employee(app, make, auth)
    assert _book(client, session_id).status_code == 302
    mine = client.get("/bookings").get_data(as_text=True)
    (google,) = GOOGLE_LINK.findall(mine)
    (outlook,) = OUTLOOK_LINK.findall(mine)
    for query, key in (
        (_google_times(unescape(google))[2], "details"),
        (_outlook_times(unescape(outlook))[2], "body"),
    ):
        text = query[key][0]
        assert "Kontakta testcentret" in text and "/cancel" not in text


def test_calendar_urls_are_utc_and_encoded_across_daylight_saving_changes(app, make):
    with app.app_context():
        center = make.center()
        # 08:00 in Stockholm on each side of both changes of 2027 (28 March, 31 October).
        days = [date(2027, 3, 26), date(2027, 3, 30), date(2027, 10, 29), date(2027, 11, 2)]
        sessions = [make.session(center=center, local_day=d, local_time=time(8)) for d in days]
        with app.test_request_context():
            found = []
            for session in sessions:
                google, outlook = links.google_calendar_url(session), links.outlook_url(session)
                assert "+" not in urlsplit(google).query and "+" not in urlsplit(outlook).query
                g_start, g_end, g_query = _google_times(google)
                o_start, o_end, _o = _outlook_times(outlook)
                assert (g_start, g_end) == (o_start, o_end)
                assert g_end - g_start == session.model.duration
                assert g_query["location"][0] == (
                    f"{center.name}, {center.street_address}, 972 31 Luleå"
                )
                found.append(g_start)
    assert found == [
        datetime(2027, 3, 26, 7, tzinfo=UTC),  # CET, UTC+1
        datetime(2027, 3, 30, 6, tzinfo=UTC),  # CEST, UTC+2
        datetime(2027, 10, 29, 6, tzinfo=UTC),  # CEST
        datetime(2027, 11, 2, 7, tzinfo=UTC),  # CET again
    ]
    assert found[1] == local_to_utc(date(2027, 3, 30), time(8))


def test_a_waitlisted_or_cancelled_seat_gets_no_calendar_links(app, client, make, auth):
    session_id, _center = _session(app, make, seats=1)
    with app.app_context():
        first = make.employee()
        book_seat(session_id, employee=first, actor=first)
    _employee(app, make, auth)
    assert _book(client, session_id).status_code == 302  # the waitlist
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "<strong>I kö</strong>" in html
    assert "Lägg till i Google Kalender" not in html and "Lägg i kalendern (.ics)" not in html


def test_the_center_admin_keeps_the_coordinates_and_accessibility(app, client, make, center_admin):
    cid = center_admin["center"]
    page = f"/centers/{cid}/admin"
    form = page_form(client, page, field="latitude")
    for latitude, longitude, message in [
        ("norr", "20,9", "Ange ett tal i grader, till exempel 65,5841."),
        ("nan", "20.9", "Ange ett tal i grader, till exempel 65,5841."),
        ("inf", "20.9", "Ange ett tal i grader, till exempel 65,5841."),
        ("95", "20.9", "Ange ett tal mellan -90 och 90."),
        ("64.75", "200", "Ange ett tal mellan -180 och 180."),
        ("64.75", "", "Ange både latitud och longitud, eller ingen av dem."),
    ]:
        bad = form.copy().fill(latitude=latitude, longitude=longitude).submit()
        html = bad.get_data(as_text=True)
        assert bad.status_code == 400, (latitude, longitude)
        assert message in html, (latitude, longitude)
        # What was typed stays in the form.
        assert f'value="{latitude}"' in html
    too_long = form.copy().fill(accessibility="x" * 2001).submit()
    assert too_long.status_code == 400 and "Högst 2000 tecken." in too_long.get_data(as_text=True)

    saved = form.fill(
        latitude="64,75067", longitude=" 20.95279 ", accessibility="Hiss till plan 2."
    ).submit()
    assert saved.status_code == 302
    with app.app_context():
        center = db.session.get(TestCenter, cid)
        assert (center.latitude, center.longitude) == (64.75067, 20.95279)
        assert center.accessibility == "Hiss till plan 2."
        session_id = make.session(center=center).id
    again = page_form(client, page, field="latitude")
    assert again.controls["latitude"].values == ["64.75067"]
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "mlat=64.75067&amp;mlon=20.95279" in html and "Hiss till plan 2." in html

    # Emptied: no accessibility text, and the municipality's seat for the map.
    assert form.fill(latitude="", longitude="", accessibility="  ").submit().status_code == 302
    with app.app_context():
        center = db.session.get(TestCenter, cid)
        assert center.latitude is None and center.accessibility is None
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Tillgänglighet" not in html and "mlat=64.75067&amp;mlon=20.95279" in html


def test_the_practical_details_in_english(app, client, make, auth):
    session_id, _center = _session(app, make, accessibility="Step-free entrance.")
    _employee(app, make, auth)
    page_form(client, "/", action="/language").submit("language=en")
    _book(client, session_id)
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Before the test" in html and "minutes before the start, to check in" in html
    assert "Add to Google Calendar" in html and "Add to Outlook" in html
    assert "Show on map" in html and "from Gällivare" in html
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Arrive by" in mine and "Bring to the test:" in mine


def test_a_cancelled_session_shows_no_practical_details(app, client, make):
    session_id, _center = _session(app, make, status="cancelled")
    html = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Passet är inställt." in html and "Inför provet" not in html
