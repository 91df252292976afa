"""Replies to invites: Decline in a participant's calendar cancels their seat.

When `REPLIES_ADDRESS` and `REPLIES_IMAP_HOST` are set, a participant's invite names
that mailbox as its ORGANIZER with RSVP=TRUE (events.participant_event), so Outlook,
Apple Calendar, Gmail and Thunderbird mail their iTIP REPLY (RFC 5546 §3.2.3, RFC
6047) there. `flask read-replies` reads the unseen mail over IMAP and hands each
message to `apply_reply`, which cancels a declined seat with the booking service and
its deadline, as if the person had pressed *Avboka* themself.

A seat's UID (seat-<booking id>@domain) can be guessed, and calendars that hold it
must keep it, so the UID alone proves nothing. A DECLINE cancels only if the
ATTENDEE and the mail's From are both the booked person's address, the SEQUENCE is
the one of the invite they were last sent, and, with `REPLIES_AUTHSERV_ID` set, the
receiving server found the sender's DMARC to pass (From cannot then be forged). A
reply that fails a check cancels nothing; when it names a live seat, its holder is
told (at the address on the booking, never the sender's) how to cancel instead.
"""

import imaplib
import logging
import re
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import getaddresses

import icalendar
from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Person
from app.bookings.models import Booking
from app.bookings.services import BookingWindow, cancel_booking, lock_session
from app.calendar import events
from app.calendar.models import CalendarEntry, EntryRole
from app.db import unit_of_work, utcnow
from app.errors import DomainError
from app.extensions import db
from app.formatting import short_datetime, time_span
from app.i18n import speaking_to
from app.mail.compose import compose as compose_mail
from app.mail.outbox import enqueue

log = logging.getLogger(__name__)

# The booking's history and the audit log keep this as the cancellation's note; the
# audit log writes it as a sentence in the reader's language.
CALENDAR_REPLY_NOTE = "avböjt i kalendern"

CALENDAR_TYPES = ("text/calendar", "application/ics")


@dataclass(frozen=True)
class Outcome:
    """What one ATTENDEE's answer in one event led to.

    kind: cancelled, too_late, other_version (not the SEQUENCE last sent), unverified
    (From, ATTENDEE or DMARC not the booked person's), already_cancelled, refused (the
    booking service said no), not_ours (no seat of ours has the UID) or ignored
    (accepted, tentative and the like).
    """

    kind: str
    uid: str
    attendee: str
    booking_id: int | None = None


@dataclass(frozen=True)
class ReplyResult:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def handled(self) -> bool:
        """The message was a calendar reply, so the mailbox may mark it as read.

        Any other mail (a question to the address, a forwarded invite) stays unread
        for the people who share the mailbox."""
        return bool(self.outcomes)


@dataclass(frozen=True)
class _Answer:
    uid: str
    sequence: int
    attendee: str
    partstat: str


def _address(value) -> str:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.strip().lower()


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _answers(message: EmailMessage) -> list[_Answer]:
    """Every ATTENDEE's PARTSTAT in the message's METHOD:REPLY calendars, once each."""
    answers: dict[tuple[str, str], _Answer] = {}
    for part in message.walk():
        if part.get_content_type() not in CALENDAR_TYPES:
            continue
        try:
            calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True) or b"")
        except ValueError:
            continue
        if str(calendar.get("METHOD", "")).strip().upper() != "REPLY":
            continue
        for event in calendar.walk("VEVENT"):
            uid = str(event.get("UID", "")).strip()
            try:
                sequence = int(str(event.get("SEQUENCE", 0)))
            except ValueError:
                continue
            for attendee in _as_list(event.get("ATTENDEE")):
                params = getattr(attendee, "params", {})
                answer = _Answer(
                    uid,
                    sequence,
                    _address(attendee),
                    str(params.get("PARTSTAT", "NEEDS-ACTION")).upper(),
                )
                answers.setdefault((answer.uid, answer.attendee), answer)
    return list(answers.values())


def _sender(message: EmailMessage) -> str | None:
    """The one address in From, or None when there is not exactly one."""
    addresses = [a for _name, a in getaddresses([str(message.get("From", ""))]) if a]
    return addresses[0].lower() if len(addresses) == 1 else None


def _dmarc_passed(message: EmailMessage) -> bool:
    """True unless REPLIES_AUTHSERV_ID is set and our server did not find DMARC to pass.

    Only Authentication-Results headers with our server's authserv-id count: a sender
    can write any such header, and our server removes copies of its own (RFC 8601 §5).
    """
    authserv = current_app.config.get("REPLIES_AUTHSERV_ID")
    if not authserv:
        return True
    for header in message.get_all("Authentication-Results", []):
        name, _sep, results = str(header).partition(";")
        words = name.split()
        ours = bool(words) and words[0].lower() == authserv.lower()
        if ours and re.search(r"(^|[\s;])dmarc\s*=\s*pass\b", results, re.IGNORECASE):
            return True
    return False


def apply_reply(raw: bytes, now: datetime | None = None) -> ReplyResult:
    """Act on one mail from the replies mailbox; each DECLINED seat in it is cancelled
    (before the deadline) or its holder is told why not."""
    now = now or utcnow()
    message = message_from_bytes(raw, policy=email_policy.default)
    answers = _answers(message)
    if not answers:
        return ReplyResult()
    sender = _sender(message)
    verified = _dmarc_passed(message)
    outcomes = []
    for answer in answers:
        try:
            outcome = _apply(answer, sender, verified, now)
        except DomainError as refusal:
            log.info("reply for %s not applied: %s", answer.uid, refusal.message)
            outcome = Outcome("refused", answer.uid, answer.attendee)
        log.info("calendar reply %s from %s: %s", answer.uid, sender, outcome.kind)
        outcomes.append(outcome)
    return ReplyResult(outcomes)


def _apply(answer: _Answer, sender: str | None, verified: bool, now: datetime) -> Outcome:
    def outcome(kind: str, booking: Booking | None = None) -> Outcome:
        return Outcome(kind, answer.uid, answer.attendee, booking.id if booking else None)

    if answer.partstat != "DECLINED":
        return outcome("ignored")
    with unit_of_work():
        entry = _entry(answer.uid)
        if entry is None:
            return outcome("not_ours")
        # The session's lock orders this after any move or cancellation under way, so
        # the SEQUENCE and the seat compared below are the ones the reply meets.
        lock_session(entry.session_id)
        entry = db.session.get(CalendarEntry, entry.id, populate_existing=True)
        booking = db.session.get(Booking, entry.booking_id, populate_existing=True)
        if booking is None:
            return outcome("not_ours")
        person = booking.employee
        if entry.cancelled or not booking.is_live:
            return outcome("already_cancelled", booking)
        own = person.email.lower()
        if not (verified and sender == own and answer.attendee == own):
            _tell(person, booking, entry, "unverified", sender=sender or "?")
            return outcome("unverified", booking)
        session = booking.session
        if now > BookingWindow.for_session(session).cancel_deadline:
            _tell(person, booking, entry, "too_late")
            return outcome("too_late", booking)
        if answer.sequence != entry.sequence:
            _tell(person, booking, entry, "other_version")
            return outcome("other_version", booking)
        cancel_booking(booking.id, person, now, note=CALENDAR_REPLY_NOTE)
        return outcome("cancelled", booking)


def _entry(uid: str) -> CalendarEntry | None:
    if not uid or len(uid) > 120:
        return None
    return db.session.scalar(
        select(CalendarEntry).where(
            CalendarEntry.uid == uid,
            CalendarEntry.role == EntryRole.PARTICIPANT,
            CalendarEntry.booking_id.is_not(None),
        )
    )


def _tell(person: Person, booking: Booking, entry: CalendarEntry, why: str, **params) -> None:
    """Mail the seat's holder that their Decline cancelled nothing, and what to do.

    Once per seat, reason and version of the invite: a stream of forged replies cannot
    turn into a stream of mail to the person."""
    session = booking.session
    center = session.center
    with speaking_to(person):
        deadline = short_datetime(events.cancel_deadline(session))
        contact = _(
            "Därefter, eller vid frågor: %(name)s, %(email)s %(phone)s",
            name=center.contact_name,
            email=center.contact_email,
            phone=center.contact_phone or "",
        ).strip()
        cancel_here = _(
            "Avboka senast %(deadline)s: %(url)s",
            deadline=deadline,
            url=events.public_url(f"/bookings/{booking.id}/cancel"),
        )
        if why == "too_late":
            intro = _(
                "Vi fick ditt svar Avböj från kalendern, men sista dag att avboka var "
                "%(deadline)s. Platsen är fortfarande bokad för dig.",
                deadline=deadline,
            )
            details = _(
                "Kan du inte komma? Kontakta testcentret: %(name)s, %(email)s %(phone)s",
                name=center.contact_name,
                email=center.contact_email,
                phone=center.contact_phone or "",
            ).strip()
        elif why == "other_version":
            intro = _(
                "Vi fick ditt svar Avböj på en äldre version av inbjudan, så platsen är "
                "inte avbokad. Den gäller tiden nedan."
            )
            details = f"{cancel_here}\n{contact}"
        else:
            intro = _(
                "Vi fick ett svar Avböj för din plats från %(sender)s men kunde inte "
                "bekräfta att det kom från dig, så platsen är inte avbokad.",
                sender=params["sender"],
            )
            details = f"{cancel_here}\n{contact}"
        when = time_span(session.starts_at, session.ends_at)
        context = {
            "person": person,
            "intro": intro,
            "model": session.model.name,
            "when": when,
            "place": events.location(session),
            "details": details,
            "cancelled": False,
        }
        what = f"{session.model.name}, {when}"
        message = compose_mail(
            (person.name, person.email),
            _("Din plats är inte avbokad: %(what)s", what=what),
            render_template("calendar/mail/message.txt", **context),
            render_template("calendar/mail/message.html", **context),
            reply_to=center.contact_email,
        )
    enqueue(
        message,
        kind=f"reply_{why}"[:20],
        recipient=person.email,
        dedupe_key=f"reply:{why}:{entry.id}:{entry.sequence}",
    )


class RepliesNotConfigured(Exception):
    """REPLIES_IMAP_HOST or REPLIES_ADDRESS is not set."""


@dataclass
class ReadReport:
    unseen: int = 0
    replies: int = 0  # calendar replies, marked as read
    cancelled: int = 0
    not_cancelled: int = 0  # declines that cancelled nothing (the person is told)
    failed: int = 0  # messages that raised; left unread for the next round


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _connect() -> imaplib.IMAP4:
    config = current_app.config
    ssl = config["REPLIES_IMAP_SSL"]
    port = config["REPLIES_IMAP_PORT"] or (993 if ssl else 143)
    kind = imaplib.IMAP4_SSL if ssl else imaplib.IMAP4
    imap = kind(config["REPLIES_IMAP_HOST"], int(port), timeout=config["REPLIES_IMAP_TIMEOUT"])
    try:
        imap.login(config["REPLIES_IMAP_USER"] or "", config["REPLIES_IMAP_PASSWORD"] or "")
        status, detail = imap.select(_quoted(config["REPLIES_IMAP_MAILBOX"]))
        if status != "OK":
            raise imaplib.IMAP4.error(f"SELECT {config['REPLIES_IMAP_MAILBOX']}: {detail}")
    except BaseException:
        with suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
        raise
    return imap


def _fetch(imap: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # BODY.PEEK leaves the message unread until it has been dealt with.
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return None


def read_replies(now: datetime | None = None) -> ReadReport:
    """Read the replies mailbox once: act on every unread calendar reply and mark it read."""
    if events.replies_address() is None:
        raise RepliesNotConfigured
    report = ReadReport()
    imap = _connect()
    try:
        status, data = imap.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        report.unseen = len(uids)
        for uid in uids:
            raw = _fetch(imap, uid)
            if raw is None:
                report.failed += 1
                continue
            try:
                result = apply_reply(raw, now)
            except Exception:  # one bad message must not stop the others
                log.exception("calendar reply (IMAP UID %s) could not be read", uid)
                db.session.rollback()
                report.failed += 1
                continue
            if not result.handled:
                continue
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            report.replies += 1
            for outcome in result.outcomes:
                if outcome.kind == "cancelled":
                    report.cancelled += 1
                elif outcome.kind in ("too_late", "other_version", "unverified"):
                    report.not_cancelled += 1
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
    return report
