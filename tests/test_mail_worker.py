"""The outbox worker sends real mail to a local SMTP server (aiosmtpd), waits out a
server that is down, sends each message once, and reminds once."""

import socket
import threading
from collections import Counter
from datetime import time, timedelta

import icalendar
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.bookings.models import Booking
from app.bookings.services import book_seat, cancel_booking
from app.calendar import notify
from app.calendar.models import CalendarEntry, OutboxMessage
from app.calendar.outbox import SendReport, send_due
from app.calendar.reminders import queue_reminders
from app.centers.services import closed_reason
from app.db import unit_of_work, utcnow
from app.errors import DomainError
from app.extensions import db
from app.schedule.planning import create_sessions
from tests.calendars import calendar_part, outbox, parse_mail


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses some recipients."""

    def __init__(self, refuse: set[str] = frozenset()):
        self.received = []
        self.refuse = refuse
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"


class SMTPServer:
    def __init__(self, port: int, inbox: Inbox):
        self.controller = Controller(inbox, hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def mail(app):
    port = _free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    with app.app_context():
        yield port


def _tree(part):
    """The MIME structure as (type, [children]), leaves as their type."""
    if part.is_multipart():
        return (part.get_content_type(), [_tree(child) for child in part.iter_parts()])
    return part.get_content_type()


def _uid(message) -> str:
    calendar = icalendar.Calendar.from_ical(calendar_part(message).get_content())
    (event,) = calendar.walk("VEVENT")
    return str(event["UID"])


def _open_day(center, days_ahead: int):
    """The first day from days_ahead on that the center is open (no holiday, no Sunday)."""
    day = (utcnow() + timedelta(days=days_ahead)).date()
    while closed_reason(center, day):
        day += timedelta(days=1)
    return day


def test_invites_reach_a_real_smtp_server_with_text_html_and_the_calendar_twice(mail, make):
    session = make.session()
    employee = make.employee()
    booking = book_seat(session.id, employee, employee)
    cancel_booking(booking.id, employee)
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        report = send_due()
    assert len(report.sent) == 2
    assert [(sender, recipients) for sender, recipients, _c in inbox.received] == [
        ("bokning@testcenterbokning.example.se", [employee.email])
    ] * 2

    for (_s, _r, content), method in zip(inbox.received, ("REQUEST", "CANCEL"), strict=True):
        message = parse_mail(content)
        assert message["To"].addresses[0].addr_spec == employee.email
        assert message["MIME-Version"] == "1.0" and message["Message-ID"] and message["Date"]
        # RFC 6047 as app/calendar/mail.py builds it: the alternatives, then the attachment.
        assert _tree(message) == (
            "multipart/mixed",
            [
                ("multipart/alternative", ["text/plain", "text/html", "text/calendar"]),
                "application/ics",
            ],
        )
        alternative, attachment = message.iter_parts()
        text, html, part = alternative.iter_parts()
        assert part.get_param("method") == method
        assert part.get_content_charset() == "utf-8"
        assert part.get_content_disposition() is None  # shown inline, not as a file
        calendar = part.get_content().encode("utf-8")
        parsed = icalendar.Calendar.from_ical(calendar)
        assert parsed["METHOD"] == method
        (event,) = parsed.walk("VEVENT")
        assert event.decoded("DTSTART") == session.starts_at
        assert attachment.get_content_disposition() == "attachment"
        assert attachment.get_filename() == "inbjudan.ics"
        assert attachment.get_content() == calendar  # the very same calendar
        for body in (text.get_content(), html.get_content()):
            assert "kl. 08.00–11.00" in body and session.model.name in body
        assert "<html" in html.get_content() and "<html" not in text.get_content()

    for message_id in report.sent:
        row = db.session.get(OutboxMessage, message_id)
        assert row.sent_at is not None and row.attempts == 1


def test_an_invite_is_stamped_when_it_is_sent_and_says_what_held_at_the_change(
    mail, make, monkeypatch
):
    """DTSTAMP and Date are the send time (RFC 5546); the content is the change's."""
    session = make.session()
    employee = make.employee()
    employee.locale = "en"
    db.session.commit()
    booked_at = utcnow() - timedelta(hours=3)
    book_seat(session.id, employee, employee, now=booked_at)
    # Queued hours ago while mail was down: the row holds only what to say.
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "booked"))
    assert row.stored_raw is None and row.payload
    assert row.subject.startswith("Booking confirmation")
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        before = utcnow().replace(microsecond=0)
        report = send_due()
    assert len(report.sent) == 1
    message = parse_mail(inbox.received[0][2])
    assert message["Subject"].startswith("Booking confirmation")
    assert message["Date"].datetime >= before
    (event,) = icalendar.Calendar.from_ical(calendar_part(message).get_content()).walk("VEVENT")
    assert event.decoded("DTSTAMP") >= before
    assert event.decoded("DTSTART") == session.starts_at
    assert session.model.name in message.get_body(("plain",)).get_content()
    # What was sent is kept as sent: the outbox viewer shows that very message.
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, report.sent[0])
    assert parse_mail(sent.raw)["Message-ID"] == message["Message-ID"]


def test_every_invite_made_while_mail_is_down_arrives_once_when_it_is_back(mail, make):
    center, model = make.center(), make.model()
    assessor = make.assessor(model)
    admin = make.person(("center_admin",), center=center)
    session = make.session(center=center, model=model)
    anna, bo, early = make.employee(), make.employee(), make.employee()
    inbox = Inbox()

    # The server is up and takes mail.
    book_seat(session.id, early, early)
    with SMTPServer(mail, inbox):
        assert len(send_due().sent) == 1
    assert len(inbox.received) == 1
    proof = outbox()[-1].id

    # It is down now; bookings and planning go on, their invites wait.
    (planned,), refused = create_sessions(
        center.id, model.id, assessor.id, [_open_day(center, 21)], time(8), admin
    )
    assert not refused
    assert book_seat(planned.id, anna, anna).status == "confirmed"
    assert book_seat(session.id, bo, bo).status == "confirmed"
    waiting = outbox(proof)
    ids = [row.id for row in waiting]
    expected = sorted([assessor.email, anna.email, bo.email])
    assert sorted(row.recipient for row in waiting) == expected

    first = send_due()
    assert sorted(first.retry) == ids and not first.sent and not first.failed
    for row in waiting:
        db.session.refresh(row)
        assert row.state == "waiting" and row.attempts == 1
        assert "ConnectionRefused" in row.last_error
    due = max(row.next_attempt_at for row in waiting)
    assert due > utcnow()
    assert send_due() == SendReport()  # backing off: nothing is tried again at once
    second = send_due(now=due)  # still down: the next wait is longer
    assert sorted(second.retry) == ids
    assert send_due(now=due + timedelta(minutes=1)) == SendReport()

    with SMTPServer(mail, inbox):  # back, on the same port
        back = send_due(now=due + timedelta(minutes=2))
        assert sorted(back.sent) == ids and not back.retry and not back.failed
        assert send_due(now=due + timedelta(hours=3)) == SendReport()

    domain = "testcenterbokning.example.se"
    seat = {b.employee_id: b.id for b in db.session.scalars(select(Booking))}
    delivered = Counter()
    for _sender, recipients, content in inbox.received:
        message = parse_mail(content)
        assert message["To"].addresses[0].addr_spec in recipients
        for recipient in recipients:
            delivered[(recipient, _uid(message))] += 1
    assert delivered == Counter(
        {
            (early.email, f"seat-{seat[early.id]}@{domain}"): 1,
            (assessor.email, f"session-{planned.id}-testledare-{assessor.id}@{domain}"): 1,
            (anna.email, f"seat-{seat[anna.id]}@{domain}"): 1,
            (bo.email, f"seat-{seat[bo.id]}@{domain}"): 1,
        }
    )
    db.session.expire_all()
    assert {(row.state, row.attempts) for row in outbox(proof)} == {("sent", 3)}


def test_two_workers_at_once_send_each_message_once(mail, app, make):
    session = make.session(seats=40)
    for _ in range(30):
        employee = make.employee()
        book_seat(session.id, employee, employee)
    inbox = Inbox()

    def worker():
        with app.app_context():
            send_due(limit=100)

    with SMTPServer(mail, inbox):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    ids = [parse_mail(content)["Message-ID"] for _f, _r, content in inbox.received]
    assert len(ids) == 30 and len(set(ids)) == 30
    db.session.expire_all()
    assert all(row.state == "sent" for row in outbox())


def test_a_refused_address_fails_for_good_and_the_rest_still_go(mail, make):
    session = make.session()
    good, bad = make.employee(), make.employee()
    book_seat(session.id, bad, bad)
    book_seat(session.id, good, good)
    inbox = Inbox(refuse={bad.email})
    with SMTPServer(mail, inbox):
        report = send_due()
    assert len(report.failed) == 1 and len(report.sent) == 1
    assert [r for _f, r, _c in inbox.received] == [[good.email]]
    failed = db.session.get(OutboxMessage, report.failed[0])
    assert failed.recipient == bad.email and failed.state == "failed"
    assert "550" in failed.last_error


def test_reminders_go_the_day_before_once_per_seat(mail, make):
    soon = make.session(starts_in=timedelta(hours=20))
    later = make.session(starts_in=timedelta(days=5))
    employee = make.employee()
    now = soon.starts_at - timedelta(days=3)
    book_seat(soon.id, employee, employee, now=now)
    book_seat(later.id, employee, employee, now=now)
    invites = len(outbox())

    assert queue_reminders() == 1
    assert queue_reminders() == 0  # a second worker, or the next minute
    (reminder,) = outbox()[invites:]
    assert reminder.kind == "reminder" and reminder.recipient == employee.email
    text = parse_mail(reminder.raw).get_body(("plain",)).get_content()
    assert soon.center.street_address in text and "legitimation" in text
    assert "kl. " in text


def test_the_send_mail_command_sends_and_reports(mail, app, make):
    session = make.session()
    employee = make.employee()
    book_seat(session.id, employee, employee)
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert len(inbox.received) == 1


def test_a_booking_that_fails_after_its_invite_was_queued_sends_nothing(mail, make, monkeypatch):
    session = make.session()
    employee = make.employee()
    real = notify.booking_changed

    def queue_then_fail(booking, reason, **options):
        real(booking, reason, **options)
        assert [row.recipient for row in outbox()] == [employee.email]  # queued, not committed
        raise DomainError("Databasen svarade inte.")

    monkeypatch.setattr(notify, "booking_changed", queue_then_fail)
    with pytest.raises(DomainError):
        book_seat(session.id, employee, employee)
    monkeypatch.undo()

    db.session.expire_all()
    assert outbox() == []
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    assert db.session.scalar(select(func.count(CalendarEntry.id))) == 0
    assert session.seats_taken == 0
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        assert send_due() == SendReport()  # no invite for a booking that does not exist
        booking = book_seat(session.id, employee, employee)  # trying again works
        assert len(send_due().sent) == 1
    ((_sender, recipients, content),) = inbox.received
    assert recipients == [employee.email]
    event = icalendar.Calendar.from_ical(calendar_part(parse_mail(content)).get_content())
    (event,) = event.walk("VEVENT")
    assert str(event["UID"]).startswith(f"seat-{booking.id}@") and event["SEQUENCE"] == 0


def test_bookings_rolled_back_by_their_caller_leave_no_mail(mail, make):
    """Units of work nest: a caller booking several people in one transaction that
    then fails takes their invites back with the bookings."""
    session = make.session()
    anna, bo = make.employee(), make.employee()
    with pytest.raises(DomainError), unit_of_work():
        book_seat(session.id, anna, anna)
        book_seat(session.id, bo, bo)
        assert len(outbox()) == 2
        raise DomainError("Bo har redan en bokning samma dag.")
    db.session.expire_all()
    assert outbox() == []
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        assert send_due() == SendReport()
    assert inbox.received == []
