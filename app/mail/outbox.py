"""Queueing mail: written in the caller's transaction, with the change it tells of, and
sent later by the worker (app/mail/worker.py), once."""

from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.mail.compose import MAIL_POLICY
from app.mail.models import OutboxMessage


def enqueue(
    message: EmailMessage, kind: str, recipient: str, dedupe_key: str | None = None
) -> bool:
    """Queue a message in the caller's transaction; False if its dedupe key was queued before."""
    return _add(
        kind=kind,
        recipient=recipient,
        subject=str(message["Subject"])[:300],
        raw=message.as_bytes(policy=MAIL_POLICY),
        dedupe_key=dedupe_key,
    )


def enqueue_payload(
    payload: str, kind: str, recipient: str, subject: str, dedupe_key: str | None = None
) -> bool:
    """Queue what a mail will say; the renderer registered for `kind` writes it when the
    worker sends it (app/mail/renderers.py). False if its dedupe key was queued before."""
    return _add(
        kind=kind,
        recipient=recipient,
        subject=subject[:300],
        payload=payload,
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
