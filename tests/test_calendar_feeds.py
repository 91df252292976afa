"""Subscription feeds, downloads and the outbox viewer, as a calendar client and a
person in a browser meet them."""

import re
import sqlite3
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import event

from app.accounts.models import Person
from app.bookings.services import book_seat, cancel_booking, move_booking
from app.bookings.session_changes import cancel_session
from app.cache import SizedLRU
from app.calendar import feed_texts
from app.calendar.feeds import ensure_feed_token, personal_events
from app.calendar.ics import calendar_bytes
from app.centers.models import TestCenter
from app.db import utcnow
from app.extensions import db
from app.querycount import count_queries
from tests.calendars import as_read, read_everywhere
from tests.forms import page_form


def _feed_url(client) -> str:
    page = client.get("/calendar/").get_data(as_text=True)
    match = re.search(r'value="(http://localhost/calendar/feed/[^"]+\.ics)"', page)
    assert match, "the page shows the feed address"
    assert "webcal://localhost/calendar/feed/" in page
    return match.group(1).removeprefix("http://localhost")


@pytest.fixture
def booked(app, make, auth):
    with app.app_context():
        employee = make.employee()
        session = make.session()
        gone = make.session(starts_in=timedelta(days=20))
        book_seat(session.id, employee, employee)
        cancel_booking(book_seat(gone.id, employee, employee).id, employee)
        ids = employee.email, session.id, gone.id
    auth.login(ids[0])
    return ids


def test_a_personal_feed_is_a_calendar_clients_subscribe_to(client, booked):
    url = _feed_url(client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 22  # at least 128 random bits, base64url
    client.get("/logout")

    response = client.get(url)  # no sign-in: the calendar app has only the URL
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"]
    calendar = icalendar.Calendar.from_ical(response.data)
    assert "METHOD" not in calendar
    assert calendar["X-WR-CALNAME"]
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"].to_ical().decode()).startswith("P")
    statuses = sorted(str(e["STATUS"]) for e in calendar.walk("VEVENT"))
    assert statuses == ["CANCELLED", "CONFIRMED"]
    assert "ORGANIZER" not in response.get_data(as_text=True)
    # The cancelled seat's event says so; only the live one tells how to cancel it.
    described = {str(e["STATUS"]): str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")}
    assert "Din plats är avbokad." in described["CANCELLED"]
    assert "Avboka senast" not in described["CANCELLED"] and "/cancel" not in described["CANCELLED"]
    assert "Avboka senast" in described["CONFIRMED"]


def test_an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(app, client, booked):
    email, session_id, _gone = booked
    url = _feed_url(client)
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url).data == first.data  # the same bytes each time

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304

    with app.app_context():
        from app.accounts.services import find_by_email
        from app.bookings.models import Booking

        employee = find_by_email(email)
        booking = db.session.scalar(
            db.select(Booking).where(Booking.session_id == session_id, Booking.employee == employee)
        )
        cancel_booking(booking.id, employee)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    statuses = [str(e["STATUS"]) for e in icalendar.Calendar.from_ical(changed.data).walk("VEVENT")]
    assert statuses == ["CANCELLED", "CANCELLED"]


def test_a_poll_that_changes_nothing_is_answered_before_flask(app, client, booked):
    """app/calendar/revalidate.py answers the 304 the view would give, before Flask."""
    url = _feed_url(client)
    client.get("/logout")
    first = client.get(url)
    etag = first.headers["ETag"]
    with app.app_context():
        engine = db.engine
    seen_by_flask = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen_by_flask.append(1))
    with count_queries(engine) as counter:
        answer = client.get(url, headers={"If-None-Match": etag})
        head = client.head(url, headers={"If-None-Match": f'"other", {etag}'})
    assert (answer.status_code, head.status_code) == (304, 304)
    # The middleware asks the driver directly (one SELECT): neither the view's ORM
    # statements nor any of Flask's request handling ran.
    assert counter.count == 0, str(counter)
    assert seen_by_flask == []
    assert answer.data == b"" and "Set-Cookie" not in answer.headers
    assert answer.headers["ETag"] == etag
    assert answer.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert answer.headers["Cache-Control"] == "private, no-cache"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    # Anything else is Flask's: a stale or odd tag, or none, gets the whole feed.
    for headers in ({"If-None-Match": '"stale"'}, {"If-None-Match": "junk, ,"}, {}):
        full = client.get(url, headers=headers)
        assert full.status_code == 200 and full.headers["ETag"] == etag
    assert len(seen_by_flask) == 3
    assert (
        client.get(
            "/calendar/feed/" + "x" * 43 + ".ics", headers={"If-None-Match": etag}
        ).status_code
        == 404
    )


def _lookup_connections(app):
    middleware = app.wsgi_app
    while not hasattr(middleware, "_connections"):
        middleware = middleware.app
    return middleware._connections


def test_a_poll_on_a_broken_connection_is_answered_by_flask_and_the_next_reconnects(
    app, client, booked
):
    """A database restart breaks the thread's lookup connection: no error, no stale 304."""
    url = _feed_url(client)
    client.get("/logout")
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    connections = _lookup_connections(app)
    (driver,) = connections._open
    driver.close()  # as a restarted server would leave it

    seen_by_flask = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen_by_flask.append(1))
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 304 and answer.headers["ETag"] == etag  # the view's answer
    assert seen_by_flask == [1]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert seen_by_flask == [1]  # answered early again, on a new connection
    (renewed,) = connections._open
    assert renewed is not driver


def test_the_lookup_connections_close_with_the_engine(app, client, booked):
    url = _feed_url(client)
    client.get("/logout")
    etag = client.get(url).headers["ETag"]
    client.get(url, headers={"If-None-Match": etag})
    connections = _lookup_connections(app)
    (driver,) = connections._open
    with app.app_context():
        db.engine.dispose()
    assert connections._open == set()
    if hasattr(driver, "closed"):  # psycopg
        assert driver.closed
    else:  # sqlite3 says so when it is used
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            driver.execute("SELECT 1")


def test_the_feed_validator_changes_with_the_day_the_language_and_the_token(app):
    from datetime import UTC, datetime

    from app.calendar.feeds import personal_feed_validator

    morning = datetime(2027, 3, 2, 6, 0, tzinfo=UTC)
    with app.app_context():
        same = personal_feed_validator(7, "tok", "sv", None, morning)
        assert same == personal_feed_validator(7, "tok", "sv", None, morning + timedelta(hours=15))
        # 23:30 UTC is already the next day in Stockholm: past events may leave the feed.
        assert same != personal_feed_validator(
            7, "tok", "sv", None, morning + timedelta(hours=17.5)
        )
        assert same != personal_feed_validator(7, "tok", "en", None, morning)
        assert same != personal_feed_validator(7, "new", "sv", None, morning)
        assert same != personal_feed_validator(7, "tok", "sv", morning, morning)
        assert same.etag.endswith("-sv")


def test_resetting_the_link_kills_the_old_one_at_once(client, booked):
    old = _feed_url(client)
    reset = page_form(client, "/calendar/", action="/calendar/reset")
    response = reset.copy().submit()
    assert response.status_code == 302
    new = _feed_url(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert reset.remove("csrf_token").submit().status_code == 400  # no CSRF token


def test_a_moved_seat_is_one_event_in_the_feed_at_its_new_time(app, make):
    """The move keeps the seat's UID, so the feed must not also list the old booking
    under it: two VEVENTs with one UID leave the client to pick one, and picking the
    old, cancelled one removes the seat the employee still holds."""
    with app.app_context():
        model, center = make.model(), make.center()
        old, new = (
            make.session(model=model, center=center, starts_in=timedelta(days=d)) for d in (10, 12)
        )
        employee = make.employee()
        booking = book_seat(old.id, employee, employee)
        moved = move_booking(booking.id, new.id, employee)
        token = ensure_feed_token(employee)
        uid = f"seat-{booking.id}@{app.config['CALENDAR_UID_DOMAIN']}"
        expected = [(uid, 1, "CONFIRMED", new.starts_at, new.ends_at)]
        assert moved.id != booking.id
    body = app.test_client().get(f"/calendar/feed/{token}.ics").data
    for seen in read_everywhere(body)[0].values():
        assert as_read(seen) == ({None}, expected)


def test_a_center_feed_is_public_and_names_nobody(app, client, make):
    with app.app_context():
        session = make.session()
        employee = make.employee()
        book_seat(session.id, employee, employee)
        last_seat = make.session(
            center=session.center, model=session.model, seats=2, starts_in=timedelta(days=15)
        )
        other = make.employee()
        book_seat(last_seat.id, other, other)
        session_ids, model = [session.id, last_seat.id], session.model.name
        left = [(s.id, s.seats_left) for s in (session, last_seat)]
        center_id, names = session.center_id, [employee.name, employee.email]
        names += [session.assessor.name, session.assessor.email]
    response = client.get(f"/calendar/centers/{center_id}.ics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    summaries = [
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    ]
    seats_left = {session_id: seats for session_id, seats in left}
    assert summaries == [
        f"{model} ({seats_left[session_ids[0]]} lediga platser)",
        f"{model} (1 ledig plats)",
    ]
    for name in names:
        assert name not in text
    assert client.get("/calendar/centers/999999.ics").status_code == 404
    # A cancelled session advertises no seats.
    with app.app_context():
        admin = make.person(("center_admin",), center=db.session.get(TestCenter, center_id))
        cancel_session(session_ids[1], admin, "Vattenskada")
    cancelled = icalendar.Calendar.from_ical(client.get(f"/calendar/centers/{center_id}.ics").data)
    said = {str(e["STATUS"]): str(e["SUMMARY"]) for e in cancelled.walk("VEVENT")}
    assert said["CANCELLED"] == f"{model} (inställt)"


def test_building_a_feed_takes_the_same_queries_for_5_or_50_events(app, make):
    with app.app_context():
        model = make.model()
        few, many = make.assessor(model), make.assessor(model)
        center = make.center()
        for assessor, count in ((few, 5), (many, 50)):
            for n in range(count):
                make.session(
                    model=model, center=center, assessor=assessor, starts_in=timedelta(days=n + 1)
                )
        counts = []
        for assessor in (few, many):
            statements = []

            def listener(*args, bucket=statements):
                bucket.append(args[2])

            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                db.session.expire_all()
                assert len(personal_events(assessor)) in (5, 50)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            counts.append(sum(s.lstrip().upper().startswith("SELECT") for s in statements))
        assert counts[0] == counts[1]


def test_a_single_event_downloads_for_its_owner_only(app, client, make, auth):
    with app.app_context():
        company = make.company()
        employee, stranger = make.employee(company=company), make.employee()
        coordinator = make.person(("coordinator",), company=company)
        session = make.session()
        booking = book_seat(session.id, employee, employee)
        ids = booking.id, session.id, employee.email, stranger.email, coordinator.email
        assessor_email = session.assessor.email
    booking_id, session_id, owner, other, coordinator = ids
    url = f"/calendar/bookings/{booking_id}.ics"
    assert client.get(url).status_code == 302  # sign in first
    for email, status in ((owner, 200), (coordinator, 200), (other, 404)):
        auth.login(email)
        response = client.get(url)
        assert response.status_code == status, email
        auth.logout()
    auth.login(owner)
    assert f'href="{url}"' in client.get("/bookings").get_data(as_text=True)
    response = client.get(url)
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    assert client.get(f"/calendar/sessions/{session_id}.ics").status_code == 404
    auth.logout()
    auth.login(assessor_email)
    download = f"/calendar/sessions/{session_id}.ics"
    assert download in client.get("/schedule/list").get_data(as_text=True)
    assert client.get(download).status_code == 200


def test_staff_read_the_outbox_in_the_browser_when_it_is_switched_on(app, client, make, auth):
    with app.app_context():
        admin = make.person(("project_admin",))
        employee = make.employee()
        book_seat(make.session().id, employee, employee)
        emails = admin.email, employee.email
    auth.login(emails[1])
    assert client.get("/calendar/outbox").status_code in (403, 404)
    auth.logout()
    auth.login(emails[0])
    assert client.get("/calendar/outbox").status_code == 404  # off unless configured
    app.config["OUTBOX_VIEWER"] = True
    listing = client.get("/calendar/outbox").get_data(as_text=True)
    assert emails[1] in listing and "Bokningsbekräftelse" in listing
    message_url = re.search(r'href="(/calendar/outbox/\d+)"', listing).group(1)
    detail = client.get(message_url).get_data(as_text=True)
    assert "text/calendar" in detail and "METHOD:REQUEST" in detail
    raw = client.get(message_url + ".eml")
    assert raw.mimetype == "message/rfc822" and b"multipart/mixed" in raw.data
    auth.logout()
    auth.login(emails[1])
    assert client.get("/calendar/outbox").status_code == 403


def test_built_feeds_are_kept_within_their_byte_budget():
    cache = SizedLRU(budget_bytes=10)
    cache.put("a", b"12345")
    cache.put("b", b"12345")
    assert cache.get("a") == b"12345"  # a is now the most recently used
    cache.put("c", b"123")
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None


def test_a_feed_joins_stored_event_texts_that_follow_every_change(app, make, monkeypatch):
    """Each entry keeps its event's VEVENT text: the feed is the same bytes as one built
    anew, builds no event while nothing changed, and builds again what a change touched,
    also a change the entry does not see (the center's phone number)."""
    app.config["FEED_CACHE_BYTES"] = 0  # no built feed kept: every request writes one
    with app.app_context():
        center = make.center()
        employee = make.employee()
        seats = [
            book_seat(
                make.session(center=center, starts_in=timedelta(days=d)).id, employee, employee
            )
            for d in (3, 4)
        ]
        token, ids = ensure_feed_token(employee), (employee.id, center.id, seats[0].id)
    client = app.test_client()

    def feed_and_built_anew() -> tuple[bytes, bytes]:
        body = client.get(f"/calendar/feed/{token}.ics").data
        name = str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"])
        refresh = timedelta(minutes=app.config["FEED_REFRESH_MINUTES"])
        with app.app_context():
            person = db.session.get(Person, ids[0])
            return body, calendar_bytes(personal_events(person), name=name, refresh=refresh)

    first, anew = feed_and_built_anew()
    assert first == anew and first.count(b"BEGIN:VEVENT") == 2
    with monkeypatch.context() as patched:
        patched.setattr(feed_texts, "some_personal_events", None)  # would fail if called
        assert feed_and_built_anew()[0] == first
    with app.app_context():
        db.session.get(TestCenter, ids[1]).contact_phone = "0920-999 99"
        db.session.commit()
        cancel_booking(ids[2], db.session.get(Person, ids[0]))
    changed, anew = feed_and_built_anew()
    assert changed == anew and b"0920-999 99" in changed and b"STATUS:CANCELLED" in changed


def test_a_new_language_is_a_change_for_clients_that_ask_by_date(app, client, booked):
    """A client polling with If-Modified-Since alone got 304 after the person chose
    English, and kept the Swedish feed: the choice moves Last-Modified too."""
    email, _session_id, _gone = booked
    url = _feed_url(client)
    with app.app_context():
        from app.calendar.models import CalendarEntry

        person = db.session.scalar(db.select(Person).where(Person.email == email))
        # Told an hour ago, not this very second: HTTP dates have whole seconds.
        db.session.execute(
            db.update(CalendarEntry)
            .where(CalendarEntry.person_id == person.id)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    first = client.get(url)
    modified = first.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304

    switch = page_form(client, "/calendar/", action="/language")
    assert switch.submit(button="English").status_code == 303
    again = client.get(url, headers={"If-Modified-Since": modified})
    assert again.status_code == 200
    assert again.headers["Last-Modified"] != modified
    assert b"SUMMARY:Validation: " in again.data and b"Validering" not in again.data
    # And once more in the same language: nothing changed, nothing to fetch.
    assert (
        client.get(url, headers={"If-Modified-Since": again.headers["Last-Modified"]}).status_code
        == 304
    )
