"""Links from a session's page: add it to Google Calendar or Outlook, find the center on a map.

The calendar links are the services' public "add an event" URL templates, filled in
with the same title, place and description as the invite (app.calendar.events):

- Google: https://calendar.google.com/calendar/render?action=TEMPLATE&text=…
  &dates=YYYYMMDDTHHMMSSZ/YYYYMMDDTHHMMSSZ&details=…&location=…
- Outlook on the web: https://outlook.office.com/calendar/0/deeplink/compose
  ?path=/calendar/action/compose&rru=addevent&subject=…&startdt=…&enddt=…&body=…
  &location=… (startdt and enddt in ISO 8601, here with Z)

Times are UTC in both (stored so; a daylight-saving change cannot shift them), and
every value is percent-encoded with %20 for a space: Outlook shows a "+" as it is.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from flask import current_app

from app.calendar.events import location, participant_description
from app.centers.models import TestCenter
from app.db import utcnow
from app.schedule.models import ValidationSession

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.office.com/calendar/0/deeplink/compose"
OPENSTREETMAP = "https://www.openstreetmap.org/"


def _query(params: dict) -> str:
    return urlencode(params, quote_via=quote, safe="")


def _google_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _outlook_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_calendar_url(session: ValidationSession, booking_id: int | None = None) -> str:
    params = {
        "action": "TEMPLATE",
        "text": session.model.name,
        "dates": f"{_google_time(session.starts_at)}/{_google_time(session.ends_at)}",
        # Made as the page is shown: past the deadline it names whom to ask instead.
        "details": participant_description(session, booking_id, now=utcnow()),
        "location": location(session),
    }
    return f"{GOOGLE}?{_query(params)}"


def outlook_url(session: ValidationSession, booking_id: int | None = None) -> str:
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": session.model.name,
        "startdt": _outlook_time(session.starts_at),
        "enddt": _outlook_time(session.ends_at),
        "body": participant_description(session, booking_id, now=utcnow()),
        "location": location(session),
    }
    return f"{OUTLOOK}?{_query(params)}"


def map_url(center: TestCenter) -> str:
    """OpenStreetMap with a marker at the center (or its municipality's seat), zoom 16."""
    latitude, longitude = center.coordinates
    lat, lon = f"{latitude:.5f}", f"{longitude:.5f}"
    return f"{OPENSTREETMAP}?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"


def arrive_at(session: ValidationSession) -> datetime:
    """When to be there: ARRIVE_MINUTES_BEFORE the start, for check-in."""
    return session.starts_at - timedelta(minutes=current_app.config["ARRIVE_MINUTES_BEFORE"])
