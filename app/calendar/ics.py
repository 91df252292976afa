"""iCalendar documents, built with the icalendar package (RFC 5545/5546/7986)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
)

from app.timeutil import STOCKHOLM, to_local

PRODID = "-//Testcenterbokning//Norrbotten och Västerbotten//SV"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    role: str = "REQ-PARTICIPANT"  # CHAIR for the testledare


@dataclass(frozen=True)
class EventData:
    """What one event says; the same data makes the invite, the feed and the download."""

    uid: str
    sequence: int
    summary: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    location: str
    description: str
    cancelled: bool = False
    organizer_email: str | None = None
    organizer_name: str = ""
    # Who sends the messages for the organizer (RFC 5545 §3.2.18), when not the organizer.
    organizer_sent_by: str | None = None
    attendee: Attendee | None = None
    # Whether the organizer reads the attendee's reply (see app/calendar/replies.py).
    rsvp: bool = False
    url: str | None = None
    last_modified: datetime | None = None


def _event(data: EventData, stamp: datetime, itip: bool) -> Event:
    event = Event()
    event.add("uid", data.uid)
    event.add("sequence", data.sequence)
    # In a message DTSTAMP is when it was sent; in a feed or a download it is when
    # the event last changed, so the same data always gives the same bytes (and ETag).
    event.add("dtstamp", stamp if itip or not data.last_modified else data.last_modified)
    # Local wall-clock time with TZID; the VTIMEZONE added below lets every client
    # compute the right instant on both sides of a daylight-saving change.
    event.add("dtstart", to_local(data.starts_at))
    event.add("dtend", to_local(data.ends_at))
    event.add("summary", data.summary)
    event.add("location", data.location)
    event.add("description", data.description)
    event.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if data.cancelled else "OPAQUE")
    if data.url:
        event.add("url", data.url)
    if data.last_modified:
        event.add("last-modified", data.last_modified)
    if not itip:
        # Feeds and downloads are read as a whole; with an organizer in them some
        # clients treat the event as a meeting the reader was invited to.
        return event
    if data.organizer_email:
        organizer = vCalAddress(f"mailto:{data.organizer_email}")
        organizer.params["cn"] = vText(data.organizer_name)
        if data.organizer_sent_by:
            organizer.params["sent-by"] = vText(f"mailto:{data.organizer_sent_by}")
        event.add("organizer", organizer)
    if data.attendee:
        attendee = vCalAddress(f"mailto:{data.attendee.email}")
        attendee.params["cn"] = vText(data.attendee.name)
        attendee.params["role"] = vText(data.attendee.role)
        attendee.params["partstat"] = vText("DECLINED" if data.cancelled else "ACCEPTED")
        attendee.params["rsvp"] = vText("TRUE" if data.rsvp and not data.cancelled else "FALSE")
        event.add("attendee", attendee)
    return event


def _calendar(method: str | None, name: str | None, refresh: timedelta | None) -> Calendar:
    """The VCALENDAR's own properties and the VTIMEZONE, before any event."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", STOCKHOLM.key)
    if refresh:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    calendar.add_component(stockholm_vtimezone())
    return calendar


def calendar_bytes(
    events: list[EventData],
    method: str | None = None,
    name: str | None = None,
    refresh: timedelta | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """A VCALENDAR with the events; METHOD only for iTIP messages, never inside VEVENT."""
    from app.db import utcnow

    stamp = stamp or utcnow()
    calendar = _calendar(method, name, refresh)
    for data in events:
        calendar.add_component(_event(data, stamp, itip=method in ("REQUEST", "CANCEL")))
    return calendar.to_ical()


def feed_event_text(data: EventData, stamp: datetime) -> str:
    """One feed event's VEVENT, folded, as calendar_bytes writes it inside a feed."""
    return _event(data, stamp, itip=False).to_ical().decode()


def feed_bytes(event_texts: list[str], name: str, refresh: timedelta) -> bytes:
    """A feed's VCALENDAR around VEVENT texts of feed_event_text: the same bytes as
    calendar_bytes gives for their events, without building an object for each."""
    end = b"END:VCALENDAR\r\n"
    head = _calendar(None, name, refresh).to_ical().removesuffix(end)
    return b"".join((head, "".join(event_texts).encode(), end))


def stockholm_vtimezone() -> Timezone:
    """Europe/Stockholm as the EU's rule: summer time from the last Sunday of March
    at 02:00 to the last Sunday of October at 03:00.

    The same VTIMEZONE in every document, valid for every year, as Outlook and
    Thunderbird write it. A list of the changes in the events' years differs between
    documents, and clients that keep the first VTIMEZONE they saw for a TZID (vobject
    does) then misplace events of later years by an hour. tests/test_calendar_invites
    checks the rule against the tz database, year by year.
    """
    zone = Timezone()
    zone.add("tzid", STOCKHOLM.key)
    zone.add("x-lic-location", STOCKHOLM.key)
    for part, month, starts, before, after, name in (
        (TimezoneDaylight(), 3, datetime(1970, 3, 29, 2), 1, 2, "CEST"),
        (TimezoneStandard(), 10, datetime(1970, 10, 25, 3), 2, 1, "CET"),
    ):
        part.add("tzname", name)
        part.add("tzoffsetfrom", timedelta(hours=before))
        part.add("tzoffsetto", timedelta(hours=after))
        part.add("dtstart", starts)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone
