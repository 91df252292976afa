"""A personal feed written from each event's finished VEVENT text, kept on its entry.

Building a thousand events (translations, then icalendar's objects and line folding)
took a second or more each time a feed's content changed. Each calendar entry keeps
the VEVENT its feed last wrote, with a key: everything that text was written from
(the entry, the booking and session, the center and model) as one text, after a
digest of the person's language and the settings the text reads. A feed is then two
queries that make the keys and compare them in the database, and a join of texts;
only an event whose key no longer matches is built again, and its new text stored.
The key covers every input, so a stored text is never stale. An event without an
entry (none in the app: every seat and assignment gets one) is built each time.
"""

import functools
import glob
import hashlib
import logging
import os
from datetime import datetime, timedelta

import icalendar
from flask import current_app
from sqlalchemy import ColumnElement, Text, and_, case, cast, func, literal, select, update
from sqlalchemy.exc import SQLAlchemyError

from app.accounts.models import Person
from app.bookings.models import Booking
from app.calendar import events
from app.calendar.feeds import FEED_FORMAT, assessor_filter, seat_filter, some_personal_events
from app.calendar.ics import feed_bytes, feed_event_text
from app.calendar.models import CalendarEntry, EntryRole
from app.centers.models import TestCenter
from app.db import unit_of_work, utcnow
from app.extensions import db
from app.i18n import person_locale
from app.schedule.models import ValidationModel, ValidationSession

log = logging.getLogger(__name__)

# What an event's text is written from, beside the settings: its key is these as one
# text, made and compared in SQL, so that Python only handles the texts.
_SHOWN = (
    ValidationSession.id,
    ValidationSession.status,
    ValidationSession.starts_at,
    ValidationSession.ends_at,
    TestCenter.name,
    TestCenter.street_address,
    TestCenter.postal_code,
    TestCenter.postal_town,
    TestCenter.contact_name,
    TestCenter.contact_email,
    TestCenter.contact_phone,
    ValidationModel.name,
    CalendarEntry.uid,
    CalendarEntry.sequence,
    CalendarEntry.updated_at,
)


def _key(settings: str, columns) -> ColumnElement[str]:
    """The settings' digest and the columns as text. A timestamp's text depends on the
    database's settings (PostgreSQL's TimeZone): a change there only builds texts again."""
    key = literal(settings, Text)
    for column in columns:
        key = key + literal("|", Text) + func.coalesce(cast(column, Text), "")
    return key


def _rows(query, settings: str, shown, entry_on):
    """(id, UID, entry id, stored text if current, else the key to store it under)."""
    key = _key(settings, shown)
    current = CalendarEntry.feed_key == key
    return db.session.execute(
        query.add_columns(
            CalendarEntry.uid,
            CalendarEntry.id,
            case((current, CalendarEntry.feed_text)),
            case((current, None), else_=key),
        )
        .join(TestCenter, TestCenter.id == ValidationSession.center_id)
        .join(ValidationModel, ValidationModel.id == ValidationSession.model_id)
        .outerjoin(CalendarEntry, entry_on)
    ).all()


def _seat_rows(person_id: int, now: datetime, settings: str):
    query = (
        select(Booking.id)
        .join(ValidationSession, Booking.session_id == ValidationSession.id)
        .where(*seat_filter(person_id, now))
        .order_by(ValidationSession.starts_at, Booking.id)
    )
    entry_on = and_(
        CalendarEntry.booking_id == Booking.id,
        CalendarEntry.session_id == Booking.session_id,
        CalendarEntry.role == EntryRole.PARTICIPANT,
        CalendarEntry.person_id == person_id,
    )
    return _rows(query, settings, (Booking.id, Booking.status, *_SHOWN), entry_on)


def _assessor_rows(person_id: int, now: datetime, settings: str):
    query = (
        select(ValidationSession.id)
        .where(*assessor_filter(person_id, now))
        .order_by(ValidationSession.starts_at, ValidationSession.id)
    )
    entry_on = and_(
        CalendarEntry.session_id == ValidationSession.id,
        CalendarEntry.role == EntryRole.ASSESSOR,
        CalendarEntry.person_id == person_id,
    )
    return _rows(query, settings, _SHOWN, entry_on)


@functools.cache
def _catalogues(translations: str) -> str:
    """The compiled translations, digested once per process: new wording, new texts."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(glob.glob(os.path.join(translations, "*", "LC_MESSAGES", "*.mo"))):
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def _settings(person: Person) -> str:
    """What every event's text reads besides its rows, digested. FEED_FORMAT stands
    for the code: bump it when the events' text changes."""
    config = current_app.config
    settings = (
        FEED_FORMAT,
        person_locale(person),
        events.replies_address(),
        config["PUBLIC_BASE_URL"],
        config["CALENDAR_UID_DOMAIN"],
        config["WHAT_TO_BRING"],
        config["ARRIVE_MINUTES_BEFORE"],
        config["CANCEL_DEADLINE_HOURS"],
        _catalogues(os.path.join(current_app.root_path, "translations")),
        icalendar.__version__,
    )
    return hashlib.blake2b(repr(settings).encode(), digest_size=16).hexdigest()


def personal_feed(person: Person, name: str, refresh: timedelta, now: datetime | None = None):
    """The person's feed as bytes: the same as calendar_bytes(personal_events(person))."""
    now = now or utcnow()
    settings = _settings(person)
    texts: list[str | None] = []
    stale = {}  # UID: (place in the feed, entry id, key)
    ids: tuple[list[int], list[int]] = ([], [])  # bookings, sessions run
    seats, runs = _seat_rows(person.id, now, settings), _assessor_rows(person.id, now, settings)
    for rows, seat in ((seats, True), (runs, False)):
        for row_id, uid, entry_id, text, key in rows:
            if entry_id is not None and text is not None:
                texts.append(text)
                continue
            uid = uid or (
                events.seat_uid(row_id) if seat else events.assessor_uid(row_id, person.id)
            )
            stale[uid] = (len(texts), entry_id, key)
            ids[0 if seat else 1].append(row_id)
            texts.append(None)
    if stale:
        _write_stale(person, now, texts, stale, ids)
    # An event that left the feed between the queries has no text: it is left out.
    return feed_bytes([text for text in texts if text is not None], name, refresh)


def _write_stale(person: Person, now: datetime, texts: list, stale: dict, ids) -> None:
    """Build the events whose texts are missing or out of date, put them in their
    places in `texts` and store them with their entries."""
    store = []
    for event in some_personal_events(person, now, *ids):
        if event.uid not in stale:
            continue  # it came into the feed after the first query: next time
        index, entry_id, key = stale[event.uid]
        texts[index] = feed_event_text(event, now)
        if entry_id is not None:
            store.append({"id": entry_id, "feed_key": key, "feed_text": texts[index]})
    if not store:
        return
    try:
        with unit_of_work():
            db.session.execute(update(CalendarEntry), store)
    except SQLAlchemyError:
        # A feed is answered even if its texts could not be kept; the next one tries again.
        log.warning("could not store %s feed texts", len(store), exc_info=True)
