"""The outbox: mail is written with the change it tells of and sent later, once.

A worker claims a message with a conditional UPDATE (only one worker's UPDATE can
match), sends it, and marks it sent. While the SMTP server is down the message
waits with a growing back-off; a message the server refuses for good is marked
failed and stays visible to staff.
"""

import contextlib
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.calendar.letters import message_bytes, subject_of, to_json
from app.calendar.mail import envelope_sender
from app.calendar.models import OutboxMessage
from app.db import unit_of_work, utcnow
from app.extensions import db

log = logging.getLogger(__name__)


def enqueue(
    message: EmailMessage, kind: str, recipient: str, dedupe_key: str | None = None
) -> bool:
    """Queue a message in the caller's transaction; False if its dedupe key was queued before."""
    return _add(
        kind=kind,
        recipient=recipient,
        subject=str(message["Subject"])[:300],
        raw=message.as_bytes(policy=SMTP),
        dedupe_key=dedupe_key,
    )


def enqueue_letter(payload: dict, kind: str, dedupe_key: str | None = None) -> bool:
    """Queue an invite mail as its snapshot; the worker writes it when it sends it."""
    return _add(
        kind=kind,
        recipient=payload["to"][1],
        subject=subject_of(payload)[:300],
        payload=to_json(payload),
        dedupe_key=dedupe_key,
    )


# A queued row is only ever read and updated by the worker: a plain INSERT, without
# an object for the ORM's flush (the booking's commit then has nothing left to flush).
_INSERT = OutboxMessage.__table__.insert()


def _add(dedupe_key: str | None, **values) -> bool:
    values = {"dedupe_key": dedupe_key, "last_error": "", **values}
    if dedupe_key is None:
        db.session.execute(_INSERT, values)
        return True
    try:
        with db.session.begin_nested():
            db.session.execute(_INSERT, values)
    except IntegrityError:
        return False
    return True


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _due_ids(now: datetime, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def _claim(message_id: int, now: datetime) -> bool:
    lease = now + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    with unit_of_work():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .values(claimed_until=lease)
        )
        return result.rowcount == 1


def _finish(message_id: int, **values) -> None:
    with unit_of_work():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(claimed_until=None, **values)
        )


def _retry(message_id: int, now: datetime, error: str) -> None:
    with unit_of_work():
        row = db.session.get(OutboxMessage, message_id, populate_existing=True)
        row.attempts += 1
        row.next_attempt_at = now + backoff(row.attempts)
        row.claimed_until = None
        row.last_error = error[:2000]


def _connect() -> smtplib.SMTP:
    config = current_app.config
    kind = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    smtp = kind(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    if config["MAIL_USE_STARTTLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx answer about this message (not the connection) will not change on retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    code = getattr(error, "smtp_code", 0)
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= code < 600


def send_due(now: datetime | None = None, limit: int = 100) -> SendReport:
    """Send what is due now over one SMTP connection; report what happened."""
    now = now or utcnow()
    report = SendReport()
    db.session.rollback()
    claimed = [mid for mid in _due_ids(now, limit) if _claim(mid, now)]
    if not claimed:
        return report
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("SMTP server unreachable: %s", error)
        for message_id in claimed:
            _retry(message_id, now, f"{type(error).__name__}: {error}")
            report.retry.append(message_id)
        return report
    try:
        for position, message_id in enumerate(claimed):
            row = db.session.get(OutboxMessage, message_id)
            raw = row.stored_raw
            if raw is None:  # an invite: written now, so DTSTAMP and Date are the send time
                try:
                    raw = message_bytes(row.payload, now=utcnow())
                except Exception as error:  # a snapshot that cannot be written never will be
                    log.exception("outbox message %s cannot be composed", message_id)
                    _finish(message_id, failed_at=now, last_error=f"compose: {error}"[:2000])
                    report.failed.append(message_id)
                    continue
            try:
                smtp.sendmail(envelope_sender(), [row.recipient], raw)
            except smtplib.SMTPException as error:
                if _permanent(error):
                    _finish(message_id, failed_at=now, last_error=str(error)[:2000])
                    report.failed.append(message_id)
                    continue
                if not isinstance(error, smtplib.SMTPServerDisconnected):
                    _retry(message_id, now, f"{type(error).__name__}: {error}")
                    report.retry.append(message_id)
                    continue
                lost = error
            except OSError as error:
                lost = error
            else:
                _finish(
                    message_id,
                    sent_at=utcnow(),
                    attempts=row.attempts + 1,
                    last_error="",
                    stored_raw=raw,
                )
                report.sent.append(message_id)
                continue
            # The connection is gone: this message and the rest wait for the next round.
            for waiting in claimed[position:]:
                _retry(waiting, now, f"{type(lost).__name__}: {lost}")
                report.retry.append(waiting)
            break
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return report


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        )
    )
