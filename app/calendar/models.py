from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person
from app.db import UTCDateTime, status_type, utcnow, values_in
from app.extensions import db


class EntryRole(StrEnum):
    """Whose event it is: an employee's seat or the testledare's assignment."""

    PARTICIPANT = "participant"
    ASSESSOR = "assessor"


class CalendarEntry(db.Model):
    """One event in one person's calendar, as we last told them about it.

    The UID lives as long as the employee's seat (a move keeps it) or the
    testledare's assignment; SEQUENCE rises each time what they see changes, and
    the fingerprint says what they last saw, so an unchanged event is not resent.
    """

    __tablename__ = "calendar_entry"
    __table_args__ = (
        CheckConstraint(values_in("role", EntryRole), name="role"),
        Index("ix_calendar_entry_session_person", "session_id", "person_id"),
        # The personal feed's validator: this person's latest change.
        Index("ix_calendar_entry_person_id_updated_at", "person_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[EntryRole] = mapped_column(status_type(EntryRole, 12))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("validation_session.id"))
    # The employee's current booking; a move points the entry at the new booking.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[str] = mapped_column(String(64))
    cancelled: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship()


class OutboxMessage(db.Model):
    """A mail waiting to go, written in the same transaction as the change it tells of."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # The whole RFC 5322 message, ready for SMTP: written when queued, or for an
    # invite (queued as `payload`, see app/calendar/letters.py) by the worker that
    # first takes it, before it sends; every attempt then sends these very bytes, so a
    # repeat carries the same Message-ID and mail systems can drop it.
    stored_raw: Mapped[bytes | None] = mapped_column("raw", LargeBinary)
    payload: Mapped[str | None] = mapped_column(Text)
    # Keeps a message that must go once (a reminder) from being queued twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker that takes the message holds it until this time; another worker
    # may take it only after the claim has run out (the first one died). The
    # worker's round token says whose claim it is (see app/calendar/claims.py).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")

    @property
    def raw(self) -> bytes:
        """The message as sent or as it will be sent; for an invite no worker has
        taken yet, as it would be written now."""
        if self.stored_raw is not None:
            return self.stored_raw
        # Written once per loaded row, so that reading it twice gives the same bytes.
        if getattr(self, "_composed", None) is None:
            from app.calendar.letters import message_bytes

            self._composed = message_bytes(self.payload)
        return self._composed

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        return "waiting"


class FeedToken(db.Model):
    """The secret in a person's feed URL; resetting it replaces the row's token."""

    __tablename__ = "feed_token"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship()
