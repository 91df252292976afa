from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person
from app.db import UTCDateTime, status_type, utcnow, values_in
from app.extensions import db
from app.schedule.models import ValidationSession


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# Statuses that hold one of the session's seats.
SEAT_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class BookingEventKind(StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    MOVED = "moved"
    CHECKED_IN = "checked_in"
    UNDO_CHECKIN = "undo_checkin"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    OUTCOME = "outcome"


SUPPORT_NEEDS = ("extra_time", "read_aloud", "interpreter", "accessible_workstation")


class Booking(db.Model):
    """One employee in one session: holding a seat, waiting for one, or no longer."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint(values_in("status", BookingStatus), name="status"),
        CheckConstraint(
            f"(status = '{BookingStatus.WAITLISTED}') = (waitlist_number IS NOT NULL)",
            name="waitlist_number",
        ),
        # An employee holds at most one live booking per session, whatever the race.
        Index(
            "uq_booking_one_live_per_employee",
            "session_id",
            "employee_id",
            unique=True,
            sqlite_where=text(f"status <> '{BookingStatus.CANCELLED}'"),
            postgresql_where=text(f"status <> '{BookingStatus.CANCELLED}'"),
        ),
        # Waitlist numbers are handed out once per session.
        UniqueConstraint("session_id", "waitlist_number", name="uq_booking_waitlist_number"),
        # A resent booking form finds the booking its first sending made.
        UniqueConstraint("booked_by_id", "request_key", name="uq_booking_request_key"),
        Index("ix_booking_session_status", "session_id", "status"),
        # The API's updated_since: bookings changed after a time, in the order they changed.
        Index("ix_booking_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("validation_session.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(status_type(BookingStatus, 12))
    waitlist_number: Mapped[int | None]
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    request_key: Mapped[str | None] = mapped_column(String(64))
    moved_from_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Support the employee asked for, as codes from SUPPORT_NEEDS joined by commas.
    support_needs: Mapped[str] = mapped_column(String(200), default="")
    support_note: Mapped[str] = mapped_column(String(500), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_comment: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[ValidationSession] = relationship()
    employee: Mapped[Person] = relationship(foreign_keys=[employee_id])
    booked_by: Mapped[Person] = relationship(foreign_keys=[booked_by_id])
    cancelled_by: Mapped[Person | None] = relationship(foreign_keys=[cancelled_by_id])
    moved_from: Mapped["Booking | None"] = relationship(remote_side=[id])

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES

    @property
    def support_need_codes(self) -> list[str]:
        return [code for code in self.support_needs.split(",") if code]

    @property
    def is_live(self) -> bool:
        return self.status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)


class BookingEvent(db.Model):
    """What happened to a booking, by whom and when; staff overrides are marked."""

    __tablename__ = "booking_event"
    __table_args__ = (CheckConstraint(values_in("kind", BookingEventKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    kind: Mapped[BookingEventKind] = mapped_column(status_type(BookingEventKind, 12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when staff acted after the employees' own deadline had passed.
    staff_override: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(500), default="")

    booking: Mapped[Booking] = relationship()
    actor: Mapped[Person | None] = relationship()
