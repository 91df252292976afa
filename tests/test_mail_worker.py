"""The outbox worker sends real mail to a local SMTP server (aiosmtpd), waits out a
server that is down, sends each message once, and reminds once."""

import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from app.bookings.services import book_seat
from app.calendar.models import OutboxMessage
from app.calendar.outbox import send_due
from app.calendar.reminders import queue_reminders
from app.db import utcnow
from app.extensions import db
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


def test_mail_reaches_a_real_smtp_server_with_its_calendar(mail, make):
    session = make.session()
    employee = make.employee()
    book_seat(session.id, employee, employee)
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        report = send_due()
    assert len(report.sent) == 1
    ((sender, recipients, content),) = inbox.received
    assert sender == "bokning@testcenterbokning.example.se"
    assert recipients == [employee.email]
    message = parse_mail(content)
    assert message["To"].addresses[0].addr_spec == employee.email
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert b"BEGIN:VCALENDAR" in part.get_content().encode()
    row = db.session.get(OutboxMessage, report.sent[0])
    assert row.sent_at is not None and row.attempts == 1


def test_a_booking_made_while_mail_is_down_is_sent_once_when_it_is_back(mail, make):
    session = make.session()
    employee = make.employee()
    booking = book_seat(session.id, employee, employee)  # the booking itself never waits
    assert booking.status == "confirmed"

    first = send_due()  # nothing listens on the port
    assert first.retry and not first.sent
    (row,) = outbox()
    db.session.refresh(row)
    assert row.sent_at is None and row.attempts == 1 and "Connection" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert not send_due().retry  # backing off: not tried again at once

    inbox = Inbox()
    with SMTPServer(mail, inbox):
        later = utcnow() + timedelta(minutes=5)
        assert len(send_due(now=later).sent) == 1
        assert send_due(now=later + timedelta(hours=2)).sent == []
    assert len(inbox.received) == 1
    db.session.refresh(row)
    assert row.state == "sent" and row.attempts == 2


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
