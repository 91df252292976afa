"""Pressing Decline in a calendar: the invite's ORGANIZER and SENT-BY, the reply that
Outlook or Apple Calendar mails back, and `flask read-replies` reading it over IMAP."""

import json
import os
import subprocess
import tempfile
from datetime import date, time, timedelta
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

import icalendar
import pytest
import vobject
from sqlalchemy import select

from app.bookings.models import Booking
from app.bookings.services import book_seat, move_booking
from app.bookings.session_changes import move_session
from app.calendar.replies import apply_reply
from app.extensions import db
from tests.calendars import JS_DIR, calendar_part, invite_of, last_id, outbox, parse_mail
from tests.conftest import Auth
from tests.imap_stub import LoopbackImap, Mailbox

REPLIES = "svar@testcenterbokning.example.se"
SENDER = "bokning@testcenterbokning.example.se"  # MAIL_FROM's default address
TUESDAY = date(2027, 9, 14)  # an ordinary working day


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def replies_on(app):
    app.config.update(
        REPLIES_ADDRESS=REPLIES,
        REPLIES_IMAP_HOST="127.0.0.1",
        REPLIES_IMAP_SSL=False,
        REPLIES_IMAP_USER="svar",
        REPLIES_IMAP_PASSWORD="hemligt losen",
    )
    return app


def _invite(row):
    calendar = icalendar.Calendar.from_ical(invite_of(row))
    (event,) = calendar.walk("VEVENT")
    return event


def _seat(make, starts_in=timedelta(days=14), session=None):
    """An employee's seat and the invite their calendar received for it."""
    session = session or make.session(starts_in=starts_in)
    employee = make.employee()
    mark = last_id()
    booking = book_seat(session.id, employee, employee)
    (row,) = outbox(mark)
    return booking, employee, row


def _reply(
    invite,
    attendee: str,
    sender: str,
    partstat: str = "DECLINED",
    style: str = "outlook",
    sequence: int | None = None,
    headers: dict | None = None,
) -> bytes:
    """A METHOD:REPLY mail as Outlook (Exchange) or Apple Calendar writes one."""
    uid = str(invite["UID"])
    sequence = int(invite["SEQUENCE"]) if sequence is None else sequence
    organizer = str(invite["ORGANIZER"])
    start = invite.decoded("DTSTART").strftime("%Y%m%dT%H%M%S")
    end = invite.decoded("DTEND").strftime("%Y%m%dT%H%M%S")
    if style == "outlook":
        lines = [
            "BEGIN:VCALENDAR",
            "METHOD:REPLY",
            "PRODID:Microsoft Exchange Server 2010",
            "VERSION:2.0",
            "BEGIN:VTIMEZONE",
            "TZID:W. Europe Standard Time",
            "BEGIN:STANDARD",
            "DTSTART:16010101T030000",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:16010101T020000",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3",
            "END:DAYLIGHT",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            f"ATTENDEE;PARTSTAT={partstat};CN=Anna Andersson:MAILTO:{attendee.upper()}",
            "COMMENT;LANGUAGE=sv-SE:\\n",
            "SUMMARY;LANGUAGE=sv-SE:Avböjt: Validering",
            f"DTSTART;TZID=W. Europe Standard Time:{start}",
            f"DTEND;TZID=W. Europe Standard Time:{end}",
            f"UID:{uid}",
            "CLASS:PUBLIC",
            "PRIORITY:5",
            "DTSTAMP:20270901T101010Z",
            "TRANSP:OPAQUE",
            "STATUS:CONFIRMED",
            f"SEQUENCE:{sequence}",
            f"X-MICROSOFT-CDO-APPT-SEQUENCE:{sequence}",
            f"ORGANIZER:{organizer}",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    else:
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Apple Inc.//macOS 14.5//EN",
            "METHOD:REPLY",
            "CALSCALE:GREGORIAN",
            "BEGIN:VEVENT",
            f'ATTENDEE;CN="Anna Andersson";CUTYPE=INDIVIDUAL;EMAIL="{attendee}";'
            f"PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:mailto:{attendee}",
            f"DTEND;TZID=Europe/Stockholm:{end}",
            "DTSTAMP:20270901T101010Z",
            f"DTSTART;TZID=Europe/Stockholm:{start}",
            f'ORGANIZER;CN="Testcenter":{organizer}',
            "REQUEST-STATUS:2.0;Success",
            f"SEQUENCE:{sequence}",
            "SUMMARY:Validering",
            f"UID:{uid}",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    calendar = "\r\n".join(lines) + "\r\n"
    message = EmailMessage()
    message["From"] = f"Anna Andersson <{sender}>"
    message["To"] = organizer.removeprefix("mailto:")
    message["Subject"] = "Avböjt: Validering" if partstat == "DECLINED" else "Svar: Validering"
    message["Message-ID"] = make_msgid(domain="example.se")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content("Anna Andersson har avböjt.")
    if style == "outlook":  # multipart/alternative with the calendar as one of them, base64
        message.add_alternative(
            calendar.encode(), "text", "calendar", params={"method": "REPLY", "charset": "utf-8"}
        )
    else:  # multipart/mixed with the calendar as an attachment, quoted-printable
        message.add_attachment(
            calendar,
            subtype="calendar",
            cte="quoted-printable",
            params={"method": "REPLY"},
            filename="iCal-20270901-101010.ics",
        )
    return message.as_bytes()


def _reload(booking: Booking) -> Booking:
    return db.session.get(Booking, booking.id, populate_existing=True)


def _kinds(mark: int) -> list[tuple[str, str]]:
    return [(row.kind, row.recipient) for row in outbox(mark)]


# The invite -------------------------------------------------------------------------


def _with_icaljs_organizer(data: bytes) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "invite.ics")
        with open(path, "wb") as handle:
            handle.write(data)
        output = subprocess.run(
            ["node", os.path.join(JS_DIR, "organizer.mjs"), path],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    ((event,),) = json.loads(output)
    return event


def test_the_invite_says_who_sends_it_for_the_organizer_in_every_parser(app, ctx, make):
    """ORGANIZER is the center's mailbox, the mail comes From MAIL_FROM: SENT-BY names it
    (RFC 5545 §3.2.18), so a client does not see an invite forged by a stranger."""
    booking, _employee, row = _seat(make)
    center = booking.session.center
    sender = parseaddr(str(parse_mail(row.raw)["From"]))[1]
    assert sender == SENDER
    data = invite_of(row)

    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == f"mailto:{center.contact_email}"
    assert event["ORGANIZER"].params["SENT-BY"] == f"mailto:{sender}"
    assert event["ORGANIZER"].params["CN"] == center.name
    vevent = vobject.readOne(data.decode()).vevent
    assert vevent.organizer.value == f"mailto:{center.contact_email}"
    assert vevent.organizer.params["SENT-BY"] == [f"mailto:{sender}"]
    js = _with_icaljs_organizer(data)
    assert js["organizer"] == f"mailto:{center.contact_email}"
    assert js["sent_by"] == f"mailto:{sender}"
    assert js["organizer_cn"] == center.name
    # Without a mailbox that reads replies nobody would act on an answer: none is asked.
    assert js["rsvp"] == "FALSE"

    # Sent by the organizer's own address: no SENT-BY.
    app.config["MAIL_FROM"] = f"{center.name} <{center.contact_email}>"
    mark = last_id()
    book_seat(booking.session_id, other := make.employee(), other)
    (own,) = outbox(mark)
    assert "SENT-BY" not in _invite(own)["ORGANIZER"].params


def test_without_a_replies_mailbox_the_invite_says_declining_cancels_nothing(ctx, make):
    booking, _employee, row = _seat(make)
    message = parse_mail(row.raw)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    cancel = f"/bookings/{booking.id}/cancel"
    assert "Avboka senast" in text and cancel in text
    assert f'href="http://127.0.0.1:5000{cancel}"' in html
    assert "Att avböja inbjudan i kalendern avbokar inte platsen" in text
    assert cancel in str(_invite(row)["DESCRIPTION"])


def test_with_a_replies_mailbox_the_invite_asks_for_a_reply_there(replies_on, ctx, make):
    """Outlook sends no answer to an organizer who asked for none (RSVP=FALSE): Decline
    would only remove the event. So the invite asks, and names the mailbox that is read."""
    booking, employee, row = _seat(make)
    center = booking.session.center
    event = _invite(row)
    assert str(event["ORGANIZER"]) == f"mailto:{REPLIES}"
    assert event["ORGANIZER"].params["CN"] == center.name
    assert event["ORGANIZER"].params["SENT-BY"] == f"mailto:{SENDER}"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{employee.email}"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "ACCEPTED"
    js = _with_icaljs_organizer(invite_of(row))
    assert js["organizer"] == f"mailto:{REPLIES}" and js["rsvp"] == "TRUE"
    # Plain answers to the mail still go to the center.
    message = parse_mail(row.raw)
    assert message["Reply-To"] == center.contact_email
    text = message.get_body(("plain",)).get_content()
    assert f"/bookings/{booking.id}/cancel" in text
    assert "Avböjer du inbjudan i din kalender (Avböj, Tacka nej) senast" in text

    # Sent from the replies mailbox itself: no SENT-BY.
    replies_on.config["MAIL_FROM"] = f"Testcenterbokning <{REPLIES}>"
    mark = last_id()
    book_seat(booking.session_id, other := make.employee(), other)
    (own,) = outbox(mark)
    assert "SENT-BY" not in _invite(own)["ORGANIZER"].params


# A reply ----------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["outlook", "apple"])
def test_decline_before_the_deadline_cancels_the_seat(replies_on, ctx, make, style):
    booking, employee, row = _seat(make, session=make.session(seats=1))
    waiting = make.employee()
    queued = book_seat(booking.session_id, waiting, waiting)
    assert queued.status == "waitlisted"
    invite = _invite(row)
    mark = last_id()

    result = apply_reply(_reply(invite, employee.email, employee.email, style=style))

    assert [o.kind for o in result.outcomes] == ["cancelled"] and result.handled
    assert _reload(booking).status == "cancelled"
    assert _reload(queued).status == "confirmed"  # the usual cancel: the queue moves up
    # The usual cancellation mail with its CANCEL, same UID, higher SEQUENCE.
    rows = {row.recipient: row for row in outbox(mark)}
    cancel = rows[employee.email]
    assert cancel.kind == "cancelled"
    assert calendar_part(parse_mail(cancel.raw)).get_param("method") == "CANCEL"
    gone = _invite(cancel)
    assert gone["UID"] == invite["UID"] and gone["SEQUENCE"] == invite["SEQUENCE"] + 1
    assert rows[waiting.email].kind == "promoted"

    # The same reply again (a second run, a copy) changes nothing and mails nobody.
    mark = last_id()
    again = apply_reply(_reply(invite, employee.email, employee.email, style=style))
    assert [o.kind for o in again.outcomes] == ["already_cancelled"]
    assert outbox(mark) == []


def test_the_audit_log_says_the_seat_went_by_a_calendar_reply(replies_on, client, make):
    with replies_on.app_context():
        booking, employee, row = _seat(make)
        center = booking.session.center
        admin = make.person(("center_admin",), center=center)
        apply_reply(_reply(_invite(row), employee.email, employee.email))
        admin_email = admin.email
    Auth(client).login(admin_email)
    page = client.get("/audit").get_data(as_text=True)
    assert f"{employee.name} avbokade sin plats" in page
    assert "Med Avböj på inbjudan i kalendern." in page


def test_decline_after_the_deadline_keeps_the_seat_and_says_whom_to_call(replies_on, ctx, make):
    booking, employee, row = _seat(make, starts_in=timedelta(hours=30))
    center = booking.session.center
    mark = last_id()

    result = apply_reply(_reply(_invite(row), employee.email, employee.email))

    assert [o.kind for o in result.outcomes] == ["too_late"]
    assert _reload(booking).status == "confirmed"
    (told,) = outbox(mark)
    assert told.recipient == employee.email and told.kind == "reply_too_late"
    message = parse_mail(told.raw)
    assert str(message["Subject"]).startswith("Din plats är inte avbokad")
    assert message["Reply-To"] == center.contact_email
    assert calendar_part(message) is None  # the event stays in their calendar as it is
    text = message.get_body(("plain",)).get_content()
    assert "sista dag att avboka var" in text and "fortfarande bokad" in text
    assert center.contact_email in text and booking.session.model.name in text
    # Told once, however often the calendar sends it.
    mark = last_id()
    apply_reply(_reply(_invite(row), employee.email, employee.email))
    assert outbox(mark) == []


def test_decline_mail_is_in_the_persons_language(replies_on, ctx, make):
    _booking, employee, row = _seat(make, starts_in=timedelta(hours=30))
    employee.locale = "en"
    db.session.commit()
    mark = last_id()
    apply_reply(_reply(_invite(row), employee.email, employee.email))
    (told,) = outbox(mark)
    message = parse_mail(told.raw)
    assert str(message["Subject"]).startswith("Your seat is not cancelled")
    assert "the last day to cancel was" in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("partstat", ["ACCEPTED", "TENTATIVE", "NEEDS-ACTION"])
def test_other_answers_change_nothing(replies_on, ctx, make, partstat):
    booking, employee, row = _seat(make)
    mark = last_id()
    result = apply_reply(_reply(_invite(row), employee.email, employee.email, partstat))
    assert [o.kind for o in result.outcomes] == ["ignored"] and result.handled
    assert _reload(booking).status == "confirmed"
    assert outbox(mark) == []


def test_a_forged_decline_cancels_nothing_and_the_holder_is_told(replies_on, ctx, make):
    """The seat's UID can be guessed (seat-<id>@…): the mail's From and the ATTENDEE must
    both be the booked person's address. The holder hears of it at their own address."""
    booking, employee, row = _seat(make)
    invite = _invite(row)
    mallory = "mallory@example.net"
    mark = last_id()

    for attendee, sender in ((employee.email, mallory), (mallory, employee.email)):
        result = apply_reply(_reply(invite, attendee, sender))
        assert [o.kind for o in result.outcomes] == ["unverified"]
    assert _reload(booking).status == "confirmed"
    (told,) = outbox(mark)  # once per seat and version, not once per forged mail
    assert told.recipient == employee.email and told.kind == "reply_unverified"
    text = parse_mail(told.raw).get_body(("plain",)).get_content()
    assert mallory in text and f"/bookings/{booking.id}/cancel" in text


def test_a_decline_for_an_event_that_is_no_seat_of_ours_is_ignored(replies_on, ctx, make):
    booking, employee, _row = _seat(make)
    session = booking.session
    domain = replies_on.config["CALENDAR_UID_DOMAIN"]
    assessor_uid = f"session-{session.id}-testledare-{session.assessor_id}@{domain}"
    mark = last_id()
    for uid in (f"seat-999999@{domain}", assessor_uid, "040000008200E00074C5B7101A82E008"):
        forged = icalendar.Event()
        forged.add("uid", uid)
        forged.add("sequence", 0)
        forged.add("organizer", f"mailto:{REPLIES}")
        forged.add("dtstart", session.starts_at)
        forged.add("dtend", session.ends_at)
        result = apply_reply(_reply(forged, employee.email, employee.email))
        assert [o.kind for o in result.outcomes] == ["not_ours"], uid
    assert _reload(booking).status == "confirmed"
    assert outbox(mark) == []


def test_a_decline_of_an_earlier_version_keeps_the_seat(replies_on, ctx, make):
    """After the session moved the invite's SEQUENCE rose; a reply to the old one is
    out of date (RFC 5546 §2.1.5): the person is told, and a Decline of the current
    version cancels."""
    center = make.center()
    session = make.session(center=center, local_day=TUESDAY, local_time=time(8))
    admin = make.person(("center_admin",), center=center)
    now = session.starts_at - timedelta(days=20)
    employee = make.employee()
    booking = book_seat(session.id, employee, employee, now=now)
    (row,) = outbox()
    first = _invite(row)
    mark = last_id()
    move_session(session.id, TUESDAY, time(10), admin)
    (update,) = [r for r in outbox(mark) if r.recipient == employee.email]
    current = _invite(update)
    assert current["SEQUENCE"] == 1

    mark = last_id()
    stale = apply_reply(_reply(first, employee.email, employee.email), now=now)
    assert [o.kind for o in stale.outcomes] == ["other_version"]
    assert _reload(booking).status == "confirmed"
    assert _kinds(mark) == [("reply_other_version", employee.email)]

    result = apply_reply(_reply(current, employee.email, employee.email, style="apple"), now=now)
    assert [o.kind for o in result.outcomes] == ["cancelled"]
    assert _reload(booking).status == "cancelled"


def test_a_moved_seat_is_cancelled_by_declining_its_one_event(replies_on, ctx, make):
    model, center = make.model(), make.center()
    old, new = (
        make.session(model=model, center=center, starts_in=timedelta(days=d)) for d in (10, 12)
    )
    booking, employee, _row = _seat(make, session=old)
    mark = last_id()
    moved = move_booking(booking.id, new.id, employee)
    (update,) = outbox(mark)
    event = _invite(update)
    assert event["UID"].startswith(f"seat-{booking.id}@")  # the seat keeps its UID

    result = apply_reply(_reply(event, employee.email, employee.email))
    assert [(o.kind, o.booking_id) for o in result.outcomes] == [("cancelled", moved.id)]
    assert _reload(moved).status == "cancelled"


def test_with_dmarc_required_only_our_servers_pass_counts(replies_on, ctx, make):
    replies_on.config["REPLIES_AUTHSERV_ID"] = "mx.testcenterbokning.example.se"
    booking, employee, row = _seat(make)
    invite = _invite(row)
    domain = employee.email.split("@")[1]
    theirs = f"mx.example.net; dmarc=pass header.from={domain}"  # anyone can write this
    failed = f"mx.testcenterbokning.example.se; spf=pass; dmarc=fail header.from={domain}"
    for headers in ({}, {"Authentication-Results": theirs}, {"Authentication-Results": failed}):
        result = apply_reply(_reply(invite, employee.email, employee.email, headers=headers))
        assert [o.kind for o in result.outcomes] == ["unverified"], headers
    assert _reload(booking).status == "confirmed"

    ours = (
        f"mx.testcenterbokning.example.se; spf=pass smtp.mailfrom={domain}; "
        f"dkim=pass header.d={domain}; dmarc=pass (p=REJECT) header.from={domain}"
    )
    headers = {"Authentication-Results": ours}
    result = apply_reply(_reply(invite, employee.email, employee.email, headers=headers))
    assert [o.kind for o in result.outcomes] == ["cancelled"]


def test_mail_that_is_no_calendar_reply_is_left_for_people(replies_on, ctx, make):
    booking, employee, row = _seat(make)
    question = EmailMessage()
    question["From"] = employee.email
    question["Subject"] = "Parkering?"
    question.set_content("Var parkerar man?")
    assert not apply_reply(question.as_bytes()).handled
    # A forwarded invite (METHOD:REQUEST) is no reply either.
    assert not apply_reply(parse_mail(row.raw).as_bytes()).handled
    assert not apply_reply(b"\xff\xfe not even mail").handled
    assert _reload(booking).status == "confirmed"


# The command ------------------------------------------------------------------------


def test_read_replies_without_a_mailbox_says_so_and_does_nothing(app):
    result = app.test_cli_runner().invoke(args=["read-replies"])
    assert result.exit_code == 0
    assert "REPLIES_ADDRESS" in result.output and "REPLIES_IMAP_HOST" in result.output


def test_read_replies_over_imap_cancels_declines_and_leaves_other_mail_unread(replies_on, make):
    with replies_on.app_context():
        declined, anna, anna_invite = _seat(make)
        accepted, bo, bo_invite = _seat(make)
        late, cara, cara_invite = _seat(make, starts_in=timedelta(hours=30))
        question = EmailMessage()
        question["From"] = anna.email
        question["Subject"] = "Parkering?"
        question.set_content("Var parkerar man?")
        box = Mailbox(user="svar", password="hemligt losen")
        uids = {
            "anna": box.add(_reply(_invite(anna_invite), anna.email, anna.email)),
            "question": box.add(question.as_bytes()),
            "bo": box.add(_reply(_invite(bo_invite), bo.email, bo.email, "ACCEPTED", "apple")),
            "cara": box.add(_reply(_invite(cara_invite), cara.email, cara.email)),
            "old": box.add(_reply(_invite(anna_invite), anna.email, anna.email), "\\Seen"),
        }
        mark = last_id()
        ids = declined.id, accepted.id, late.id
        anna_email, cara_email = anna.email, cara.email

    with LoopbackImap(box) as imap:
        replies_on.config["REPLIES_IMAP_PORT"] = imap.port
        result = replies_on.test_cli_runner().invoke(args=["read-replies"])
    assert result.exit_code == 0, result.output
    assert "4 unread, 3 calendar replies, 1 seats cancelled, 1 declines not applied" in (
        result.output
    )
    assert {name: box.seen(uid) for name, uid in uids.items()} == {
        "anna": True,
        "question": False,  # for the people who share the mailbox
        "bo": True,
        "cara": True,
        "old": True,
    }
    assert "UID SEARCH" in box.commands and "LOGOUT" in box.commands
    with replies_on.app_context():
        statuses = [db.session.get(Booking, booking_id).status for booking_id in ids]
        assert statuses == ["cancelled", "confirmed", "confirmed"]
        assert sorted(_kinds(mark)) == [
            ("cancelled", anna_email),
            ("reply_too_late", cara_email),
        ]


def test_read_replies_with_a_wrong_password_fails_with_a_message(replies_on):
    box = Mailbox(user="svar", password="right")
    with LoopbackImap(box) as imap:
        replies_on.config["REPLIES_IMAP_PORT"] = imap.port
        result = replies_on.test_cli_runner().invoke(args=["read-replies"])
    assert result.exit_code == 1
    assert "The replies mailbox could not be read" in result.output
    assert "AUTHENTICATIONFAILED" in result.output


def test_a_reply_that_carries_its_calendar_twice_is_one_answer(replies_on, ctx, make):
    """Outlook may also attach the reply as .ics: one answer per attendee and event."""
    booking, employee, row = _seat(make)
    raw = _reply(_invite(row), employee.email, employee.email)
    message = parse_mail(raw)
    message.add_attachment(
        calendar_part(message).get_content().encode(),
        maintype="application",
        subtype="ics",
        filename="reply.ics",
    )
    result = apply_reply(message.as_bytes())
    assert [o.kind for o in result.outcomes] == ["cancelled"]
    assert db.session.scalar(select(Booking.status).where(Booking.id == booking.id)) == (
        "cancelled"
    )
