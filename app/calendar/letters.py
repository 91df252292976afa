"""The e-mails about a person's event: what to say is fixed at the change, the message
is written when it is sent.

A change queues a small snapshot (who, why, which event as it then stood, in which
language) in the same transaction; the mail worker turns it into the MIME message
with its invite, through the renderer `connect` registers for the letters' kinds. So
DTSTAMP and Date are the send time, as RFC 5546 has it, and the booking request does
not spend its time (and its lock) composing mail.
"""

import dataclasses
import json
from datetime import datetime
from email.message import EmailMessage
from types import SimpleNamespace

from flask import Flask, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.calendar import events
from app.calendar.ics import Attendee, EventData, calendar_bytes
from app.db import utcnow
from app.formatting import time_span
from app.i18n import person_locale
from app.mail import renderers
from app.mail.compose import MAIL_POLICY
from app.mail.compose import compose as compose_mail
from app.mail.outbox import enqueue_payload

# Why a person gets a letter; each is also the kind of its outbox message.
REASONS = (
    "booked",
    "promoted",
    "moved",
    "session_changed",
    "cancelled",
    "employee_left",
    "session_cancelled",
    "assigned",
    "unassigned",
    "waitlisted",
    "waitlist_moved",
    "waitlist_cancelled",
    "waitlist_left",
    "reminder",
)


_SESSION_CANCELLED = ("session_cancelled", "waitlist_cancelled")


def _subject(reason: str, model: str, starts_at: datetime, ends_at: datetime) -> str:
    what = f"{model}, {time_span(starts_at, ends_at)}"
    titles = {
        "booked": lambda: _("Bokningsbekräftelse: %(what)s", what=what),
        "promoted": lambda: _("Du har fått en plats: %(what)s", what=what),
        "moved": lambda: _("Din bokning är flyttad: %(what)s", what=what),
        "session_changed": lambda: _("Ändrad tid eller plats: %(what)s", what=what),
        "cancelled": lambda: _("Avbokad: %(what)s", what=what),
        "employee_left": lambda: _("Avbokad: %(what)s", what=what),
        "session_cancelled": lambda: _("Inställt: %(what)s", what=what),
        "assigned": lambda: _("Nytt pass som testledare: %(what)s", what=what),
        "unassigned": lambda: _("Du är inte längre testledare: %(what)s", what=what),
        "waitlisted": lambda: _("Du står i kö: %(what)s", what=what),
        "waitlist_moved": lambda: _("Ny tid för passet du står i kö till: %(what)s", what=what),
        "waitlist_cancelled": lambda: _("Inställt, din köplats är borttagen: %(what)s", what=what),
        "waitlist_left": lambda: _("Du står inte längre i kö: %(what)s", what=what),
        "reminder": lambda: _("Påminnelse: %(what)s", what=what),
    }
    return titles[reason]()  # only the one sent is translated


def _intro(reason: str) -> str:
    texts = {
        "booked": lambda: _("Du har en plats. Kalenderinbjudan är bifogad."),
        "promoted": lambda: _(
            "En plats blev ledig och den är nu din. Kalenderinbjudan är bifogad."
        ),
        "moved": lambda: _(
            "Din bokning är flyttad till den nya tiden nedan. Kalendern uppdateras."
        ),
        "session_changed": lambda: _("Testcentret har ändrat passet. Kalendern uppdateras."),
        "cancelled": lambda: _("Din plats är avbokad och tas bort ur kalendern."),
        "employee_left": lambda: _(
            "Du har slutat på företaget, så din plats är avbokad och tas bort ur kalendern."
        ),
        "session_cancelled": lambda: _(
            "Testcentret har ställt in passet. Det tas bort ur kalendern."
        ),
        "assigned": lambda: _("Du är testledare för passet nedan."),
        "unassigned": lambda: _(
            "Passet nedan har fått en annan testledare och tas bort ur din kalender."
        ),
        "waitlisted": lambda: _(
            "Passet är fullt och du står i kö. Blir en plats ledig får du den och ett nytt mejl."
        ),
        "waitlist_moved": lambda: _(
            "Testcentret har flyttat passet du står i kö till. Du står kvar i kön, och blir "
            "en plats ledig får du den på den nya tiden. Passar den inte kan du lämna kön "
            "under Mina bokningar."
        ),
        "waitlist_cancelled": lambda: _("Testcentret har ställt in passet du stod i kö till."),
        "waitlist_left": lambda: _(
            "Din plats i kön till passet nedan är borttagen. Du får ingen plats på det."
        ),
        "reminder": lambda: _("Välkommen till din validering."),
    }
    return texts[reason]()


def _event_fields(event: EventData) -> dict:
    fields = {
        "uid": event.uid,
        "sequence": event.sequence,
        "summary": event.summary,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "location": event.location,
        "description": event.description,
        "cancelled": event.cancelled,
        "organizer_email": event.organizer_email,
        "organizer_name": event.organizer_name,
        "rsvp": event.rsvp,
        "url": event.url,
        "last_modified": event.last_modified.isoformat() if event.last_modified else None,
    }
    if event.attendee:
        fields["attendee"] = [event.attendee.email, event.attendee.name, event.attendee.role]
    return fields


def _event_from(fields: dict) -> EventData:
    attendee = fields.pop("attendee", None)
    modified = fields.pop("last_modified", None)
    return EventData(
        **{
            **fields,
            "starts_at": datetime.fromisoformat(fields["starts_at"]),
            "ends_at": datetime.fromisoformat(fields["ends_at"]),
        },
        attendee=Attendee(*attendee) if attendee else None,
        last_modified=datetime.fromisoformat(modified) if modified else None,
    )


def snapshot(
    person,
    reason: str,
    session,
    event: EventData | None,
    method: str | None,
    was=None,
    now: datetime | None = None,
) -> dict:
    """What the mail about this change will say, read now, inside the change's transaction.

    `event` must have been made in the person's language (notify does so); `was`, the
    start and end a moved session had; `now`, when a reminder is written (past the
    cancel deadline it says whom to ask instead of how to cancel).
    """
    locale = person_locale(person)
    details = None
    if event:
        details = event.description
    elif reason == "reminder":
        with force_locale(locale):
            details = events.participant_description(session, now=now or utcnow())
    return {
        "to": [person.name, person.email],
        "locale": locale,
        "reason": reason,
        "model": session.model.name,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "place": events.location(session),
        "reply_to": session.center.contact_email,
        "details": details,
        # The center admin's words to the participants; their event says it too.
        "cancel_reason": _cancellation_reason(session, locale)
        if reason in _SESSION_CANCELLED
        else "",
        # Where to find another session of the model, and whom to ask: in the mail's
        # text too, not only in the invite's DESCRIPTION (a queue place has no invite).
        # Only for those who had a seat or queue place: the testledare books nothing.
        "next_steps": _how_to_go_on(session, locale)
        if reason in _SESSION_CANCELLED and person.id != session.assessor_id
        else "",
        "was": [moment.isoformat() for moment in was] if was else None,
        "method": method if event else None,
        "event": _event_fields(event) if event else None,
    }


def _how_to_go_on(session, locale: str) -> str:
    with force_locale(locale):
        return "\n".join(events.how_to_go_on(session))


def _cancellation_reason(session, locale: str) -> str:
    with force_locale(locale):
        return events.cancellation_reason(session)


def subject_of(payload: dict) -> str:
    with force_locale(payload["locale"]):
        return _subject(
            payload["reason"],
            payload["model"],
            datetime.fromisoformat(payload["starts_at"]),
            datetime.fromisoformat(payload["ends_at"]),
        )


def enqueue_letter(payload: dict, kind: str, dedupe_key: str | None = None) -> bool:
    """Queue an invite mail as its snapshot; the worker writes it when it sends it."""
    if kind not in REASONS:  # the worker would find no renderer for it
        raise ValueError(f"not a kind of letter: {kind!r}")
    return enqueue_payload(
        to_json(payload),
        kind=kind,
        recipient=payload["to"][1],
        subject=subject_of(payload),
        dedupe_key=dedupe_key,
    )


def connect(app: Flask) -> None:
    """Let this app's mail worker and outbox write the letters queued as snapshots."""
    renderers.register(app, REASONS, message_bytes)


def to_json(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def message_bytes(payload: dict | str, now: datetime | None = None) -> bytes:
    """The message ready for SMTP, stamped `now`."""
    return compose(payload, now).as_bytes(policy=MAIL_POLICY)


def compose(payload: dict | str, now: datetime | None = None) -> EmailMessage:
    """The message as it is sent: text, HTML and the invite stamped `now`."""
    if isinstance(payload, str):
        payload = json.loads(payload)
    starts_at = datetime.fromisoformat(payload["starts_at"])
    ends_at = datetime.fromisoformat(payload["ends_at"])
    event = _event_from(dict(payload["event"])) if payload["event"] else None
    if event is not None:
        # From is MAIL_FROM as it is at sending: SENT-BY must name that address.
        event = dataclasses.replace(event, organizer_sent_by=events.sent_by(event.organizer_email))
    method = payload["method"]
    name, email = payload["to"]
    with force_locale(payload["locale"]):
        context = {
            "person": SimpleNamespace(name=name),
            "intro": _intro(payload["reason"]),
            "model": payload["model"],
            "when": time_span(starts_at, ends_at),
            "place": payload["place"],
            "details": payload["details"],
            "cancel_reason": payload.get("cancel_reason"),  # not in letters queued before it
            "next_steps": payload.get("next_steps"),  # nor this
            "was": time_span(*map(datetime.fromisoformat, payload["was"]))
            if payload.get("was")
            else None,
            "cancelled": event is not None and event.cancelled,
        }
        calendar = calendar_bytes([event], method=method, stamp=now) if method else None
        return compose_mail(
            (name, email),
            _subject(payload["reason"], payload["model"], starts_at, ends_at),
            render_template("calendar/mail/message.txt", **context),
            render_template("calendar/mail/message.html", **context),
            calendar=calendar,
            method=method,
            reply_to=payload["reply_to"],
            now=now,
        )
