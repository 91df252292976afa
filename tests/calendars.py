"""Read our mail and calendars the way clients do, with parsers nobody here wrote:
icalendar and vobject (Python) and Mozilla's ical.js (Thunderbird's parser, npm)."""

import email
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy

import icalendar
import vobject
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage

JS_DIR = os.path.join(os.path.dirname(__file__), "js")


def outbox(after_id: int = 0) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > after_id).order_by(OutboxMessage.id)
        )
    )


def last_id() -> int:
    rows = outbox()
    return rows[-1].id if rows else 0


def parse_mail(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def calendar_part(message) -> email.message.EmailMessage | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part
    return None


def invite_of(row: OutboxMessage) -> bytes:
    part = calendar_part(parse_mail(row.raw))
    assert part is not None, f"{row.subject!r} carries no calendar"
    return part.get_content().encode("utf-8")


@dataclass(frozen=True)
class Seen:
    """What one parser understood of one event."""

    parser: str
    method: str | None
    uid: str
    sequence: int
    status: str
    start: datetime
    end: datetime


def _utc(moment: datetime) -> datetime:
    assert moment.tzinfo is not None, "a floating time: the client would guess the zone"
    return moment.astimezone(UTC)


def with_icalendar(data: bytes) -> list[Seen]:
    calendar = icalendar.Calendar.from_ical(data)
    method = str(calendar["METHOD"]) if "METHOD" in calendar else None
    return [
        Seen(
            "icalendar",
            method,
            str(event["UID"]),
            int(event.get("SEQUENCE", 0)),
            str(event["STATUS"]),
            _utc(event.decoded("DTSTART")),
            _utc(event.decoded("DTEND")),
        )
        for event in calendar.walk("VEVENT")
    ]


def with_vobject(data: bytes) -> list[Seen]:
    calendar = vobject.readOne(data.decode("utf-8"))
    method = calendar.method.value if hasattr(calendar, "method") else None
    return [
        Seen(
            "vobject",
            method,
            event.uid.value,
            int(event.sequence.value),
            event.status.value,
            _utc(event.dtstart.value),
            _utc(event.dtend.value),
        )
        for event in calendar.contents.get("vevent", [])
    ]


def with_icaljs(*documents: bytes) -> list[list[Seen]]:
    """Parse several documents in one node run (starting node is the slow part)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, data in enumerate(documents):
            path = os.path.join(folder, f"{n}.ics")
            with open(path, "wb") as handle:
                handle.write(data)
            paths.append(path)
        output = subprocess.run(
            ["node", os.path.join(JS_DIR, "parse.mjs"), *paths],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    return [
        [
            Seen(
                "ical.js",
                result["method"],
                e["uid"],
                e["sequence"],
                e["status"],
                datetime.fromisoformat(e["start"].replace("Z", "+00:00")),
                datetime.fromisoformat(e["end"].replace("Z", "+00:00")),
            )
            for e in result["events"]
        ]
        for result in json.loads(output)
    ]


PARSERS = ("icalendar", "vobject", "ical.js")


def read_everywhere(*documents: bytes) -> list[dict[str, list[Seen]]]:
    """Each document's events as each of the three parsers sees them, for comparing.

    ical.js reads all the documents in one node run.
    """
    icaljs = with_icaljs(*documents)
    return [
        {"icalendar": with_icalendar(data), "vobject": with_vobject(data), "ical.js": js}
        for data, js in zip(documents, icaljs, strict=True)
    ]


def as_read(seen: list[Seen]) -> tuple[set[str | None], list[tuple]]:
    """What a calendar program acts on: the METHOD, and each event's UID, SEQUENCE,
    STATUS and UTC start and end, in a stable order."""
    return (
        {s.method for s in seen},
        sorted((s.uid, s.sequence, s.status, s.start, s.end) for s in seen),
    )
