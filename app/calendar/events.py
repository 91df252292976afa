"""The events people see: an employee's seat, a testledare's session, a center's session.

Invites, feeds and single downloads all take their events from here, so the three
never disagree about a time, a place or a UID.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from app.bookings.models import Booking
from app.calendar.ics import Attendee, EventData
from app.calendar.models import CalendarEntry
from app.config import Defaults
from app.formatting import short_datetime
from app.schedule.models import SessionStatus, ValidationSession


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def _domain() -> str:
    return current_app.config["CALENDAR_UID_DOMAIN"]


def seat_uid(booking_id: int) -> str:
    return f"seat-{booking_id}@{_domain()}"


def assessor_uid(session_id: int, person_id: int) -> str:
    return f"session-{session_id}-testledare-{person_id}@{_domain()}"


def center_uid(session_id: int) -> str:
    return f"session-{session_id}@{_domain()}"


def replies_address() -> str | None:
    """The mailbox `flask read-replies` reads, when it is set up; None otherwise.

    A participant's invite names it as ORGANIZER, so the reply a calendar sends when
    the person presses Decline lands where the app reads it (app/calendar/replies.py).
    """
    config = current_app.config
    if config.get("REPLIES_IMAP_HOST") and config.get("REPLIES_ADDRESS"):
        return config["REPLIES_ADDRESS"]
    return None


def sent_by(organizer_email: str | None) -> str | None:
    """MAIL_FROM's address when the mail comes from someone other than the ORGANIZER.

    RFC 5545 §3.2.18 and RFC 6047 §3: a client that sees an invite from an address
    that is not the organizer's looks for SENT-BY to trust it.
    """
    sender = parseaddr(current_app.config["MAIL_FROM"])[1]
    if not organizer_email or not sender or sender.lower() == organizer_email.lower():
        return None
    return sender


def location(session: ValidationSession) -> str:
    center = session.center
    return f"{center.name}, {center.street_address}, {center.postal_code} {center.postal_town}"


def cancel_deadline(session: ValidationSession):
    return session.starts_at - timedelta(hours=current_app.config["CANCEL_DEADLINE_HOURS"])


def what_to_bring() -> str:
    """The WHAT_TO_BRING setting; its default in the reader's language, a custom text as set."""
    text = current_app.config["WHAT_TO_BRING"]
    if text == Defaults.WHAT_TO_BRING:
        return _(
            "legitimation med foto, skyddsskor och arbetskläder för den praktiska delen, "
            "och glasögon om du läser med sådana"
        )
    return text


def _how_to_cancel(session: ValidationSession, booking_id: int | None) -> list[str]:
    deadline = short_datetime(cancel_deadline(session))
    if booking_id is None:  # the reminder, with no seat of its own to link to
        return [
            _(
                "Avboka eller flytta senast %(deadline)s under Mina bokningar: %(url)s",
                deadline=deadline,
                url=public_url("/bookings"),
            )
        ]
    lines = [
        _(
            "Avboka senast %(deadline)s: %(url)s",
            deadline=deadline,
            url=public_url(f"/bookings/{booking_id}/cancel"),
        ),
        _("Flytta under Mina bokningar: %(url)s", url=public_url("/bookings")),
    ]
    if replies_address():
        lines.append(
            _(
                "Avböjer du inbjudan i din kalender (Avböj, Tacka nej) senast %(deadline)s "
                "avbokas platsen också, och du får en bekräftelse.",
                deadline=deadline,
            )
        )
    else:
        lines.append(_("Att avböja inbjudan i kalendern avbokar inte platsen: använd länken ovan."))
    return lines


def _too_late_to_cancel(session: ValidationSession) -> list[str]:
    """What a text written after the deadline says instead: no dead link, but whom to ask
    (only the center's staff may cancel or move the seat now)."""
    center = session.center
    return [
        _(
            "Sista dag att avboka eller flytta var %(deadline)s. Platsen kan inte längre "
            "avbokas eller flyttas på webben eller genom att avböja inbjudan i kalendern.",
            deadline=short_datetime(cancel_deadline(session)),
        ),
        _(
            "Kan du inte komma, eller har du frågor? Kontakta testcentret: "
            "%(name)s, %(email)s %(phone)s",
            name=center.contact_name,
            email=center.contact_email,
            phone=center.contact_phone or "",
        ).strip(),
    ]


def past_cancel_deadline(session: ValidationSession, now: datetime) -> bool:
    return now > cancel_deadline(session)


def cancellation_reason(session: ValidationSession) -> str:
    """Why the session was cancelled, in the reader's language: the admin's words, and
    that the center closed the day when it did; empty when nobody said."""
    if not session.cancelled_for_closure:
        return session.cancel_reason
    if session.cancel_reason:
        return _("Testcentret är stängt: %(reason)s", reason=session.cancel_reason)
    return _("Testcentret är stängt den dagen.")


def other_sessions_url(session: ValidationSession) -> str:
    """The search for sessions of the same validation with a free seat, any date."""
    query = {"model": session.model_id, "weeks": 0, "free_only": "y"}
    return public_url("/?" + urlencode(query))


def how_to_go_on(session: ValidationSession) -> list[str]:
    """What someone whose seat or queue place is gone can do: find another session of
    the same validation, or ask the center."""
    return [
        _("Boka ett annat pass: %(url)s", url=other_sessions_url(session)),
        _center_questions(session),
    ]


def _center_questions(session: ValidationSession) -> str:
    center = session.center
    return _(
        "Frågor? Kontakta testcentret: %(name)s, %(email)s %(phone)s",
        name=center.contact_name,
        email=center.contact_email,
        phone=center.contact_phone or "",
    ).strip()


def _cancelled_lines(session: ValidationSession) -> list[str]:
    why = cancellation_reason(session)
    lines = [_("Testcentret har ställt in passet.")]
    return [*lines, _("Anledning: %(reason)s", reason=why)] if why else lines


def participant_description(
    session: ValidationSession,
    booking_id: int | None = None,
    cancelled: bool = False,
    now: datetime | None = None,
    left: bool = False,
) -> str:
    """What the participant's event says; with the booking, its own cancel link. A
    cancelled seat's event says so instead of how to come and how to cancel; `left`:
    cancelled because the person left their company (no other session to book).

    `now`, the moment a message is written: once the deadline has passed it says whom
    to contact instead of how to cancel. Without it (a feed, read at any time) the
    text gives the deadline and, for after it, the center's contact.
    """
    center = session.center
    contact = [
        _(
            "Därefter, eller vid frågor: %(name)s, %(email)s %(phone)s",
            name=center.contact_name,
            email=center.contact_email,
            phone=center.contact_phone or "",
        ).strip()
    ]
    if cancelled and left:
        what_now = [
            _("Din plats är avbokad eftersom du har slutat på företaget."),
            _center_questions(session),
        ]
        contact = []
    elif cancelled:
        if session.status != SessionStatus.CANCELLED:
            why = [_("Din plats är avbokad.")]
        else:
            why = _cancelled_lines(session)
        what_now = [*why, *how_to_go_on(session)]
        contact = []  # said by how_to_go_on, without "after the deadline"
    else:
        late = now is not None and past_cancel_deadline(session, now)
        what_now = [
            _("Ta med: %(items)s", items=what_to_bring()),
            _(
                "Kom gärna %(minutes)s minuter före start för incheckning.",
                minutes=current_app.config["ARRIVE_MINUTES_BEFORE"],
            ),
            "",
            *(_too_late_to_cancel(session) if late else _how_to_cancel(session, booking_id)),
        ]
        if late:
            contact = []  # said above, with why
    return "\n".join(
        [
            _("Validering: %(model)s", model=session.model.name),
            _("Plats: %(place)s", place=location(session)),
            "",
            *what_now,
            *contact,
        ]
    )


def participant_event(
    booking: Booking,
    entry: CalendarEntry | None,
    cancelled: bool = False,
    now: datetime | None = None,
    left: bool = False,
) -> EventData:
    """The seat's event; `now` and `left` as for participant_description (an invite,
    not a feed)."""
    session = booking.session
    employee = booking.employee
    return EventData(
        uid=entry.uid if entry else seat_uid(booking.id),
        sequence=entry.sequence if entry else 0,
        summary=_("Validering: %(model)s", model=session.model.name),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=location(session),
        description=participant_description(session, booking.id, cancelled, now, left),
        cancelled=cancelled,
        organizer_email=replies_address() or session.center.contact_email,
        organizer_name=session.center.name,
        attendee=Attendee(employee.email, employee.name),
        # Outlook sends no reply at all to an organizer who asked for none: Decline
        # would take the event out of the calendar and leave the seat booked.
        rsvp=replies_address() is not None,
        url=public_url("/bookings"),
        # The entry changes with everything the event shows (feeds.personal_validator).
        last_modified=entry.updated_at
        if entry
        else max(t for t in (booking.updated_at, session.changed_at) if t),
    )


def _assessor_description(session: ValidationSession, cancelled: bool) -> str:
    """What the testledare's event says: where and how to check in, or, once it is off
    their calendar, why (no check-in link for a session they no longer run)."""
    if session.status == SessionStatus.CANCELLED:
        what = _cancelled_lines(session)
    elif cancelled:
        what = [_("Passet har fått en annan testledare.")]
    else:
        what = [
            _("Du är testledare för %(model)s.", model=session.model.name),
            _("Deltagare och incheckning: %(url)s", url=public_url(f"/sessions/{session.id}")),
        ]
    return "\n".join([*what[:1], _("Plats: %(place)s", place=location(session)), *what[1:]])


def assessor_event(
    session: ValidationSession, entry: CalendarEntry | None, cancelled: bool = False
) -> EventData:
    person = entry.person if entry else session.assessor
    return EventData(
        uid=entry.uid if entry else assessor_uid(session.id, person.id),
        sequence=entry.sequence if entry else 0,
        summary=_("Testledare: %(model)s", model=session.model.name),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=location(session),
        description=_assessor_description(session, cancelled),
        cancelled=cancelled,
        organizer_email=session.center.contact_email,
        organizer_name=session.center.name,
        attendee=Attendee(person.email, person.name, role="CHAIR"),
        url=public_url(f"/sessions/{session.id}"),
        last_modified=entry.updated_at if entry else session.changed_at,
    )


def center_event(session: ValidationSession) -> EventData:
    """A center's public event: what, when, where and seats left; nobody's name."""
    return EventData(
        uid=center_uid(session.id),
        sequence=session.revision,
        summary=_("%(model)s (inställt)", model=session.model.name)
        if session.status == SessionStatus.CANCELLED
        else ngettext(
            "%(model)s (%(num)s ledig plats)",
            "%(model)s (%(num)s lediga platser)",
            max(session.seats_left, 0),
            model=session.model.name,
        ),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=location(session),
        description=_("Boka: %(url)s", url=public_url(f"/sessions/{session.id}")),
        cancelled=session.status == SessionStatus.CANCELLED,
        url=public_url(f"/sessions/{session.id}"),
        last_modified=session.changed_at,
    )
