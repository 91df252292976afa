from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from app.accounts.models import Person
from app.centers.models import TestCenter, WorkstationKind
from app.db import UTCDateTime, status_type, utcnow, values_in
from app.extensions import db
from app.timeutil import local_date


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ModelFamily(db.Model):
    """Validation models that are levels of one thing, e.g. Svets VIT, GRÖN, BLÅ and SVART.

    Someone looking for welding should find every level: one search choice covers the
    family's models.
    """

    __tablename__ = "model_family"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    models: Mapped[list["ValidationModel"]] = relationship(
        back_populates="family", order_by="ValidationModel.level_rank"
    )

    def __str__(self) -> str:
        return self.name


class ValidationModel(db.Model):
    """One of Svensk industrivalidering's validation models, e.g. Industriteknik BAS."""

    __tablename__ = "validation_model"
    __table_args__ = (
        CheckConstraint("theory_minutes >= 0 AND practical_minutes >= 0", name="durations"),
        CheckConstraint("theory_minutes + practical_minutes > 0", name="has_duration"),
        CheckConstraint("max_group_size > 0", name="group_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    owner: Mapped[str] = mapped_column(String(120))  # the body behind the model
    description: Mapped[str] = mapped_column(String(500), default="")
    theory_minutes: Mapped[int]
    practical_minutes: Mapped[int]
    workstation_kind_id: Mapped[int] = mapped_column(ForeignKey("workstation_kind.id"))
    max_group_size: Mapped[int]
    # A level of a family (Svets: VIT, GRÖN, BLÅ, SVART), its short label and its place
    # in the family's order; none of them for a model on its own.
    family_id: Mapped[int | None] = mapped_column(ForeignKey("model_family.id"), index=True)
    level: Mapped[str | None] = mapped_column(String(20))
    level_rank: Mapped[int | None]

    workstation_kind: Mapped[WorkstationKind] = relationship()
    family: Mapped[ModelFamily | None] = relationship(back_populates="models")

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.theory_minutes + self.practical_minutes)


class AssessorAuthorisation(db.Model):
    """A testledare's right to run one validation model during a period."""

    __tablename__ = "assessor_authorisation"
    __table_args__ = (
        CheckConstraint("valid_from <= valid_to", name="period"),
        # Is this testledare authorised for this model: asked by every booking and search.
        Index("ix_assessor_authorisation_person_id_model_id", "person_id", "model_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("validation_model.id"), index=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date]

    person: Mapped[Person] = relationship()
    model: Mapped[ValidationModel] = relationship()


class AssessorAvailability(db.Model):
    """A testledare's usual working hours on one weekday; no rows means no limits."""

    __tablename__ = "assessor_availability"
    __table_args__ = (
        UniqueConstraint("person_id", "weekday", name="uq_assessor_availability_day"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("starts < ends", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    starts: Mapped[time]
    ends: Mapped[time]


class AssessorAbsence(db.Model):
    """Days a testledare is away, e.g. a vacation week."""

    __tablename__ = "assessor_absence"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))


class ValidationSession(db.Model):
    """A sitting of one validation model at one center, run by one testledare.

    seats_taken counts the bookings that hold a seat. It is changed only by the
    booking service under the session's row lock, and the database refuses any
    value above seats, so no race can sell a seat twice.
    """

    __tablename__ = "validation_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("seats >= 0", name="seats_not_negative"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="not_oversold"),
        CheckConstraint(values_in("status", SessionStatus), name="status"),
        Index("ix_validation_session_starts_at_status", "starts_at", "status"),
        # The search lists scheduled sessions by start and counts them: in index order.
        Index(
            "ix_validation_session_status_starts_at",
            *("status", "starts_at", "id", "center_id", "model_id"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("test_center.id"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("validation_model.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seats: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    # The last waitlist number handed out; waitlist order is by this number.
    waitlist_counter: Mapped[int] = mapped_column(default=0)
    status: Mapped[SessionStatus] = mapped_column(
        status_type(SessionStatus, 12), default=SessionStatus.SCHEDULED
    )
    # How many participants with support needs the session can take; None: no limit.
    support_seats: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the time, testledare or status changes (not when a seat is taken), so
    # calendar feeds can answer 304 cheaply.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=True)
    # Raised when the time or the status changes: the center's public feed gives it
    # as the event's SEQUENCE, which clients compare before taking an update.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # Why it was cancelled, as the center admin wrote it for the participants.
    cancel_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Cancelled because the center closed the day: each reader is told so in their own
    # language, beside the closure's reason (cancel_reason).
    cancelled_for_closure: Mapped[bool] = mapped_column(default=False, server_default=false())

    center: Mapped[TestCenter] = relationship()
    model: Mapped[ValidationModel] = relationship()
    assessor: Mapped[Person] = relationship()
    # The testledare's authorisations for the session's model, whatever their period:
    # a booking reads them with the session's lock instead of asking once more.
    assessor_grants: Mapped[list[AssessorAuthorisation]] = relationship(
        primaryjoin=lambda: (
            (foreign(AssessorAuthorisation.person_id) == ValidationSession.assessor_id)
            & (foreign(AssessorAuthorisation.model_id) == ValidationSession.model_id)
        ),
        viewonly=True,
    )

    def __str__(self) -> str:
        return f"{self.model} {self.starts_at:%Y-%m-%d}"

    def assessor_authorised_on(self, day: date) -> bool:
        """Has the testledare an authorisation for the model valid on `day`?"""
        return any(g.valid_from <= day <= g.valid_to for g in self.assessor_grants)

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_taken

    @property
    def local_date(self) -> date:
        return local_date(self.starts_at)
