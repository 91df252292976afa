"""Subscription feeds: a person's own events behind a secret URL, a center's in public.

A feed is read whole by clients that poll it, so a request that changes nothing
must be cheap: the validator (ETag, Last-Modified) comes from one aggregate query,
and the calendar is only built when the client's copy is out of date.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import Person
from app.bookings.models import SEAT_STATUSES, Booking, BookingStatus
from app.cache import SizedLRU
from app.calendar import events
from app.calendar.ics import EventData
from app.calendar.models import CalendarEntry, EntryRole, FeedToken
from app.db import unit_of_work, utcnow
from app.extensions import db
from app.i18n import person_locale, speaking_to
from app.schedule.models import SessionStatus, ValidationSession
from app.timeutil import day_start, local_date

# Bumped when the feed's layout changes, so that clients fetch it again.
# 2: the center feed's SEQUENCE, a seat's own cancel link in its description.
# 3: a cancelled seat's description says so (no cancel link); "1 ledig plats".
# 4: a cancelled session's reason in the testledare's event too, "Anledning:" on its own line.
FEED_FORMAT = 4


def ensure_feed_token(person: Person) -> str:
    """The person's feed secret (256 random bits), made on first use."""
    row = db.session.get(FeedToken, person.id)
    if row is not None:
        return row.token
    with unit_of_work():
        row = db.session.get(FeedToken, person.id, populate_existing=True)
        if row is None:
            row = FeedToken(person_id=person.id, token=secrets.token_urlsafe(32))
            db.session.add(row)
        return row.token


def reset_feed_token(person: Person) -> str:
    """A new secret; the old URL stops working in the same instant."""
    with unit_of_work():
        row = db.session.get(FeedToken, person.id, populate_existing=True)
        if row is None:
            row = FeedToken(person_id=person.id, token="")
            db.session.add(row)
        row.token = secrets.token_urlsafe(32)
        row.created_at = utcnow()
        return row.token


def revoke_feed_token(person_id: int) -> None:
    """The person's feed URL stops working for good, in the caller's unit of work; a new
    secret is made if they ever open the calendar page again."""
    db.session.execute(delete(FeedToken).where(FeedToken.person_id == person_id))


def person_for_token(token: str) -> Person | None:
    if not token or len(token) > 64:
        return None
    person = db.session.scalar(
        select(Person)
        .join(FeedToken, FeedToken.person_id == Person.id)
        .where(FeedToken.token == token)
    )
    if person is None or not person.is_active:
        return None
    return person


@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: datetime | None


def rendered_feeds() -> SizedLRU:
    """Feeds already built, by ETag, in this process, up to FEED_CACHE_BYTES.

    The ETag changes with anything the feed shows, so a hit can never be stale; an
    assessor's feed of a thousand events is built once per change, not per poll.

    Whether it still earns its keep now that a feed is written from stored texts
    (feed_texts): `python -m bench.run --quick --sizes 1000 --only feed`, then the same
    with TCB_FEED_CACHE_BYTES=0 (SQLite, 2 cores shared with other work, load 5-7.5).
    With it, a feed of 1,000 events under 16 connections: 273 req/s, p50 31 ms, and
    1,000 vs 10 events 0.72× (target < 5×, PASS). Without: 6-14 req/s, p50 0.9-1.3 s,
    1,000 vs 10 events 6.50× (FAIL). One request alone, built from nothing, waits
    24-44 ms (one connection), and a program that revalidates gets its 304 before
    Flask. So a person polling alone does not feel it, but full fetches under load
    wait 0.03 instead of about 1 s and the 1,000-vs-10 target holds: kept.
    """
    cache = current_app.extensions.get("rendered_feeds")
    if cache is None:
        cache = SizedLRU(current_app.config["FEED_CACHE_BYTES"])
        current_app.extensions["rendered_feeds"] = cache
    return cache


def _validator(key: str, *parts) -> Validator:
    stamps = [p for p in parts if isinstance(p, datetime)]
    digest = hashlib.sha256(repr((FEED_FORMAT, key, parts)).encode()).hexdigest()[:40]
    return Validator(etag=digest, last_modified=max(stamps) if stamps else None)


def _windows(now: datetime) -> tuple[datetime, datetime]:
    """Where past and cancelled events leave the feed: at the start of a local day, so
    that a feed read twice in one day differs only if something in it changed."""
    config = current_app.config
    today = day_start(local_date(now))
    return (
        today - timedelta(days=config["FEED_PAST_DAYS"]),
        today - timedelta(days=config["FEED_CANCELLED_DAYS"]),
    )


def seat_filter(person_id: int, now: datetime):
    past, cancelled_since = _windows(now)
    moved_on = aliased(Booking)
    return (
        Booking.employee_id == person_id,
        # A booking moved to another session hands its UID on with the seat: the event
        # is the newer booking's, and a second VEVENT with that UID would be the old,
        # cancelled seat competing with the current one in the client.
        # Not a correlated NOT EXISTS: SQLite ran that once per booking over all of the
        # person's bookings, a million rows for a feed of a thousand events.
        Booking.id.not_in(
            select(moved_on.moved_from_id).where(
                moved_on.employee_id == person_id, moved_on.moved_from_id.is_not(None)
            )
        ),
        ValidationSession.ends_at >= past,
        or_(
            Booking.status.in_(SEAT_STATUSES)
            & (ValidationSession.status == SessionStatus.SCHEDULED),
            # A seat they lost stays a while as cancelled, so the client removes it.
            Booking.confirmed_at.is_not(None) & (Booking.cancelled_at >= cancelled_since),
            (ValidationSession.status == SessionStatus.CANCELLED)
            & (ValidationSession.changed_at >= cancelled_since)
            & Booking.confirmed_at.is_not(None),
        ),
    )


def _sessions_filter(which, now: datetime):
    """Sessions matching `which` that a feed shows: upcoming, recent, or lately cancelled."""
    past, cancelled_since = _windows(now)
    return (
        which,
        ValidationSession.ends_at >= past,
        or_(
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationSession.changed_at >= cancelled_since,
        ),
    )


def assessor_filter(person_id: int, now: datetime):
    return _sessions_filter(ValidationSession.assessor_id == person_id, now)


def personal_validator(person: Person, token: str, now: datetime | None = None) -> Validator:
    changed = db.session.scalar(
        select(func.max(CalendarEntry.updated_at)).where(CalendarEntry.person_id == person.id)
    )
    return personal_feed_validator(person.id, token, person_locale(person), changed, now)


def personal_feed_validator(
    person_id: int,
    token: str,
    locale: str,
    changed: datetime | None,
    now: datetime | None = None,
    config=None,
) -> Validator:
    """The personal feed's ETag, from figures one indexed lookup gives.

    Everything a person's feed shows about an event is in their calendar entry's
    fingerprint, and every change to it (a new seat or session, a move, a
    cancellation, a new time) rewrites the entry: its latest `updated_at` and the day
    (for events leaving the feed) decide the content, with the language and the
    token. app/calendar/revalidate.py answers a client's poll from this alone.
    """
    config = config or current_app.config
    day = local_date(now or utcnow())
    # Whether Decline cancels is said in every seat's description.
    replies = bool(config.get("REPLIES_IMAP_HOST") and config.get("REPLIES_ADDRESS"))
    key = (
        f"person:{person_id}:{token}:{locale}:"
        f"{config['FEED_PAST_DAYS']}:{config['FEED_CANCELLED_DAYS']}:{replies:d}"
    )
    validator = _validator(key, day.isoformat(), changed)
    return Validator(etag=f"{validator.etag}-{locale}", last_modified=changed)


def personal_events(person: Person, now: datetime | None = None) -> list[EventData]:
    """The person's seats and, for a testledare, the sessions they run."""
    return some_personal_events(person, now or utcnow())


def some_personal_events(
    person: Person,
    now: datetime,
    booking_ids: list[int] | None = None,
    session_ids: list[int] | None = None,
) -> list[EventData]:
    """The person's feed events: every one, or (ids given) only those seats and the
    sessions they run."""
    seats = select(Booking).join(ValidationSession, Booking.session_id == ValidationSession.id)
    runs = select(ValidationSession).where(*assessor_filter(person.id, now))
    if booking_ids is not None:
        seats = seats.where(Booking.id.in_(booking_ids))
        runs = runs.where(ValidationSession.id.in_(session_ids or []))
    bookings = db.session.scalars(
        seats.where(*seat_filter(person.id, now))
        .options(
            joinedload(Booking.session).joinedload(ValidationSession.center),
            joinedload(Booking.session).joinedload(ValidationSession.model),
            joinedload(Booking.employee),
        )
        .order_by(ValidationSession.starts_at, Booking.id)
    ).all()
    sessions = db.session.scalars(
        runs.options(
            joinedload(ValidationSession.center),
            joinedload(ValidationSession.model),
            joinedload(ValidationSession.assessor),
        ).order_by(ValidationSession.starts_at, ValidationSession.id)
    ).all()
    wanted = select(CalendarEntry).where(CalendarEntry.person_id == person.id)
    if booking_ids is not None:
        wanted = wanted.where(
            CalendarEntry.booking_id.in_(booking_ids)
            | CalendarEntry.session_id.in_(session_ids or [])
        )
    entries = {(e.booking_id or 0, e.session_id, e.role): e for e in db.session.scalars(wanted)}
    result = []
    # Calendar programs fetch the feed without the person's session or browser language.
    with speaking_to(person):
        for booking in bookings:
            entry = entries.get((booking.id, booking.session_id, EntryRole.PARTICIPANT))
            lost = (
                booking.status == BookingStatus.CANCELLED
                or booking.session.status == SessionStatus.CANCELLED
            )
            result.append(events.participant_event(booking, entry, cancelled=lost))
        for session in sessions:
            entry = entries.get((0, session.id, EntryRole.ASSESSOR))
            cancelled = session.status == SessionStatus.CANCELLED
            result.append(events.assessor_event(session, entry, cancelled=cancelled))
    return result


def _center_filter(center_id: int, now: datetime):
    return _sessions_filter(ValidationSession.center_id == center_id, now)


def center_validator(center_id: int, now: datetime | None = None) -> Validator:
    now = now or utcnow()
    row = db.session.execute(
        select(func.count(ValidationSession.id), func.max(ValidationSession.changed_at)).where(
            *_center_filter(center_id, now)
        )
    ).one()
    # Seats left are in the summaries; every seat taken or freed changes a booking row.
    seats_changed = db.session.scalar(
        select(func.max(Booking.updated_at))
        .join(ValidationSession, Booking.session_id == ValidationSession.id)
        .where(*_center_filter(center_id, now))
    )
    validator = _validator(f"center:{center_id}", *row, seats_changed)
    # One public feed for everyone, in the default language (center_events).
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return Validator(f"{validator.etag}-{default}", validator.last_modified)


def center_events(center_id: int, now: datetime | None = None) -> list[EventData]:
    now = now or utcnow()
    sessions = db.session.scalars(
        select(ValidationSession)
        .where(*_center_filter(center_id, now))
        .options(joinedload(ValidationSession.center), joinedload(ValidationSession.model))
        .order_by(ValidationSession.starts_at)
    ).all()
    # One public feed for everyone, cached by ETag: always in the default language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return [events.center_event(session) for session in sessions]
