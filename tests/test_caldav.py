"""Invites stored in a real CalDAV server (Radicale on loopback) and read back, the
way a calendar client files an accepted invitation (RFC 4791, RFC 6638: the
stored object carries no METHOD)."""

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from xml.etree import ElementTree

import icalendar
import pytest
import requests

from app.bookings.services import book_seat, move_booking
from tests.calendars import invite_of, outbox, with_icalendar

CALENDAR = "/anna/valideringar/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    port = _free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\n"
        "type = none\n"
        "[storage]\n"
        f"filesystem_folder = {tmp_path / 'collections'}\n"
        "[logging]\n"
        "level = warning\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    base = f"http://127.0.0.1:{port}"
    auth = ("anna", "x")
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.request("PROPFIND", base + "/", auth=auth, timeout=2)
            break
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("Radicale did not start")
            time.sleep(0.2)
    created = requests.request("MKCALENDAR", base + CALENDAR, auth=auth, timeout=10)
    assert created.status_code == 201, created.text
    yield base, auth
    process.terminate()
    process.wait(timeout=20)


def _file_invite(base, auth, invite: bytes) -> str:
    """What a client does with an accepted invite: drop METHOD, PUT the event."""
    calendar = icalendar.Calendar.from_ical(invite)
    del calendar["METHOD"]
    uid = str(calendar.walk("VEVENT")[0]["UID"])
    response = requests.put(
        f"{base}{CALENDAR}{uid}.ics",
        data=calendar.to_ical(),
        headers={"Content-Type": "text/calendar; charset=utf-8"},
        auth=auth,
        timeout=10,
    )
    assert response.status_code in (201, 204), response.text
    return uid


def _events_between(base, auth, start: datetime, end: datetime) -> list[bytes]:
    """A calendar-query REPORT: the server itself decides which events fall in range."""
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
    response = requests.request(
        "REPORT",
        base + CALENDAR,
        data=body.encode(),
        headers={"Depth": "1", "Content-Type": "application/xml"},
        auth=auth,
        timeout=10,
    )
    assert response.status_code == 207, response.text
    tree = ElementTree.fromstring(response.content)
    return [
        node.text.encode()
        for node in tree.iter("{urn:ietf:params:xml:ns:caldav}calendar-data")
        if node.text
    ]


def test_invites_filed_in_caldav_come_back_at_the_same_instant(app, make, radicale):
    base, auth = radicale
    with app.app_context():
        model = make.model()
        employee = make.employee()
        # One each side of the March and the October change in 2027, 08:00 local time.
        days = [date(2027, 3, 26), date(2027, 3, 29), date(2027, 10, 29), date(2027, 11, 1)]
        sessions = [make.session(model=model, local_day=d, local_time=clock(8)) for d in days]
        for session in sessions:
            book_seat(session.id, employee, employee, now=session.starts_at - timedelta(days=10))
            _file_invite(base, auth, invite_of(outbox()[-1]))

        for session in sessions:
            # A one-minute window at the UTC start: only the right event can match it.
            found = _events_between(
                base, auth, session.starts_at, session.starts_at + timedelta(minutes=1)
            )
            assert len(found) == 1, session.starts_at
            (seen,) = with_icalendar(found[0])
            assert (seen.start, seen.end) == (session.starts_at, session.ends_at)
            wrong_hour = _events_between(
                base,
                auth,
                session.starts_at - timedelta(minutes=61),
                session.starts_at - timedelta(minutes=1),
            )
            assert wrong_hour == []


def test_an_update_replaces_the_filed_event_instead_of_adding_one(app, make, radicale):
    base, auth = radicale
    with app.app_context():
        model, center = make.model(), make.center()
        first = make.session(model=model, center=center, starts_in=timedelta(days=10))
        second = make.session(model=model, center=center, starts_in=timedelta(days=12))
        employee = make.employee()
        booking = book_seat(first.id, employee, employee)
        uid = _file_invite(base, auth, invite_of(outbox()[-1]))
        move_booking(booking.id, second.id, employee)
        assert _file_invite(base, auth, invite_of(outbox()[-1])) == uid

        everything = _events_between(
            base, auth, datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
        )
        (stored,) = everything
        (seen,) = with_icalendar(stored)
        assert seen.start == second.starts_at and seen.sequence == 1
