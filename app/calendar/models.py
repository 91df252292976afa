from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
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
    # The event's VEVENT as the person's feed last wrote it, and all it was written
    # from as one text (app/calendar/feed_texts.py): a cold feed joins these texts
    # instead of building a thousand events anew. Deferred: nothing else reads them.
    feed_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    feed_key: Mapped[str | None] = mapped_column(Text, deferred=True)

    person: Mapped[Person] = relationship()


class FeedToken(db.Model):
    """The secret in a person's feed URL; resetting it replaces the row's token."""

    __tablename__ = "feed_token"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship()
