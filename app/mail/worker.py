"""The worker that sends the outbox: each message once, however many workers run.

A worker claims one message at a time, right before it sends it, with a conditional
UPDATE (only one worker's UPDATE can match; see app/mail/claims.py), and marks it
sent only while the claim is still its own. The first claim writes an invite's bytes
into the row before they go, so a repeat after a crash is the same message with the
same Message-ID. While the SMTP server is down the message waits with a growing
back-off; a message the server refuses for good is marked failed and stays visible
to staff.
"""

import contextlib
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, select

from app.db import utcnow
from app.extensions import db
from app.mail import renderers
from app.mail.claims import Claims, due_ids
from app.mail.compose import envelope_sender
from app.mail.models import OutboxMessage

log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


class MailSettingsError(RuntimeError):
    """The worker's settings cannot keep a message from being sent twice."""


# What one message takes over an open connection, each step waiting at most
# MAIL_TIMEOUT for the server: MAIL FROM, RCPT TO, DATA, the message, the final answer.
SMTP_STEPS_PER_MESSAGE = 5


def claim_seconds() -> float:
    """How long a worker holds a message: longer than sending it can take, or another
    worker could take it over while the relay is still receiving it from the first."""
    config = current_app.config
    seconds, timeout = config["MAIL_CLAIM_SECONDS"], config["MAIL_TIMEOUT"]
    if seconds < SMTP_STEPS_PER_MESSAGE * timeout:
        raise MailSettingsError(
            f"MAIL_CLAIM_SECONDS ({seconds}) must be at least {SMTP_STEPS_PER_MESSAGE} "
            f"times MAIL_TIMEOUT ({timeout}): sending one message can take that long, and "
            "a shorter claim lets a second worker send the same message."
        )
    return seconds


_OPEN = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))


def _take(claims: Claims, message_id: int, now: datetime) -> OutboxMessage | None:
    """The message, claimed for this round, unless another worker has it or sent it."""
    if not claims.take(message_id, now, *_OPEN, OutboxMessage.next_attempt_at <= now):
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def _retry(claims: Claims, message_id: int, attempts: int, now: datetime, error) -> None:
    """Let the message go until its back-off after its `attempts`-th failed attempt."""
    claims.release(
        message_id,
        attempts=attempts,
        next_attempt_at=now + backoff(attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def _connect() -> smtplib.SMTP:
    config = current_app.config
    kind = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    smtp = kind(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_STARTTLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    # Greeted now, so that a message's claim covers only its own SMTP steps.
    smtp.ehlo_or_helo_if_needed()
    return smtp


def _permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx answer about this message (not the connection) will not change on retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    code = getattr(error, "smtp_code", 0)
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= code < 600


def send_due(now: datetime | None = None, limit: int = 100) -> SendReport:
    """Send what is due now over one SMTP connection; report what happened.

    Each message is claimed on its own, right before it is written and sent, so a round
    may take as long as the relay needs: no message is ever held by two workers.
    """
    started = utcnow()
    now = now or started

    def clock() -> datetime:  # `now` moves on with the round (tests pass a later `now`)
        return now + (utcnow() - started)

    claims = Claims(OutboxMessage, claim_seconds())
    report = SendReport()
    db.session.rollback()
    due = due_ids(OutboxMessage, now, limit, *_OPEN)
    if not due:
        return report
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("SMTP server unreachable: %s", error)
        for message_id in due:
            if (row := _take(claims, message_id, clock())) is not None:
                _retry(claims, message_id, row.attempts + 1, now, error)
                report.retry.append(message_id)
        return report
    try:
        for message_id in due:
            if _send_one(smtp, claims, message_id, now, clock, report):
                break  # the connection is gone: the rest wait for the next round
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return report


def _send_one(smtp, claims: Claims, message_id: int, now: datetime, clock, report) -> bool:
    """Claim, write and send one message; True if the connection to the server is lost.

    Outcomes are dated `now`, the round's time; claims follow the `clock`.
    """
    row = _take(claims, message_id, clock())
    if row is None:
        return False
    # What the rest needs, read now: each unit of work below expires the row.
    recipient, attempts, raw = row.recipient, row.attempts, row.stored_raw
    if raw is None:  # an invite: written now, so DTSTAMP and Date are the send time
        try:
            raw = renderers.render(row.kind, row.payload, now=utcnow())
        except Exception as error:  # a snapshot that cannot be written never will be
            log.exception("outbox message %s cannot be composed", message_id)
            claims.release(message_id, failed_at=now, last_error=f"compose: {error}"[:2000])
            report.failed.append(message_id)
            return False
        # Kept before it goes: should this worker die while the relay takes it, the
        # next attempt sends these same bytes (Message-ID, Date, DTSTAMP) again.
        if not claims.renew(message_id, clock(), stored_raw=raw):
            log.warning("outbox message %s: claim ran out while it was written", message_id)
            return False
    try:
        smtp.sendmail(envelope_sender(), [recipient], raw)
    except smtplib.SMTPException as error:
        if _permanent(error):
            claims.release(message_id, failed_at=now, last_error=str(error)[:2000])
            report.failed.append(message_id)
            return False
        _retry(claims, message_id, attempts + 1, now, error)
        report.retry.append(message_id)
        return isinstance(error, smtplib.SMTPServerDisconnected)
    except OSError as error:
        _retry(claims, message_id, attempts + 1, now, error)
        report.retry.append(message_id)
        return True
    claims.release(message_id, sent_at=utcnow(), attempts=attempts + 1, last_error="")
    report.sent.append(message_id)
    return False


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        )
    )
