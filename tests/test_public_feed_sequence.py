"""A center's public feed after its session moved or was cancelled: the event's
SEQUENCE rises (RFC 5545 §3.8.7.4), so subscribed clients take the change."""

from datetime import UTC, date, datetime, time

import icalendar

from app.centers.models import TestCenter
from app.extensions import db
from app.schedule.models import ValidationModel
from app.timeutil import local_to_utc
from tests.calendars import read_everywhere
from tests.forms import page_form

TUESDAY = date(2027, 9, 14)


def _feed(client, center_id: int):
    response = client.get(f"/calendar/centers/{center_id}.ics")
    assert response.status_code == 200
    (event,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return response, event


def _read(data: bytes, uid: str):
    """(SEQUENCE, STATUS, start) of the event, the same in all three parsers."""
    seen = {
        parser: [(s.sequence, s.status, s.start) for s in events if s.uid == uid]
        for parser, events in read_everywhere(data)[0].items()
    }
    (reading,) = set(map(tuple, seen.values()))
    (event,) = reading
    return event


def test_moving_and_cancelling_a_session_raise_the_public_events_sequence(
    app, client, make, center_admin
):
    with app.app_context():
        session = make.session(
            center=db.session.get(TestCenter, center_admin["center"]),
            model=db.session.get(ValidationModel, center_admin["model"]),
            local_day=TUESDAY,
            local_time=time(8),
        )
        session_id, center_id = session.id, center_admin["center"]
    first, event = _feed(client, center_id)
    uid = str(event["UID"])
    assert _read(first.data, uid) == (0, "CONFIRMED", local_to_utc(TUESDAY, time(8)))
    modified = event.decoded("LAST-MODIFIED")

    manage = f"/sessions/{session_id}/manage"
    move = page_form(client, manage, button="Flytta passet")
    move.fill(day="2027-09-15", start="09:00", assessor=center_admin["assessor"])
    assert move.submit().status_code == 302

    moved, event = _feed(client, center_id)
    assert moved.headers["ETag"] != first.headers["ETag"]
    assert str(event["UID"]) == uid
    new_start = local_to_utc(date(2027, 9, 15), time(9))
    assert _read(moved.data, uid) == (1, "CONFIRMED", new_start)
    # LAST-MODIFIED counts whole seconds: a move in the same second keeps it; SEQUENCE rose.
    assert event.decoded("LAST-MODIFIED") >= modified
    # A subscribed client sends its copy's validator: the change is not answered 304.
    again = client.get(
        f"/calendar/centers/{center_id}.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 200

    cancel = page_form(client, manage, button="Ställ in").fill(reason="Lokalen är upptagen")
    assert cancel.submit().status_code == 302
    cancelled, event = _feed(client, center_id)
    assert _read(cancelled.data, uid) == (2, "CANCELLED", new_start)
    assert event.decoded("LAST-MODIFIED") >= modified


def test_a_new_testledare_alone_leaves_the_public_event_as_it_was(app, client, make, center_admin):
    """The public event names nobody: a new testledare is no change a subscriber sees."""
    with app.app_context():
        session = make.session(
            center=db.session.get(TestCenter, center_admin["center"]),
            model=db.session.get(ValidationModel, center_admin["model"]),
            local_day=TUESDAY,
            local_time=time(8),
        )
        other_id = make.assessor(session.model).id
        session_id, center_id = session.id, center_admin["center"]
    move = page_form(client, f"/sessions/{session_id}/manage", button="Flytta passet")
    assert move.fill(assessor=other_id).submit().status_code == 302
    _response, event = _feed(client, center_id)
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 9, 14, 6, tzinfo=UTC)
