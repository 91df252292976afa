"""Every booking and schedule change reaches the calendars concerned, as iTIP
(RFC 5546) in iMIP mail (RFC 6047), and nobody else's."""

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest

from app.bookings.services import book_seat, cancel_booking, move_booking
from app.bookings.session_changes import cancel_session, move_session
from app.calendar.feeds import ensure_feed_token
from app.calendar.models import CalendarEntry
from app.calendar.reminders import queue_reminders
from app.centers.models import TestCenter as Center
from app.db import utcnow
from app.extensions import db
from app.formatting import time_span
from app.schedule.planning import create_sessions
from tests.calendars import (
    PARSERS,
    as_read,
    calendar_part,
    invite_of,
    last_id,
    outbox,
    parse_mail,
    read_everywhere,
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _event(row):
    calendar = icalendar.Calendar.from_ical(invite_of(row))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _to(rows, person):
    return [row for row in rows if row.recipient == person.email]


def test_a_booking_sends_an_invite_a_client_can_apply(ctx, make):
    session = make.session()
    employee = make.employee()
    before = utcnow()
    booking = book_seat(session.id, employee, employee)

    (row,) = outbox()
    assert row.recipient == employee.email
    message = parse_mail(row.raw)
    # multipart/mixed: the alternatives (text, HTML, calendar) and the .ics attachment.
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename().endswith(".ics")
    assert attachment.get_content() == invite_of(row)

    calendar, event = _event(row)
    assert calendar["METHOD"] == "REQUEST"
    assert "METHOD" not in event
    assert event["UID"].startswith(f"seat-{booking.id}@")
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTAMP") >= before.replace(microsecond=0)
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["ORGANIZER"]) == f"mailto:{session.center.contact_email}"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{employee.email}"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"
    assert session.center.street_address in str(event["LOCATION"])
    description = str(event["DESCRIPTION"])
    assert "legitimation" in description and "Avboka" in description
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert event.decoded("DTSTART").astimezone(UTC) == session.starts_at
    assert event.decoded("DTEND").astimezone(UTC) == session.ends_at

    text = message.get_body(("plain",)).get_content()
    assert "kl. 08.00–" in text and session.model.name in text
    assert message["Reply-To"] == session.center.contact_email


def test_cancelling_sends_cancel_with_the_same_uid_to_that_employee_only(ctx, make):
    session = make.session()
    anna, bo = make.employee(), make.employee()
    booking = book_seat(session.id, anna, anna)
    book_seat(session.id, bo, bo)
    (first, _bo_invite) = outbox()
    mark = last_id()

    cancel_booking(booking.id, anna)

    (row,) = outbox(mark)  # nothing for Bo, nothing for the testledare
    assert row.recipient == anna.email
    assert calendar_part(parse_mail(row.raw)).get_param("method") == "CANCEL"
    calendar, event = _event(row)
    _, original = _event(first)
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == original["UID"]
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"


def test_the_first_in_the_queue_is_promoted_and_invited(ctx, make):
    session = make.session(seats=1)
    anna, bo = make.employee(), make.employee()
    first = book_seat(session.id, anna, anna)
    queued = book_seat(session.id, bo, bo)
    waiting = _to(outbox(), bo)
    assert len(waiting) == 1 and calendar_part(parse_mail(waiting[0].raw)) is None
    assert "kö" in waiting[0].subject
    mark = last_id()

    cancel_booking(first.id, anna)

    rows = outbox(mark)
    assert {r.recipient for r in rows} == {anna.email, bo.email}
    (promoted,) = _to(rows, bo)
    calendar, event = _event(promoted)
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"].startswith(f"seat-{queued.id}@")
    assert event["SEQUENCE"] == 0
    assert "plats" in promoted.subject


def test_a_move_keeps_the_uid_and_raises_sequence_each_time(ctx, make):
    model = make.model()
    center = make.center()
    sessions = [
        make.session(model=model, center=center, starts_in=timedelta(days=d)) for d in (10, 12, 14)
    ]
    employee = make.employee()
    booking = book_seat(sessions[0].id, employee, employee)
    _, original = _event(outbox()[0])

    moved = move_booking(booking.id, sessions[1].id, employee)
    moved = move_booking(moved.id, sessions[2].id, employee)
    cancel_booking(moved.id, employee)

    rows = outbox()[1:]
    assert len(rows) == 3
    seen = [_event(row) for row in rows]
    assert [str(c["METHOD"]) for c, _e in seen] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(e["UID"]) for _c, e in seen} == {str(original["UID"])}
    assert [e["SEQUENCE"] for _c, e in seen] == [1, 2, 3]
    assert seen[1][1].decoded("DTSTART").astimezone(UTC) == sessions[2].starts_at
    # Each move's mail says the time the seat had, as a session moved by the center does.
    first_move = parse_mail(rows[0].raw).get_body(("plain",)).get_content()
    had = time_span(sessions[0].starts_at, sessions[0].ends_at)
    assert f"(tidigare {had})" in first_move


@pytest.fixture
def planned(ctx, make):
    center = make.center(computers=10)
    model = make.model()
    assessor = make.assessor(model)
    admin = make.person(("center_admin",), center=center)
    (session,), _ = create_sessions(
        center.id, model.id, assessor.id, [date(2027, 9, 14)], time(8), admin
    )
    return session, assessor, admin


def test_the_testledare_gets_their_own_event_and_loses_it_on_reassignment(planned, make):
    session, assessor, admin = planned
    (row,) = outbox()
    assert row.recipient == assessor.email
    _, event = _event(row)
    assert event["ATTENDEE"].params["ROLE"] == "CHAIR"
    employee = make.employee()
    book_seat(session.id, employee, employee, now=session.starts_at - timedelta(days=20))
    # A participant's booking changes nothing the testledare sees.
    assert [r.recipient for r in outbox(row.id)] == [employee.email]

    other = make.assessor(session.model)
    mark = last_id()
    move_session(session.id, date(2027, 9, 14), time(8), admin, assessor_id=other.id)
    rows = outbox(mark)
    (gone,) = _to(rows, assessor)
    (new,) = _to(rows, other)
    assert _event(gone)[0]["METHOD"] == "CANCEL"
    assert _event(gone)[1]["UID"] == event["UID"]
    assert _event(new)[0]["METHOD"] == "REQUEST"
    assert _event(new)[1]["UID"] != event["UID"]
    # The time did not change, so the employee's event did not either.
    assert not _to(rows, employee)
    # Given back to the first testledare: to them it is a new session again.
    mark = last_id()
    move_session(session.id, date(2027, 9, 14), time(8), admin, assessor_id=assessor.id)
    (back,) = _to(outbox(mark), assessor)
    assert back.kind == "assigned" and _event(back)[0]["METHOD"] == "REQUEST"
    move_session(session.id, date(2027, 9, 14), time(8), admin, assessor_id=other.id)

    # Later changes are the new testledare's and the participant's: the one who left
    # was told once, not again with each new time.
    mark = last_id()
    move_session(session.id, date(2027, 9, 21), time(9), admin)
    cancel_session(session.id, admin, "Lokalen är inte tillgänglig")
    rows = outbox(mark)
    assert not _to(rows, assessor)
    assert [r.kind for r in _to(rows, other)] == ["session_changed", "session_cancelled"]


def test_moving_a_session_updates_everyone_booked_and_the_testledare(planned, make):
    session, assessor, admin = planned
    booked_at = session.starts_at - timedelta(days=20)
    people = [make.employee() for _ in range(3)]
    for person in people:
        book_seat(session.id, person, person, now=booked_at)
    mark = last_id()

    move_session(session.id, date(2027, 9, 15), time(9), admin)

    rows = outbox(mark)
    assert sorted(r.recipient for r in rows) == sorted([assessor.email] + [p.email for p in people])
    for row in rows:
        calendar, event = _event(row)
        assert calendar["METHOD"] == "REQUEST"
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 9, 15, 7, tzinfo=UTC)
        # The mail says the time it had, so nobody has to remember it.
        text = parse_mail(row.raw).get_body(("plain",)).get_content()
        now_and_then = (
            "onsdag 15 september 2027, kl. 09.00–12.00 "
            "(tidigare tisdag 14 september 2027, kl. 08.00–11.00)"
        )
        assert now_and_then in text


def test_moving_a_session_tells_its_queue_the_new_time(planned, make):
    """The queue has no event, but a seat given to them later would be at the new time:
    each waiting person gets a plain mail with both times; a new testledare alone
    (the same time) tells them nothing."""
    session, assessor, admin = planned
    booked_at = session.starts_at - timedelta(days=20)
    session.seats = 1
    db.session.commit()
    seated, queued = make.employee(), make.employee()
    book_seat(session.id, seated, seated, now=booked_at)
    book_seat(session.id, queued, queued, now=booked_at)
    # One computer at the center: the new time has one seat, so the queue stays.
    for workstations in db.session.get(Center, session.center_id).workstations:
        workstations.count = 1
    db.session.commit()
    mark = last_id()

    move_session(session.id, date(2027, 9, 15), time(9), admin)

    rows = outbox(mark)
    assert sorted(r.recipient for r in rows) == sorted([assessor.email, seated.email, queued.email])
    (told,) = _to(rows, queued)
    assert calendar_part(parse_mail(told.raw)) is None  # no event to update: they hold none
    assert told.subject.startswith("Ny tid för passet du står i kö till: ")
    text = parse_mail(told.raw).get_body(("plain",)).get_content()
    assert "Du står kvar i kön" in text
    assert (
        "onsdag 15 september 2027, kl. 09.00–12.00 "
        "(tidigare tisdag 14 september 2027, kl. 08.00–11.00)"
    ) in text

    mark = last_id()
    move_session(
        session.id, date(2027, 9, 15), time(9), admin, assessor_id=make.assessor(session.model).id
    )
    assert queued.email not in [r.recipient for r in outbox(mark)]


def test_a_move_that_frees_seats_invites_the_queue_at_the_new_time(planned, make):
    """Ten computers at the new time for a session of one seat: the one waiting gets a
    seat and its invite at the new time, not a letter saying they still wait, nor an
    update of a move they never had in their calendar."""
    session, _assessor, admin = planned
    booked_at = session.starts_at - timedelta(days=20)
    session.seats = 1
    db.session.commit()
    seated, queued = make.employee(), make.employee()
    book_seat(session.id, seated, seated, now=booked_at)
    waiting = book_seat(session.id, queued, queued, now=booked_at)
    mark = last_id()

    move_session(session.id, date(2027, 9, 15), time(9), admin)

    (invite,) = _to(outbox(mark), queued)
    assert invite.subject.startswith("Du har fått en plats: ")
    calendar, event = _event(invite)
    assert calendar["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert event["UID"].startswith(f"seat-{waiting.id}@")
    assert event.decoded("DTSTART") == datetime(2027, 9, 15, 7, 0, tzinfo=UTC)
    (update,) = _to(outbox(mark), seated)
    assert _event(update)[1]["SEQUENCE"] == 1


def test_cancelling_a_session_cancels_every_event_and_tells_the_queue(planned, make):
    session, assessor, admin = planned
    booked_at = session.starts_at - timedelta(days=20)
    session.seats = 1
    db.session.commit()
    seated, queued = make.employee(), make.employee()
    book_seat(session.id, seated, seated, now=booked_at)
    book_seat(session.id, queued, queued, now=booked_at)
    mark = last_id()

    cancel_session(session.id, admin, "Testledaren är sjuk")

    rows = outbox(mark)
    assert sorted(r.recipient for r in rows) == sorted([assessor.email, seated.email, queued.email])
    for person in (assessor, seated):
        (row,) = _to(rows, person)
        calendar, event = _event(row)
        assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    (told,) = _to(rows, queued)
    assert calendar_part(parse_mail(told.raw)) is None
    assert "Inställt" in told.subject
    # The reason the admin wrote "for the participants" reaches every one of them.
    for row in rows:
        text = parse_mail(row.raw).get_body(("plain",)).get_content()
        assert "Anledning: Testledaren är sjuk" in text, row.recipient
    _calendar, event = _event(_to(rows, seated)[0])
    seat_text = str(event["DESCRIPTION"])
    assert "Testcentret har ställt in passet.\nAnledning: Testledaren är sjuk" in seat_text
    assert "Avboka senast" not in seat_text
    # The testledare's event says why too, and offers no check-in for it.
    _calendar, event = _event(_to(rows, assessor)[0])
    assert "Anledning: Testledaren är sjuk" in str(event["DESCRIPTION"])
    assert "incheckning" not in str(event["DESCRIPTION"])


# Both 2027 daylight-saving changes (Sunday 28 March, Sunday 31 October): an open
# weekday before and after each, at 08:00 local time, which is 07:00 UTC in winter
# time and 06:00 UTC in summer time. (Good Friday and Easter Monday 2027 fall on 26
# and 29 March, so the March week uses the Thursday and the Tuesday.)
DST_WEEKS = {
    "march": (
        date(2027, 3, 25),
        datetime(2027, 3, 25, 7, tzinfo=UTC),
        date(2027, 3, 30),
        datetime(2027, 3, 30, 6, tzinfo=UTC),
    ),
    "october": (
        date(2027, 10, 29),
        datetime(2027, 10, 29, 6, tzinfo=UTC),
        date(2027, 11, 1),
        datetime(2027, 11, 1, 7, tzinfo=UTC),
    ),
}
THREE_HOURS = timedelta(hours=3)  # Industriteknik BAS: a three-hour theory test


def _seen(uid: str, sequence: int, status: str, start: datetime) -> tuple:
    return (uid, sequence, status, start, start + THREE_HOURS)


@pytest.mark.parametrize("week", DST_WEEKS)
def test_every_invite_and_feed_reads_the_same_in_every_parser(app, client, auth, make, week):
    """Every kind of message and feed, read by icalendar, vobject and ical.js, around
    a daylight-saving change: each parser sees the same METHOD, UID, SEQUENCE, STATUS
    and UTC start and end, and those are the ones the people were promised."""
    before, at_before, after, at_after = DST_WEEKS[week]
    at_noon = at_after + timedelta(hours=4)  # 12:00 local on the day after the change
    with app.app_context():
        center = make.center(computers=12)
        model = make.model()
        first, second = make.assessor(model), make.assessor(model)
        admin = make.person(("center_admin",), center=center)
        anna, bo, cara, dan = (make.employee() for _ in range(4))
        (s1, s2), refused = create_sessions(
            center.id, model.id, first.id, [before, after], time(8), admin
        )
        assert not refused
        assert (s1.starts_at, s2.starts_at) == (at_before, at_after)
        now = at_before - timedelta(days=10)

        anna_first = book_seat(s1.id, anna, anna, now=now)
        anna_seat = move_booking(anna_first.id, s2.id, anna, now=now)  # across the change
        cara_s2 = book_seat(s2.id, cara, cara, now=now)
        dan_seat = book_seat(s2.id, dan, dan, now=now)
        s2.seats = 3  # now full
        db.session.commit()
        bo_seat = book_seat(s2.id, bo, bo, now=now)
        assert bo_seat.status == "waitlisted"
        cancel_booking(dan_seat.id, dan, now=now)  # Bo gets Dan's seat
        cara_s1 = book_seat(s1.id, cara, cara, now=now)
        move_session(s1.id, after, time(12), admin)  # staff move it across the change
        move_session(s2.id, after, time(8), admin, assessor_id=second.id)
        cancel_session(s1.id, admin, "Lokalen är inte tillgänglig")
        assert queue_reminders(now=at_after - timedelta(hours=12)) == 3

        domain = app.config["CALENDAR_UID_DOMAIN"]
        seat = {
            "anna": f"seat-{anna_first.id}@{domain}",  # the move keeps the first UID
            "bo": f"seat-{bo_seat.id}@{domain}",
            "cara1": f"seat-{cara_s1.id}@{domain}",
            "cara2": f"seat-{cara_s2.id}@{domain}",
            "dan": f"seat-{dan_seat.id}@{domain}",
        }
        s1_first = f"session-{s1.id}-testledare-{first.id}@{domain}"
        s2_first = f"session-{s2.id}-testledare-{first.id}@{domain}"
        s2_second = f"session-{s2.id}-testledare-{second.id}@{domain}"
        R, C, OK, GONE = "REQUEST", "CANCEL", "CONFIRMED", "CANCELLED"
        # Every message, in the order the changes were made: (kind, to, METHOD, event).
        expected = [
            ("assigned", first, R, _seen(s1_first, 0, OK, at_before)),
            ("assigned", first, R, _seen(s2_first, 0, OK, at_after)),
            ("booked", anna, R, _seen(seat["anna"], 0, OK, at_before)),
            ("moved", anna, R, _seen(seat["anna"], 1, OK, at_after)),
            ("booked", cara, R, _seen(seat["cara2"], 0, OK, at_after)),
            ("booked", dan, R, _seen(seat["dan"], 0, OK, at_after)),
            ("waitlisted", bo, None, None),
            ("promoted", bo, R, _seen(seat["bo"], 0, OK, at_after)),
            ("cancelled", dan, C, _seen(seat["dan"], 1, GONE, at_after)),
            ("booked", cara, R, _seen(seat["cara1"], 0, OK, at_before)),
            ("session_changed", first, R, _seen(s1_first, 1, OK, at_noon)),
            ("session_changed", cara, R, _seen(seat["cara1"], 1, OK, at_noon)),
            # A new testledare: the old one's event goes; nobody booked hears of it.
            ("unassigned", first, C, _seen(s2_first, 1, GONE, at_after)),
            ("assigned", second, R, _seen(s2_second, 0, OK, at_after)),
            ("session_cancelled", first, C, _seen(s1_first, 2, GONE, at_noon)),
            ("session_cancelled", cara, C, _seen(seat["cara1"], 2, GONE, at_noon)),
            # The reminder is plain mail: the invite already in the calendar stays as it is.
            *sorted(
                (("reminder", p, None, None) for p in (anna, bo, cara)),
                key=lambda e: e[1].email,
            ),
        ]
        rows = outbox()
        rows = [r for r in rows if r.kind != "reminder"] + sorted(
            (r for r in rows if r.kind == "reminder"), key=lambda r: r.recipient
        )
        assert [(r.kind, r.recipient) for r in rows] == [(k, p.email) for k, p, _m, _e in expected]

        documents = []  # (what, calendar, METHOD, events)
        for row, (kind, person, method, seen) in zip(rows, expected, strict=True):
            part = calendar_part(parse_mail(row.raw))
            if method is None:
                assert part is None, f"{kind} to {person.email} carries a calendar"
                continue
            # The MIME part's method= must agree with the VCALENDAR's METHOD (RFC 6047).
            assert part.get_param("method") == method, kind
            what = f"{kind} mail to {person.email}"
            documents.append((what, invite_of(row), method, [seen]))

        people = {"Anna": anna, "Bo": bo, "Cara": cara, "Dan": dan}
        people |= {"the first testledare": first, "the second testledare": second}
        tokens = {name: ensure_feed_token(person) for name, person in people.items()}
        feeds = {
            # Anna moved: one event, at the new time, with the invites' UID and SEQUENCE.
            "Anna": [_seen(seat["anna"], 1, OK, at_after)],
            "Bo": [_seen(seat["bo"], 0, OK, at_after)],
            "Cara": [_seen(seat["cara2"], 0, OK, at_after), _seen(seat["cara1"], 2, GONE, at_noon)],
            "Dan": [_seen(seat["dan"], 1, GONE, at_after)],
            # The session taken over by the second testledare is no longer the first's.
            "the first testledare": [_seen(s1_first, 2, GONE, at_noon)],
            "the second testledare": [_seen(s2_second, 0, OK, at_after)],
        }
        center_feed = [
            # Moved, then cancelled: SEQUENCE 2. A new testledare alone is not in it.
            _seen(f"session-{s1.id}@{domain}", 2, GONE, at_noon),
            _seen(f"session-{s2.id}@{domain}", 0, OK, at_after),
        ]
        logins = {
            anna.email: (f"/calendar/bookings/{anna_seat.id}.ics", feeds["Anna"]),
            first.email: (f"/calendar/sessions/{s1.id}.ics", feeds["the first testledare"]),
            second.email: (f"/calendar/sessions/{s2.id}.ics", feeds["the second testledare"]),
        }
        center_id = center.id

    for name, token in tokens.items():
        response = client.get(f"/calendar/feed/{token}.ics")
        assert response.status_code == 200, name
        documents.append((f"feed of {name}", response.data, None, feeds[name]))
    response = client.get(f"/calendar/centers/{center_id}.ics")
    assert response.status_code == 200
    documents.append(("center feed", response.data, None, center_feed))
    for email, (url, events) in logins.items():
        auth.login(email)
        response = client.get(url)
        assert response.status_code == 200, url
        documents.append((f"download {url}", response.data, "PUBLISH", events))
        auth.logout()

    readings = read_everywhere(*(data for _w, data, _m, _e in documents))
    for (what, _data, method, events), reading in zip(documents, readings, strict=True):
        assert list(reading) == list(PARSERS)
        for parser, seen in reading.items():
            assert as_read(seen) == ({method}, sorted(events)), f"{parser} reads {what}"


def test_the_vtimezone_rule_matches_the_tz_database_in_every_year():
    from app.calendar.ics import stockholm_vtimezone
    from app.timeutil import STOCKHOLM

    ours = stockholm_vtimezone().to_tz()
    moment, end = datetime(2020, 1, 1, 0, 30, tzinfo=UTC), datetime(2041, 1, 1, tzinfo=UTC)
    while moment < end:  # the changes happen at 01:00 UTC: look on both sides of it
        for instant in (moment, moment + timedelta(hours=1)):
            assert (
                instant.astimezone(ours).utcoffset() == instant.astimezone(STOCKHOLM).utcoffset()
            ), instant
        moment += timedelta(days=1)


def test_calendars_of_different_years_read_right_one_after_the_other():
    """vobject keeps the first VTIMEZONE it sees for a TZID; every document carries the same."""
    import vobject

    from app.calendar.ics import EventData, calendar_bytes

    def calendar(starts_at):
        event = EventData(
            uid=f"{starts_at:%Y}@test",
            sequence=0,
            summary="Pass",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            location="Luleå",
            description="",
        )
        return calendar_bytes([event], method="REQUEST")

    winter_2024 = datetime(2024, 1, 16, 7, 0, tzinfo=UTC)  # 08:00 winter time
    summer_2031 = datetime(2031, 6, 17, 6, 0, tzinfo=UTC)  # 08:00 summer time
    first, second = calendar(winter_2024), calendar(summer_2031)
    zone = [line for line in first.split(b"BEGIN:VTIMEZONE")[1].split(b"END:VTIMEZONE")]
    assert zone[0] in second
    for document, expected in ((first, winter_2024), (second, summer_2031)):
        event = vobject.readOne(document.decode()).vevent
        assert event.dtstart.value.astimezone(UTC) == expected
        assert (
            icalendar.Calendar.from_ical(document)
            .walk("VEVENT")[0]
            .decoded("dtstart")
            .astimezone(UTC)
            == expected
        )


def test_an_invite_says_when_the_event_last_changed(ctx, make):
    session = make.session()
    employee = make.employee()
    book_seat(session.id, employee, employee)
    (row,) = outbox()
    _calendar, event = _event(row)
    entry_changed = db.session.scalar(
        db.select(CalendarEntry.updated_at).where(CalendarEntry.person_id == employee.id)
    )
    assert event.decoded("LAST-MODIFIED") == entry_changed.replace(microsecond=0)


def _plain(row) -> str:
    return parse_mail(row.raw).get_body(("plain",)).get_content()


def test_a_message_written_after_the_cancel_deadline_names_whom_to_ask(ctx, make):
    """Inside the last 48 hours the seat can only be cancelled by the center: the
    confirmation, its invite and the reminder say so and whom to contact, and give
    no cancel link that would only refuse."""
    session = make.session(starts_in=timedelta(hours=30))
    employee = make.employee()
    book_seat(session.id, employee, employee)
    assert queue_reminders(now=session.starts_at - timedelta(hours=20)) == 1

    confirmation, reminder = outbox()
    assert (confirmation.kind, reminder.kind) == ("booked", "reminder")
    _calendar, event = _event(confirmation)
    for text in (str(event["DESCRIPTION"]), _plain(confirmation), _plain(reminder)):
        assert "Avboka senast" not in text and "Avboka eller flytta senast" not in text
        assert "/cancel" not in text
        assert "kan inte längre avbokas eller flyttas" in text
        assert f"Kontakta testcentret: Kim Kontakt, {session.center.contact_email}" in text


def test_a_message_written_before_the_deadline_still_says_how_to_cancel(app, ctx, make):
    app.config["REMINDER_HOURS"] = 72
    session = make.session(starts_in=timedelta(hours=60))
    employee = make.employee()
    booking = book_seat(session.id, employee, employee)
    assert queue_reminders() == 1

    confirmation, reminder = outbox()
    assert f"/bookings/{booking.id}/cancel" in str(_event(confirmation)[1]["DESCRIPTION"])
    assert "Avboka eller flytta senast" in _plain(reminder)
    assert "kan inte längre avbokas" not in _plain(reminder)
