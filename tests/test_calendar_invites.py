"""Every booking and schedule change reaches the calendars concerned, as iTIP
(RFC 5546) in iMIP mail (RFC 6047), and nobody else's."""

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest

from app.bookings.services import book_seat, cancel_booking, move_booking
from app.db import utcnow
from app.extensions import db
from app.schedule.planning import cancel_session, create_sessions, move_session
from tests.calendars import (
    calendar_part,
    invite_of,
    last_id,
    outbox,
    parse_mail,
    with_icalendar,
    with_icaljs,
    with_vobject,
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


# Sessions on both sides of the 2027 daylight-saving changes (28 March, 31 October),
# at 08:00 local time: 07:00 UTC in winter time, 06:00 UTC in summer time.
DST_SESSIONS = [
    (date(2027, 3, 26), datetime(2027, 3, 26, 7, tzinfo=UTC)),
    (date(2027, 3, 29), datetime(2027, 3, 29, 6, tzinfo=UTC)),
    (date(2027, 10, 29), datetime(2027, 10, 29, 6, tzinfo=UTC)),
    (date(2027, 11, 1), datetime(2027, 11, 1, 7, tzinfo=UTC)),
]


def test_invites_around_daylight_saving_read_the_same_in_every_parser(ctx, make):
    model = make.model()
    employee = make.employee()
    documents = []  # (calendar, method, session): a REQUEST and a CANCEL per session
    for day, utc_start in DST_SESSIONS:
        session = make.session(model=model, local_day=day, local_time=time(8))
        assert session.starts_at == utc_start
        booked_at = utc_start - timedelta(days=10)
        booking = book_seat(session.id, employee, employee, now=booked_at)
        documents.append((invite_of(outbox()[-1]), "REQUEST", session))
        cancel_booking(booking.id, employee, now=booked_at)
        documents.append((invite_of(outbox()[-1]), "CANCEL", session))

    icaljs = with_icaljs(*(data for data, _m, _s in documents))
    for (data, method, session), js in zip(documents, icaljs, strict=True):
        seen = with_icalendar(data) + with_vobject(data) + js
        assert [s.parser for s in seen] == ["icalendar", "vobject", "ical.js"]
        for s in seen:
            assert (s.method, s.start, s.end) == (method, session.starts_at, session.ends_at), s
        assert len({(s.uid, s.sequence, s.status) for s in seen}) == 1
