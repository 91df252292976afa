"""The outbox worker sends real mail to a local SMTP server (aiosmtpd), waits out a
server that is down, sends each message once, and reminds once."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time as time_module
from collections import Counter
from datetime import time, timedelta

import icalendar
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.bookings.models import Booking
from app.bookings.services import book_seat, cancel_booking
from app.bookings.session_changes import cancel_session
from app.calendar import notify
from app.calendar.models import CalendarEntry
from app.calendar.reminders import queue_reminders
from app.centers.services import closed_reason
from app.db import unit_of_work, utcnow
from app.errors import DomainError
from app.extensions import db
from app.mail import worker as outbox_module
from app.mail.claims import Claims
from app.mail.models import OutboxMessage
from app.mail.worker import MailSettingsError, SendReport, send_due
from app.schedule.planning import create_sessions
from tests.calendars import calendar_part, outbox, parse_mail

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
        # RFC 6047 as app/mail/compose.py builds it: the alternatives, then the attachment.
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
    # The attachment is named in the reader's language too ("inbjudan.ics" in Swedish).
    assert [p.get_filename() for p in message.iter_attachments()] == ["invitation.ics"]
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


def test_a_reminder_not_yet_sent_is_taken_back_when_its_seat_goes(mail, make):
    """With the outbox backed up (the mail server down), a cancellation or a move must
    not leave a reminder that sends people to a session that is not there."""
    sessions = [make.session(starts_in=timedelta(hours=20, minutes=m)) for m in (0, 1, 2)]
    people = [make.employee() for _ in sessions]
    now = sessions[0].starts_at - timedelta(days=3)
    seats = [book_seat(s.id, p, p, now=now) for s, p in zip(sessions, people, strict=True)]
    assert queue_reminders() == 3

    def reminded() -> list[str]:
        return sorted(r.recipient for r in outbox() if r.kind == "reminder")

    cancel_booking(seats[0].id, people[0], now=now)  # their own cancellation
    cancel_session(sessions[1].id, make.person(("center_admin",), center=sessions[1].center))
    assert reminded() == [people[2].email]  # only the seat that is still there


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


class SlowInbox(Inbox):
    """A relay that takes `delay` seconds to answer each message it has received.

    It keeps the message before it answers, as a real relay that has queued it would:
    a client that gives up (or dies) while waiting has still had it delivered.
    """

    def __init__(self, delay: float, hold_first: float = 0.0):
        super().__init__()
        self.delay = delay
        self.hold_first = hold_first

    async def handle_DATA(self, server, session, envelope):
        await super().handle_DATA(server, session, envelope)
        with self.lock:
            first = len(self.received) == 1
        await asyncio.sleep(self.hold_first if first and self.hold_first else self.delay)
        return "250 Message accepted"


def _book_many(make, count: int) -> None:
    session = make.session(seats=count)
    for _ in range(count):
        employee = make.employee()
        book_seat(session.id, employee, employee)


def _delivered(inbox: Inbox) -> tuple[Counter, Counter]:
    """How often each Message-ID and each recipient was delivered."""
    by_id, by_recipient = Counter(), Counter()
    for _sender, recipients, content in inbox.received:
        by_id[parse_mail(content)["Message-ID"]] += 1
        for recipient in recipients:
            by_recipient[recipient] += 1
    return by_id, by_recipient


def test_workers_starting_while_a_slow_round_goes_on_send_each_message_once(
    mail, app, make, monkeypatch
):
    """A round takes longer than one claim (a slow relay), and more workers start after
    the first one's claim would have run out: still every message goes exactly once."""
    count = 60
    _book_many(make, count)
    # A short claim, so that a round outlasts it quickly. The relay answers in 0.1 s;
    # the long timeout only keeps a busy test machine from timing out, and the rule
    # that the claim outlasts five timeouts is lifted for it.
    monkeypatch.setattr(outbox_module, "SMTP_STEPS_PER_MESSAGE", 1)
    app.config.update(MAIL_TIMEOUT=2, MAIL_CLAIM_SECONDS=2.5)
    inbox = SlowInbox(delay=0.1)
    reports, errors, rounds = [], [], {}

    def worker(start_after: float):
        time_module.sleep(start_after)
        with app.app_context():
            started = time_module.monotonic()
            try:
                reports.append(send_due())
            except Exception as error:  # reported below, with the test's own assertion
                errors.append(error)
            rounds[start_after] = time_module.monotonic() - started

    with SMTPServer(mail, inbox):
        threads = [threading.Thread(target=worker, args=(at,)) for at in (0, 1.2, 2.7, 4.0)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors
    by_id, by_recipient = _delivered(inbox)
    assert len(inbox.received) == count, f"{len(inbox.received) - count} sent twice"
    assert set(by_id.values()) == {1} and len(by_recipient) == count
    assert set(by_recipient.values()) == {1}
    # The first round did outlast a claim, or this test would prove nothing.
    assert rounds[0] > app.config["MAIL_CLAIM_SECONDS"]
    assert sorted(i for report in reports for i in report.sent) == [r.id for r in outbox()]
    db.session.expire_all()
    rows = outbox()
    assert {(row.state, row.attempts, row.claimed_by) for row in rows} == {("sent", 1, None)}


_KILLED_WORKER = """
import json, sys
from app import create_app
from app.mail.worker import send_due
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    send_due()
"""


def test_a_worker_killed_while_the_relay_takes_a_message_is_repeated_with_the_same_message(
    mail, app, make
):
    """The relay has the message when the worker dies before its answer: the next worker
    sends it again once the claim has run out, as the very same bytes (Message-ID,
    Date and DTSTAMP), so mail systems can tell it is a repeat and drop it."""
    session = make.session()
    employee = make.employee(name="Åsa Öström")
    book_seat(session.id, employee, employee)
    (row,) = outbox()
    assert row.stored_raw is None  # an invite, written by the worker that sends it
    inbox = SlowInbox(delay=0, hold_first=30)
    config = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail,
        "MAIL_TIMEOUT": 60,
    }
    with SMTPServer(mail, inbox):
        worker = subprocess.Popen(
            [sys.executable, "-c", _KILLED_WORKER, json.dumps(config)], cwd=ROOT
        )
        try:
            deadline = time_module.monotonic() + 60
            while not inbox.received and worker.poll() is None:
                assert time_module.monotonic() < deadline, "the worker sent nothing"
                time_module.sleep(0.05)
        finally:
            worker.kill()  # SIGKILL: no finally blocks, no rollback, the claim stays
            worker.wait()
        db.session.rollback()  # a new snapshot: SQLite's would not show the worker's claim
        row = db.session.get(OutboxMessage, row.id)
        assert row.state == "waiting" and row.claimed_until is not None
        # Nobody takes it while the dead worker's claim runs.
        assert send_due() == SendReport()
        after_claim = row.claimed_until + timedelta(seconds=1)
        assert send_due(now=after_claim).sent == [row.id]
    first, repeat = (content for _s, _r, content in inbox.received)
    assert parse_mail(first)["Message-ID"] == parse_mail(repeat)["Message-ID"]
    assert first == repeat
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, row.id)
    assert sent.state == "sent" and sent.raw == first


def test_every_part_is_7bit_on_the_wire_and_decodes_to_the_calendar(mail, make):
    """RFC 6047 §2.5: the text parts (and the invite) with å, ä, ö go as quoted-printable
    or base64, not as raw 8-bit the server never agreed to (RFC 6152)."""
    center = make.center(name="Skellefteå industriskola", municipality="Skellefteå")
    session = make.session(center=center)
    employee = make.employee(name="Åsa Öström")
    book_seat(session.id, employee, employee)
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        assert len(send_due().sent) == 1
    ((_sender, _recipients, content),) = inbox.received
    assert max(content) < 128, "a raw 8-bit byte went to the server"
    message = parse_mail(content)
    assert message["To"].addresses[0].display_name == "Åsa Öström"
    assert "Bokningsbekräftelse" in message["Subject"]
    for part in message.walk():
        if not part.is_multipart():
            assert part["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
    assert "Åsa Öström" in message.get_body(("plain",)).get_content()
    assert "Åsa Öström" in message.get_body(("html",)).get_content()
    calendar = calendar_part(message)
    decoded = calendar.get_content().encode("utf-8")
    attachment = next(p for p in message.walk() if p.get_content_type() == "application/ics")
    assert decoded == attachment.get_content()  # byte for byte, CRLFs included
    (event,) = icalendar.Calendar.from_ical(decoded).walk("VEVENT")
    assert "Skellefteå industriskola" in str(event["LOCATION"])
    db.session.expire_all()
    assert max(db.session.get(OutboxMessage, outbox()[0].id).raw) < 128


def test_a_claim_lost_to_another_worker_changes_nothing_of_theirs(mail, make):
    """The reusable claim: the first holder's lease runs out, another takes the row, and
    the first one can neither renew it nor record an outcome on it."""
    session = make.session()
    employee = make.employee()
    book_seat(session.id, employee, employee)
    (row,) = outbox()
    now = utcnow()
    first, second = Claims(OutboxMessage, 60), Claims(OutboxMessage, 60)
    assert first.owner != second.owner
    assert first.take(row.id, now)
    assert not second.take(row.id, now + timedelta(seconds=59))  # held
    later = now + timedelta(seconds=61)
    assert second.take(row.id, later)  # the first one's lease ran out
    assert not first.renew(row.id, later)
    assert not first.release(row.id, sent_at=later)
    db.session.expire_all()
    taken = db.session.get(OutboxMessage, row.id)
    assert taken.claimed_by == second.owner and taken.sent_at is None
    assert second.release(row.id, sent_at=later)
    db.session.expire_all()
    done = db.session.get(OutboxMessage, row.id)
    assert done.state == "sent" and done.claimed_by is None and done.claimed_until is None


def test_a_claim_shorter_than_one_smtp_exchange_is_refused_with_a_clear_message(mail, app, make):
    session = make.session()
    employee = make.employee()
    book_seat(session.id, employee, employee)
    app.config.update(MAIL_TIMEOUT=30, MAIL_CLAIM_SECONDS=60)
    inbox = Inbox()
    with SMTPServer(mail, inbox):
        with pytest.raises(MailSettingsError, match="MAIL_CLAIM_SECONDS"):
            send_due()
        result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code != 0
    assert "MAIL_CLAIM_SECONDS" in str(result.exception)
    assert inbox.received == []
    db.session.expire_all()
    assert outbox()[0].state == "waiting" and outbox()[0].claimed_by is None
