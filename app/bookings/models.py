from datetime import date, datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person
from app.db import UTCDateTime, status_type, utcnow, values_in
from app.extensions import db
from app.regions.models import Municipality
from app.schedule.models import ModelFamily, SessionStatus, ValidationModel, ValidationSession


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
        # A session's bookings by status; with the employee, the dashboard's reach
        # (app/reports/services.py) reads them from the index alone.
        Index("ix_booking_session_status_employee", "session_id", "status", "employee_id"),
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
    def ended_with_session(self) -> bool:
        """Cancelled because the test center cancelled its session, not by the person,
        their coordinator or a move.

        cancel_session ends every live booking at the moment it cancels the session and
        stamps the session's changed_at with it (a cancelled session never changes
        again); a booking given up before that was cancelled earlier.
        """
        if self.status != BookingStatus.CANCELLED:
            return False  # without loading the session
        session = self.session
        if session.status != SessionStatus.CANCELLED:
            return False
        if self.cancelled_at is None or session.changed_at is None:
            return True  # nothing to tell them apart by: the session's end is what shows
        return self.cancelled_at >= session.changed_at

    @property
    def shown_status(self) -> str:
        """The status as people read it: "session_cancelled" for a booking that ended
        with its session (ended_with_session), the stored status otherwise."""
        return "session_cancelled" if self.ended_with_session else self.status

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


class InterestEnd(StrEnum):
    """Why an interest stopped counting: booked the model, withdrew, its period passed, or
    the person left their company."""

    BOOKED = "booked"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    LEFT_COMPANY = "left_company"


# The longest period one interest may cover, in days (a year, leap day included).
INTEREST_MAX_DAYS = 366
# How far from the interest's municipality a session may be, in minutes of travel
# (app.regions.travel), unless the person says otherwise; 0 means any distance.
INTEREST_DEFAULT_MINUTES = 120


class Interest(db.Model):
    """An employee would validate in a model near a municipality during a period.

    Live while ended_at is empty. When a matching session is planned the person is
    told once (notified_at and notified_session_id are set together); the interest
    still counts for the planners until they book, withdraw or the period passes.
    One live interest per person and model may cover any one day (the service checks
    it with the person's row locked).
    """

    __tablename__ = "interest"
    __table_args__ = (
        CheckConstraint("from_date <= to_date", name="period"),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended_with_reason"),
        CheckConstraint(
            "(notified_at IS NULL) = (notified_session_id IS NULL)", name="notified_with_session"
        ),
        CheckConstraint(
            "end_reason IS NULL OR " + values_in("end_reason", InterestEnd), name="end_reason"
        ),
        # A model, or a whole family (any level): exactly one of them.
        CheckConstraint("(model_id IS NULL) <> (family_id IS NULL)", name="model_or_family"),
        CheckConstraint("max_minutes >= 0", name="max_minutes"),
        # The planners' counts and the new session's match read live interest by model.
        Index("ix_interest_model_id_ended_at", "model_id", "ended_at"),
        Index("ix_interest_family_id_ended_at", "family_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("validation_model.id"))
    family_id: Mapped[int | None] = mapped_column(ForeignKey("model_family.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    # Sessions within this travel time of the municipality match (0: any distance).
    max_minutes: Mapped[int] = mapped_column(
        default=INTEREST_DEFAULT_MINUTES, server_default=str(INTEREST_DEFAULT_MINUTES)
    )
    from_date: Mapped[date]
    to_date: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_session_id: Mapped[int | None] = mapped_column(ForeignKey("validation_session.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[InterestEnd | None] = mapped_column(status_type(InterestEnd, 12))
    # The seat that ended it (booked): if the center cancels that session, it is live again.
    ended_by_booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    created_by: Mapped[Person] = relationship(foreign_keys=[created_by_id])
    model: Mapped[ValidationModel | None] = relationship()
    family: Mapped[ModelFamily | None] = relationship()
    municipality: Mapped[Municipality] = relationship()
    notified_session: Mapped[ValidationSession | None] = relationship()

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    @property
    def wanted(self) -> str:
        """What the interest is in: the model's name, or the family's ("Svets, alla nivåer")."""
        if self.model is not None:
            return self.model.name
        return _("%(family)s, alla nivåer", family=self.family.name)
